/**
 * Issue 35 item 2: a corpus of hostile files made in code (e2e/helpers/hostile-files.ts), each
 * dropped alone and among good files. A file that cannot be used gets a message naming it; the
 * scans already loaded (the demo, then a case) and the result stay; valid oddities (NIfTI-2, NaN/Inf
 * voxels, a gzip bomb behind a normal image) load; no uncaught page error; Segment works afterwards.
 */
import { expect, type Page, test } from '@playwright/test';
import { bombT2, nanT2, nifti2T2, refusedFiles } from './helpers/hostile-files.ts';
import { dropFiles, openApp, segmentAndWait, trackPageErrors } from './helpers/page.ts';
import { type FilePayload, otherGridT1, phantomFiles } from './helpers/volumes.ts';

const DIMS = [32, 36, 32] as const;

/** What must not change when a file is refused: the case, the viewer's base image and overlay, the file list. */
async function caseShown(page: Page): Promise<string[]> {
  const viewer = page.getByTestId('viewer');
  return [
    (await page.getByTestId('case-title').textContent()) ?? '',
    (await viewer.getAttribute('data-base')) ?? '',
    (await viewer.getAttribute('data-overlay-run')) ?? '',
    (await page.getByTestId('file-row').allTextContents()).join('|'),
  ];
}

/** Drops `files`; the banner must name `refused` and match `message`, and the case shown must be `expected`. */
async function expectRefused(page: Page, files: FilePayload[], refused: FilePayload, message: RegExp, expected: string[]): Promise<void> {
  await dropFiles(page, files);
  const banner = page.getByTestId('error-message');
  await expect(banner).toContainText(refused.name);
  await expect(banner).toContainText(message);
  await expect.poll(() => caseShown(page)).toEqual(expected);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await expect(banner).toHaveCount(0);
}

test('hostile files: refused by name, valid oddities loaded, the loaded scans and result kept, Segment works after', async ({ page }) => {
  test.setTimeout(8 * 60_000);
  const errors = trackPageErrors(page);
  const refused = refusedFiles();
  const good = phantomFiles([...DIMS], 5, 'good');
  await openApp(page, '?backend=wasm&mirror=off');
  // the demo segments itself: its result must survive every refused drop
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlay-run', /[1-9]/, { timeout: 5 * 60_000 });
  await expect(page.getByTestId('progress')).toHaveAttribute('data-state', 'done');
  const demo = await caseShown(page);

  // 1. each refused file alone over the demo
  for (const { file, message } of refused) await expectRefused(page, [file], file, message, demo);
  await expectRefused(page, refused.map((r) => r.file), refused[5].file, refused[5].message, demo);

  // 2. among good ones: a new case loads, the bad file is named
  await dropFiles(page, [good.flair, refused[0].file, good.t1, good.mask]);
  await expect(page.getByTestId('error-message')).toContainText(refused[0].file.name);
  await expect(page.getByTestId('case-title')).toHaveText(good.flair.name);
  await expect(page.getByTestId('file-row')).toHaveCount(3);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await dropFiles(page, [good.t2]);
  await expect(page.getByTestId('file-row')).toHaveCount(4);
  const loaded = await caseShown(page);
  for (const { file, message } of refused) {
    await expectRefused(page, [file], file, message, loaded);
    // with a good T2 of the case: the T2 replaces the T2 (same name, same rows), the bad one is named
    await expectRefused(page, [good.t2, file], file, message, loaded);
  }
  const otherGrid = otherGridT1([...DIMS]);
  await expectRefused(page, [otherGrid], otherGrid, /not on the same voxel grid.*refused/, loaded);
  await expectRefused(page, [good.t2, otherGrid], otherGrid, /not on the same voxel grid.*refused/, loaded);

  // 3. valid oddities load as the case's T2 (alone, then among a bad file), with the reader's note
  const started = Date.now();
  const bomb = await bombT2([...DIMS], 1024);
  console.log(`gzip bomb: ${(bomb.buffer.length / 1e6).toFixed(2)} MB of gzip, a 0.15 MB image then 1 GiB of zeros, made in ${Date.now() - started} ms`);
  const valid: [FilePayload, RegExp | null][] = [
    [nifti2T2([...DIMS]), null],
    [nanT2([...DIMS]), /T2: 5 of its 36864 voxels are NaN or infinite; they were read as 0 \(background\)/],
    [bomb, /goes on past the image.*ignored, not decompressed/],
  ];
  for (const [file, note] of valid) {
    for (const companions of [[], [refused[1].file]]) {
      const t0 = Date.now();
      if (file === bomb) await page.getByTestId('file-input').setInputFiles([file, ...companions]);
      else await dropFiles(page, [file, ...companions]);
      await expect(page.getByTestId('file-row').filter({ hasText: file.name })).toHaveCount(1);
      if (file === bomb) console.log(`gzip bomb read on the page in ${Date.now() - t0} ms (with the drop)`);
      await expect(page.getByTestId('file-row')).toHaveCount(4);
      await expect(page.getByTestId('case-title')).toHaveText(good.flair.name);
      if (note) await expect(page.getByTestId('notice')).toContainText(note);
      if (companions.length === 0) await expect(page.getByTestId('error-message')).toHaveCount(0);
      else {
        await expect(page.getByTestId('error-message')).toContainText(companions[0].name);
        await page.getByRole('button', { name: 'Dismiss' }).click();
      }
    }
  }

  // 4. Segment works after all that, and its result survives one more refused file
  await segmentAndWait(page, 4 * 60_000);
  const segmented = await caseShown(page);
  expect(segmented[2]).not.toBe(loaded[2]);
  await expectRefused(page, [refused[0].file], refused[0].file, refused[0].message, segmented);
  expect(errors).toEqual([]);
});
