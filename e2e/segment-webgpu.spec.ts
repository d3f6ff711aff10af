/**
 * The main path on the real WebGPU backend (SwiftShader here, forced with ?backend=webgpu): the demo
 * appears, a generated FLAIR dropped alone on the page is segmented, the overlay and the lesion table show, the mask downloads
 * on the input's grid; the same file on wasm gives the same probabilities.
 */
import { expect, test } from '@playwright/test';
import { labelComponents } from '../src/core/components.ts';
import { sameGrid, voxelVolumeMl } from '../src/core/volume.ts';
import { downloadVolume, dropFiles, nextFrames, openApp, segmentAndWait, snapshot, trackPageErrors } from './helpers/page.ts';
import { countOverlayPixels, decodePng } from './helpers/png.ts';
import { phantomFiles } from './helpers/volumes.ts';

// 32^3 at patch 32: one patch, about a minute on SwiftShader (fusion is the same code on every backend)
const DIMS = [32, 32, 32] as const;

test('WebGPU: a dropped lone FLAIR is segmented, shown, listed and exported on its own grid', async ({ page, browser }, testInfo) => {
  test.setTimeout(12 * 60_000);
  const errors = trackPageErrors(page);
  const files = phantomFiles([...DIMS], 21, 'sub-e2e');

  expect(await openApp(page, '?backend=webgpu')).toBe('webgpu');
  await expect(page.getByTestId('backend-adapter')).not.toBeEmpty();
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-base', 'demo-flair');
  await expect(page.getByTestId('progress')).toHaveAttribute('data-state', 'idle');
  await snapshot(page, testInfo, '01-demo-on-open');

  await dropFiles(page, [files.flair]);
  await expect(page.getByTestId('case-title')).toHaveText(files.flair.name);
  await expect(page.getByTestId('file-row')).toHaveCount(1);
  await expect(page.getByTestId('role-select')).toHaveValue('flair');
  // a FLAIR alone gets the FLAIR-only model (public/models/index.json), not blank T1/T2 channels
  await expect(page.getByTestId('model-select')).toHaveValue('fbeta15-light-flair');
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-base', 'demo-flair');

  // mirroring (on by default for a scan this small) would double the minutes SwiftShader takes here,
  // and this spec is about WebGPU against wasm, not mirroring (run-control covers it)
  await page.getByTestId('mirror-select').selectOption('off');
  const started = Date.now();
  await segmentAndWait(page, 10 * 60_000);
  const webgpuSeconds = (Date.now() - started) / 1000;
  testInfo.annotations.push({ type: 'webgpu-seconds', description: webgpuSeconds.toFixed(1) });
  console.log(`WebGPU segmentation of ${DIMS.join('x')}: ${webgpuSeconds.toFixed(1)} s, ${await page.getByTestId('progress-text').textContent()}`);
  await expect(page.getByTestId('progress-text')).toHaveText(/^(\d+) \/ \1 patches/);
  await expect(page.getByTestId('notice')).toHaveCount(0);

  const count = Number(await page.getByTestId('lesion-count').textContent());
  const volumeText = (await page.getByTestId('lesion-volume').textContent()) ?? '';
  expect(volumeText).toMatch(/^\d+\.\d+ mL$/);
  await expect(page.getByTestId('lesion-row')).toHaveCount(count);

  // the mask reads back on the input's grid, and agrees with the page's count and volume
  const mask = await downloadVolume(page, 'download-mask');
  expect(mask.name).toMatch(/\.nii\.gz$/);
  expect(sameGrid(mask.volume, files.phantom.flair)).toBe(true);
  expect(mask.volume.dataType).toBe('uint8');
  let voxels = 0;
  for (const v of mask.volume.data) {
    expect(v === 0 || v === 1).toBe(true);
    voxels += v;
  }
  expect(labelComponents(mask.volume.data, mask.volume.dims, 26).count).toBe(count);
  expect(Number.parseFloat(volumeText)).toBeCloseTo(voxels * voxelVolumeMl(mask.volume.spacingMm), 2);

  // the overlay is drawn: jump to the largest lesion and look for warm pixels on the canvas
  expect(count).toBeGreaterThan(0);
  await page.getByTestId('lesion-row').first().click();
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-crosshair-vox', /\d+,\d+,\d+/);
  await expect(page.getByTestId('viewer')).not.toHaveAttribute('data-overlay-voxels', '0');
  await expect.poll(async () => {
    await nextFrames(page);
    return countOverlayPixels(decodePng(await page.getByTestId('viewer-canvas').screenshot()));
  }).toBeGreaterThan(20);
  await snapshot(page, testInfo, '02-webgpu-segmented');
  const probWebgpu = await downloadVolume(page, 'download-probability');
  expect(errors).toEqual([]);

  // the same file on wasm: the same probabilities up to float error
  const other = await browser.newPage();
  const otherErrors = trackPageErrors(other);
  // ?mirror=off: the page starts with mirroring off (its run on open, the demo's, is not mirrored either)
  expect(await openApp(other, '?backend=wasm&mirror=off')).toBe('wasm');
  await expect(other.getByTestId('mirror-select')).toHaveValue('off');
  await other.getByTestId('file-input').setInputFiles([files.flair]);
  await segmentAndWait(other, 3 * 60_000);
  const probWasm = await downloadVolume(other, 'download-probability');
  // float32 sums in another order (conv3d on webgpu, conv2d taps on wasm): equal up to ~1e-3
  let worst = 0;
  let maskDiffers = 0;
  const a = probWasm.volume.data;
  const b = probWebgpu.volume.data;
  for (let v = 0; v < a.length; v++) {
    worst = Math.max(worst, Math.abs(a[v] - b[v]));
    if ((a[v] >= 0.5) !== (b[v] >= 0.5)) maskDiffers++;
  }
  testInfo.annotations.push({ type: 'max |p_webgpu - p_wasm|', description: worst.toExponential(2) });
  console.log(`max |p_webgpu - p_wasm| = ${worst.toExponential(2)}; mask voxels that differ: ${maskDiffers} of ${a.length}`);
  expect(worst).toBeLessThan(1e-2);
  expect(maskDiffers).toBeLessThanOrEqual(a.length * 1e-3);
  expect(otherErrors).toEqual([]);
  await other.close();
});
