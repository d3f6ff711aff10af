/**
 * Patch workers (?patch-workers=N): on wasm a run hands batches to extra copies of the model in
 * workers of their own, one per core. The map must be the one-worker map to the last bit.
 */
import { expect, type Page, test } from '@playwright/test';
import { downloadVolume, openApp, segmentAndWait, trackPageErrors } from './helpers/page.ts';
import { phantomFiles } from './helpers/volumes.ts';

async function threadsOfLastRun(page: Page): Promise<number> {
  return JSON.parse((await page.getByTestId('timings').getAttribute('data-json'))!).threads;
}

test('a run on one patch worker and this worker gives the map of this worker alone, bit for bit', async ({ browser }) => {
  test.setTimeout(6 * 60_000);
  // 48^3 at patch 32 and overlap 0.5: 8 patches, two batches of 4 and their mirrored calls
  const files = phantomFiles([48, 48, 48], 29, 'workers');
  const maps: Float32Array[] = [];
  for (const workers of [1, 0]) {
    const page = await browser.newPage();
    const errors = trackPageErrors(page);
    expect(await openApp(page, `?backend=wasm&mirror=on&patch-workers=${workers}`)).toBe('wasm');
    await page.getByTestId('file-input').setInputFiles([files.flair]);
    await expect(page.getByTestId('case-title')).toHaveText(files.flair.name);
    await segmentAndWait(page, 4 * 60_000);
    expect(await threadsOfLastRun(page)).toBe(workers + 1);
    maps.push((await downloadVolume(page, 'download-probability')).volume.data as Float32Array);
    expect(errors).toEqual([]);
    await page.close();
  }
  expect(maps[0].length).toBe(48 * 48 * 48);
  expect(maps[0].some((p) => p > 0.5)).toBe(true);
  let differing = 0;
  for (let v = 0; v < maps[0].length; v++) if (maps[0][v] !== maps[1][v]) differing++;
  expect(differing).toBe(0);
});
