/**
 * The page's own backend choice (no ?backend=): on a software-only GPU adapter (SwiftShader, as in
 * headless Chromium on a CPU machine) it runs on wasm and says why; on a real GPU it runs on WebGPU.
 * Either way a 64^3 FLAIR given alone through the file input after the demo's run is segmented in
 * reasonable time at threshold 0.5 (not the demo reference's F-beta threshold), and the mask reads
 * back on the input's grid and finds the phantom's lesions; stored sagittally, the same FLAIR is
 * reoriented for the model and gives the same mask on its own grid.
 */
import { expect, test } from '@playwright/test';
import { labelComponents } from '../src/core/components.ts';
import { sameGrid } from '../src/core/volume.ts';
import { dice, downloadVolume, openApp, segmentAndWait, snapshot, trackPageErrors } from './helpers/page.ts';
import { asSagittal, niftiFile, phantomFiles } from './helpers/volumes.ts';

test('Default backend: wasm instead of a software GPU, with the reason shown; a 64^3 FLAIR segments', async ({ page }, testInfo) => {
  test.setTimeout(8 * 60_000);
  const errors = trackPageErrors(page);
  const backend = await openApp(page);
  // what the page's WebGPU adapter is: null without WebGPU, else whether it is a software fallback
  const software = await page.evaluate(async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    if (!adapter) return null;
    const info = (adapter as unknown as { info: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
    return Boolean(info.isFallbackAdapter) || /swiftshader/i.test(`${info.architecture} ${info.description}`);
  });
  testInfo.annotations.push({ type: 'default-backend', description: `${backend} (software WebGPU adapter: ${software})` });
  if (software === null) expect(backend).toMatch(/webgl|wasm|cpu/);
  else expect(backend).toBe(software ? 'wasm' : 'webgpu');
  if (software) {
    await expect(page.getByTestId('backend-adapter')).toHaveText('WebAssembly on the CPU');
    await expect(page.getByTestId('backend-fallbacks')).toContainText(/webgpu passed over: its adapter, .+, is a software GPU/);
  }

  // the demo is segmented on open and its reference sets the F-beta threshold; a scan loaded
  // afterwards without a reference is thresholded at the models' 0.5 again
  if (backend !== 'cpu') await expect(page.getByTestId('metric-precision')).toHaveText(/^[01]\.\d{3}$/, { timeout: 5 * 60_000 });
  const demoThreshold = await page.getByTestId('threshold-value').textContent();
  const files = phantomFiles([64, 64, 64], 17, 'crop64');
  await page.getByTestId('file-input').setInputFiles([files.flair]);
  await expect(page.getByTestId('case-title')).toHaveText(files.flair.name);
  await expect(page.getByTestId('threshold-value')).toHaveText('0.500');
  console.log(`threshold on the demo ${demoThreshold}, on the new scan 0.500`);
  const started = Date.now();
  await segmentAndWait(page, 6 * 60_000);
  const seconds = (Date.now() - started) / 1000;
  const progress = (await page.getByTestId('progress-text').textContent()) ?? '';
  console.log(`64^3 FLAIR alone on ${backend}: ${seconds.toFixed(1)} s, ${progress}`);
  testInfo.annotations.push({ type: 'seconds-64-cubed', description: seconds.toFixed(1) });
  await expect(page.getByTestId('progress-text')).toHaveText(/^(\d+) \/ \1 patches/);
  await snapshot(page, testInfo, '09-default-backend-64-cubed');

  const mask = await downloadVolume(page, 'download-mask');
  expect(sameGrid(mask.volume, files.phantom.flair)).toBe(true);
  const probability = await downloadVolume(page, 'download-probability');
  // the mask is the map cut at 0.5 less the lesions the model's lesion filter removes (its minimums on the page)
  const minMm3 = Number(await page.getByTestId('min-lesion-mm3').inputValue());
  const minConfidence = Number(await page.getByTestId('min-confidence').inputValue());
  const cc = labelComponents(Uint8Array.from(probability.volume.data, (p) => (p >= 0.5 ? 1 : 0)), mask.volume.dims, 26);
  const peak = new Float64Array(cc.count + 1);
  cc.labels.forEach((l, v) => { peak[l] = Math.max(peak[l], probability.volume.data[v]); });
  const [sx, sy, sz] = mask.volume.spacingMm;
  const kept = (l: number) => l > 0 && cc.sizes[l] * sx * sy * sz >= minMm3 && peak[l] >= minConfidence;
  let disagree = 0;
  for (let v = 0; v < mask.volume.data.length; v++) if ((kept(cc.labels[v]) ? 1 : 0) !== mask.volume.data[v]) disagree++;
  expect(disagree).toBe(0);
  console.log(`lesion filter (>= ${minMm3} mm^3, confidence >= ${minConfidence}): ${[...Array(cc.count).keys()].filter((l) => kept(l + 1)).length} of ${cc.count} lesions kept`);
  const score = dice(mask.volume.data, files.phantom.mask.data);
  console.log(`Dice against the phantom's lesions (FLAIR alone): ${score.toFixed(3)}`);
  testInfo.annotations.push({ type: 'dice-64-cubed', description: score.toFixed(3) });
  // a broken input or fusion path scores ~0
  expect(score).toBeGreaterThan(0.3);

  // the same FLAIR stored sagittally: reoriented for the model (said on the page), the mask comes
  // back on the sagittal file's grid and is the LAS file's mask, voxel for voxel
  const sagittal = asSagittal(files.phantom.flair);
  await page.getByTestId('file-input').setInputFiles([niftiFile('crop64-sagittal_FLAIR.nii.gz', sagittal)]);
  await expect(page.getByTestId('case-title')).toHaveText('crop64-sagittal_FLAIR.nii.gz');
  await expect(page.getByTestId('notice')).toContainText('reoriented from AIR to LAS');
  await segmentAndWait(page, 6 * 60_000);
  const sagittalMask = await downloadVolume(page, 'download-mask');
  expect(sameGrid(sagittalMask.volume, sagittal)).toBe(true);
  expect(Array.from(sagittalMask.volume.data)).toEqual(Array.from(asSagittal(mask.volume).data));
  expect(errors).toEqual([]);
});
