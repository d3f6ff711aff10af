/**
 * Files that cannot be used give a clear message on the page while the scan already loaded stays;
 * dropped files get roles from their names and voxels, which the user can change. No uncaught page error.
 */
import { expect, type Page, test } from '@playwright/test';
import { dropFiles, openApp, snapshot, trackPageErrors } from './helpers/page.ts';
import { corruptFile, type FilePayload, fourDFile, otherGridT1, phantomFiles, textFile, truncatedFile, twoDFile } from './helpers/volumes.ts';

const DIMS = [32, 36, 32] as const;

/** The role selects' values, top to bottom. */
function roles(page: Page): Promise<string[]> {
  return page.getByTestId('role-select').evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value));
}

test('bad files are refused with a clear message and the loaded scan stays', async ({ page }, testInfo) => {
  const errors = trackPageErrors(page);
  const files = phantomFiles([...DIMS], 5, 'case01');
  await openApp(page);

  await dropFiles(page, [files.flair, files.t1, files.mask]);
  await expect(page.getByTestId('case-title')).toHaveText(files.flair.name);
  await expect.poll(() => roles(page)).toEqual(['flair', 't1', 'mask']);
  // a label map is the reference mask whatever its name: it replaces the mask of the case
  await dropFiles(page, [{ ...files.mask, name: 'case01_rater2.nii.gz' }]);
  await expect(page.getByTestId('file-row').nth(2)).toContainText('case01_rater2.nii.gz');
  await expect.poll(() => roles(page)).toEqual(['flair', 't1', 'mask']);
  const base = await page.getByTestId('viewer').getAttribute('data-base');

  const cases: [FilePayload, RegExp][] = [
    [corruptFile(), /corrupt or truncated gzip/],
    [truncatedFile(), /truncated NIfTI file/],
    [fourDFile(), /4D with 3 volumes/],
    [twoDFile(), /2D/],
    [textFile(), /not a NIfTI file/],
    [otherGridT1([...DIMS]), /not on the same voxel grid.*refused/],
  ];
  for (const [file, message] of cases) {
    await page.getByTestId('file-input').setInputFiles([file]);
    const banner = page.getByTestId('error-message');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText(message);
    await expect(banner).toContainText(file.name);
    await expect(page.getByTestId('case-title')).toHaveText(files.flair.name);
    await expect(page.getByTestId('viewer')).toHaveAttribute('data-base', base!);
    await expect(page.getByTestId('file-row')).toHaveCount(3);
    if (file.name.startsWith('corrupt')) await snapshot(page, testInfo, '03-corrupt-file-error');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await expect(banner).toHaveCount(0);
  }

  // a role can be changed; the file that held it before is ignored
  await page.getByTestId('role-select').nth(1).selectOption('t2');
  await expect.poll(() => roles(page)).toEqual(['flair', 't2', 'mask']);
  await page.getByTestId('role-select').nth(2).selectOption('flair');
  await expect.poll(() => roles(page)).toEqual(['ignore', 't2', 'flair']);
  await page.getByTestId('role-select').nth(0).selectOption('flair');
  await expect.poll(() => roles(page)).toEqual(['flair', 't2', 'ignore']);

  // without a FLAIR the Segment button explains what is missing
  await page.getByTestId('role-select').nth(0).selectOption('ignore');
  await expect(page.getByTestId('segment-button')).toBeDisabled();
  await expect(page.getByText('choose which file is the FLAIR')).toBeVisible();
  expect(errors).toEqual([]);
});
