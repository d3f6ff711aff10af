/**
 * The lesion filter on the demo (wasm): the shipped model's defaults are applied; the two controls
 * (minimum size in mm^3, minimum confidence) change the count, the volume, the table and the
 * filtered scores at once and the mask once the worker answers, each checked against a
 * recomputation from the downloaded probability map and reference; "Show removed" draws the
 * removed lesions as their own layer.
 */
import { expect, type Page, test } from '@playwright/test';
import { labelComponents } from '../src/core/components.ts';
import type { Vec3 } from '../src/core/types.ts';
import { downloadVolume, openApp, setInputTimed, snapshot, trackPageErrors } from './helpers/page.ts';

/** The lesions of the map at 0.5 as the test sees them: voxels, peak probability, whether they touch the reference. */
function lesionsOf(prob: Float32Array, truth: Float32Array, dims: Vec3) {
  const cc = labelComponents(Uint8Array.from(prob, (p) => (p >= 0.5 ? 1 : 0)), dims, 26);
  const lesions = Array.from({ length: cc.count }, () => ({ voxels: [] as number[], peak: 0, touches: false }));
  cc.labels.forEach((l, v) => {
    if (l === 0) return;
    const lesion = lesions[l - 1];
    lesion.voxels.push(v);
    lesion.peak = Math.max(lesion.peak, prob[v]);
    if (truth[v] > 0.5) lesion.touches = true;
  });
  return lesions;
}

/** Sets a filter control as a user's edit does; ms until the lesion count changed. */
const setControl = (page: Page, testId: string, value: number) => setInputTimed(page, testId, value, 'lesion-count');

test('the lesion filter: model defaults, live controls, removed lesions shown apart', async ({ page }, testInfo) => {
  test.setTimeout(8 * 60_000);
  const errors = trackPageErrors(page);
  expect(await openApp(page, '?backend=wasm&mirror=off')).toBe('wasm');
  await expect(page.getByTestId('metric-filtered-dice')).toHaveText(/^[01]\.\d{3}$/, { timeout: 5 * 60_000 });
  // the worker's threshold for the demo's reference is the F-beta optimum: pin 0.5 by hand
  await page.getByTestId('threshold-slider').fill('0.5');
  await expect(page.getByTestId('lesion-threshold')).toHaveAttribute('data-threshold', '0.5');

  const prob = (await downloadVolume(page, 'download-probability')).volume;
  const truth = (await downloadVolume(page, 'download-reference')).volume;
  const lesions = lesionsOf(prob.data, truth.data, prob.dims);
  const voxelMm3 = prob.spacingMm[0] * prob.spacingMm[1] * prob.spacingMm[2];
  expect(lesions.length).toBeGreaterThan(3);

  /** What a rule keeps, recomputed here: count, volume (mL), voxels, and lesion precision and recall. */
  const expected = (minMm3: number, minConf: number) => {
    const kept = lesions.filter((l) => l.voxels.length * voxelMm3 >= minMm3 - 1e-9 && l.peak >= minConf);
    const keptVoxels = new Set(kept.flatMap((l) => l.voxels));
    const truthCc = labelComponents(Uint8Array.from(truth.data, (t) => (t > 0.5 ? 1 : 0)), truth.dims, 26);
    const found = new Set<number>();
    for (const v of keptVoxels) if (truthCc.labels[v] > 0) found.add(truthCc.labels[v]);
    const precision = kept.length ? kept.filter((l) => l.touches).length / kept.length : 0;
    const recall = found.size / truthCc.count;
    return { count: kept.length, ml: (keptVoxels.size * voxelMm3) / 1000, keptVoxels, removed: lesions.length - kept.length, precision, recall };
  };
  const expectShown = async (e: ReturnType<typeof expected>) => {
    await expect(page.getByTestId('lesion-count')).toHaveText(String(e.count));
    await expect(page.getByTestId('lesion-row')).toHaveCount(e.count);
    await expect(page.getByTestId('lesion-removed-count')).toHaveText(String(e.removed));
    expect(Number(await page.getByTestId('metric-filtered-lesion-precision').textContent())).toBeCloseTo(e.precision, 3);
    expect(Number(await page.getByTestId('metric-filtered-lesion-tpr').textContent())).toBeCloseTo(e.recall, 3);
  };
  const expectMask = async (e: ReturnType<typeof expected>) => {
    // the worker's mask once the controls settle: the kept lesions' voxels exactly
    await expect.poll(async () => {
      const mask = (await downloadVolume(page, 'download-mask')).volume.data;
      return mask.reduce((n, x, v) => n + (x !== (e.keptVoxels.has(v) ? 1 : 0) ? 1 : 0), 0);
    }, { timeout: 10_000 }).toBe(0);
  };

  // the shipped model's defaults (its metadata) are in force and shown as such
  const defaults = { mm3: Number(await page.getByTestId('min-lesion-mm3').inputValue()), conf: Number(await page.getByTestId('min-confidence').inputValue()) };
  expect(defaults.conf).toBeGreaterThan(0);
  await expect(page.getByTestId('lesion-threshold')).toContainText('model’s defaults');
  await expectShown(expected(defaults.mm3, defaults.conf));
  await expectMask(expected(defaults.mm3, defaults.conf));
  await snapshot(page, testInfo, 'filter-01-model-defaults');

  // off: every lesion of the map at 0.5
  await page.getByTestId('lesion-filter-off').click();
  await expectShown(expected(0, 0));
  await expectMask(expected(0, 0));

  // a size minimum in mm^3 and a confidence minimum, each answered at once on the page
  const sizes = lesions.map((l) => l.voxels.length * voxelMm3).sort((a, b) => a - b);
  const minMm3 = Math.ceil(sizes[Math.floor(sizes.length / 2)]);
  const sizeMs = await setControl(page, 'min-lesion-mm3', minMm3);
  await expectShown(expected(minMm3, 0));
  const confMs = await setControl(page, 'min-confidence', 0.95);
  await expectShown(expected(minMm3, 0.95));
  await expectMask(expected(minMm3, 0.95));
  console.log(`lesion filter on the demo: ${lesions.length} lesions at 0.5; defaults ${JSON.stringify(defaults)} keep ${expected(defaults.mm3, defaults.conf).count}; count updated in ${sizeMs.toFixed(1)} / ${confMs.toFixed(1)} ms`);
  testInfo.annotations.push({ type: 'filter-update-ms', description: `${sizeMs.toFixed(1)} / ${confMs.toFixed(1)}` });

  // the removed lesions as a layer of their own
  const e = expected(minMm3, 0.95);
  await page.getByTestId('show-removed').check();
  const removedVoxels = lesions.reduce((n, l) => n + l.voxels.length, 0) - e.keptVoxels.size;
  expect(removedVoxels).toBeGreaterThan(0);
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-removed-voxels', String(removedVoxels));
  await snapshot(page, testInfo, 'filter-02-removed-shown');
  await page.getByTestId('show-removed').uncheck();
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-removed-voxels', '0');

  // back to the model's defaults
  await page.getByTestId('lesion-filter-defaults').click();
  await expectShown(expected(defaults.mm3, defaults.conf));
  expect(errors).toEqual([]);
});
