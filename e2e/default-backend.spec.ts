/**
 * The page's own backend choice (no ?backend=): on a software-only GPU adapter (SwiftShader, as in
 * headless Chromium on a CPU machine) it runs on wasm and says why; on a real GPU it runs on WebGPU.
 * Either way a 64^3 FLAIR given alone through the file input is segmented in reasonable time and
 * the mask reads back on the input's grid and finds the phantom's lesions.
 */
import { expect, test } from '@playwright/test';
import { sameGrid } from '../src/core/volume.ts';
import { dice, downloadVolume, openApp, segmentAndWait, snapshot, trackPageErrors } from './helpers/page.ts';
import { phantomFiles } from './helpers/volumes.ts';

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

  const files = phantomFiles([64, 64, 64], 17, 'crop64');
  await page.getByTestId('file-input').setInputFiles([files.flair]);
  await expect(page.getByTestId('case-title')).toHaveText(files.flair.name);
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
  const score = dice(mask.volume.data, files.phantom.mask.data);
  console.log(`Dice against the phantom's lesions (FLAIR alone): ${score.toFixed(3)}`);
  testInfo.annotations.push({ type: 'dice-64-cubed', description: score.toFixed(3) });
  // a broken input or fusion path scores ~0
  expect(score).toBeGreaterThan(0.3);
  expect(errors).toEqual([]);
});
