/**
 * The page and the CLI give the same lesions for the same scan: a generated 64^3 case (FLAIR, T1,
 * T2) through the page (wasm, mirrored as the page mirrors a scan this small) and through `npm
 * run segment` (mirrored by default): the same lesion filter from the model's metadata, the same
 * lesion count, and the same mask to the voxel.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { labelComponents } from '../src/core/components.ts';
import { readNifti } from '../src/core/nifti-io.ts';
import { downloadVolume, openApp, segmentAndWait, trackPageErrors } from './helpers/page.ts';
import { phantomFiles } from './helpers/volumes.ts';

test('the page and the CLI agree on the lesions of a scan, to the voxel', async ({ page }, testInfo) => {
  test.setTimeout(8 * 60_000);
  const errors = trackPageErrors(page);
  const files = phantomFiles([64, 64, 64], 23, 'agree');
  const dir = mkdtempSync(path.join(tmpdir(), 'agree-'));
  try {
    for (const f of [files.flair, files.t1, files.t2]) writeFileSync(path.join(dir, f.name), f.buffer);
    const cli = spawnSync('npx', ['tsx', 'src/cli/segment.ts',
      '--flair', path.join(dir, files.flair.name), '--t1', path.join(dir, files.t1.name), '--t2', path.join(dir, files.t2.name),
      '--out', path.join(dir, 'mask.nii.gz'), '--backend', 'wasm'], { encoding: 'utf8', timeout: 5 * 60_000 });
    expect(cli.status, cli.stderr).toBe(0);
    const cliMask = readNifti(readFileSync(path.join(dir, 'mask.nii.gz'))).data;
    const cliCount = Number(/; (\d+) lesions, /.exec(cli.stderr)?.[1]);
    expect(cli.stderr).toMatch(/lesion filter \(lesions of confidence 0\.8 or more\)/);

    expect(await openApp(page, '?backend=wasm')).toBe('wasm');
    await page.getByTestId('file-input').setInputFiles([files.flair, files.t1, files.t2]);
    await expect(page.getByTestId('case-title')).toHaveText(files.flair.name);
    await segmentAndWait(page, 5 * 60_000);
    await expect(page.getByTestId('timings')).toContainText(/mirrored/i);
    const pageCount = Number(await page.getByTestId('lesion-count').textContent());
    const pageMask = (await downloadVolume(page, 'download-mask')).volume.data;
    let differ = 0;
    for (let v = 0; v < cliMask.length; v++) if (cliMask[v] !== pageMask[v]) differ++;
    console.log(`page ${pageCount} lesions, CLI ${cliCount}; mask voxels that differ: ${differ} of ${cliMask.length}`);
    testInfo.annotations.push({ type: 'page-cli', description: `${pageCount} / ${cliCount} lesions, ${differ} voxels differ` });
    expect(pageCount).toBe(cliCount);
    expect(labelComponents(pageMask, [64, 64, 64], 26).count).toBe(pageCount);
    expect(differ).toBe(0);
    expect(pageCount).toBeGreaterThan(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  expect(errors).toEqual([]);
});
