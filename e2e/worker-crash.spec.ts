/**
 * A segmentation worker that throws, ends itself silently, or hangs in the middle of a run is
 * detected (its error event, or the page's watchdog: no answer to pings for ?watchdog-s seconds),
 * reported in one line and replaced; the loaded scans stay, and Segment on the fresh worker gives
 * the same map as before the fault. Faults come from Playwright running code in the worker
 * (helpers/worker-faults.ts), not from any switch in the page.
 */
import { expect, test } from '@playwright/test';
import { downloadVolume, openApp, segmentAndWait, trackPageErrors } from './helpers/page.ts';
import { injectFault, segmentWorker, type WorkerFault } from './helpers/worker-faults.ts';
import { phantomFiles } from './helpers/volumes.ts';

const RESTARTED = /^The segmentation worker (failed \(.*fault injected by the test\)|stopped responding \(no answer for \d+ s\)) and was restarted; the loaded scans are kept: press Segment to run again\./;

test('A worker that throws, closes itself or hangs mid-run is reported and restarted, and the scans stay', async ({ page }) => {
  test.setTimeout(8 * 60_000);
  const errors = trackPageErrors(page);
  // 8 s of silence: far longer than any step on this 96^3 case (patches of 32^3), far shorter than the 120 s default
  expect(await openApp(page, '?backend=wasm&mirror=off&watchdog-s=8')).toBe('wasm');
  const { flair } = phantomFiles([96, 96, 96], 21, 'crash');
  await page.getByTestId('file-input').setInputFiles([flair]);
  await expect(page.getByTestId('case-title')).toHaveText(/crash_FLAIR/);
  await segmentAndWait(page, 3 * 60_000);
  const before = (await downloadVolume(page, 'download-probability')).volume.data;
  const baseId = await page.getByTestId('viewer').getAttribute('data-base');

  const progress = page.getByTestId('progress');
  let previous = null;
  for (const fault of ['throw', 'close', 'hang'] as WorkerFault[]) {
    const worker = await segmentWorker(page, previous);
    previous = worker;
    const runBefore = Number(await page.getByTestId('viewer').getAttribute('data-overlay-run'));
    await page.getByTestId('segment-button').click();
    await expect(page.getByTestId('progress-text')).toHaveText(/^\d+ \/ \d+ patches/, { timeout: 60_000 });
    await injectFault(worker, fault);
    await expect(page.getByTestId('error-message'), fault).toHaveText(RESTARTED, { timeout: 60_000 });
    await expect(progress).not.toHaveAttribute('data-state', 'running');
    // the scans are still loaded, and no result of the interrupted run is shown
    await expect(page.getByTestId('case-title')).toHaveText(/crash_FLAIR/);
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-base', baseId!);
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlay-run', String(runBefore));
    // the fresh worker has the case: the same map as before the fault
    await segmentAndWait(page, 3 * 60_000);
    expect(Number(await page.getByTestId('viewer').getAttribute('data-overlay-run'))).toBeGreaterThan(runBefore);
    const after = (await downloadVolume(page, 'download-probability')).volume.data;
    expect(after.length).toBe(before.length);
    let maxDiff = 0;
    for (let v = 0; v < after.length; v++) maxDiff = Math.max(maxDiff, Math.abs(after[v] - before[v]));
    expect(maxDiff, fault).toBeLessThan(1e-6);
  }
  expect(errors).toEqual([]);
});
