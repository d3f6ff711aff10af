/** placeCase with a stand-in engine that returns a known transform (the real engine: tests/cli/registration.test.ts). */
import { describe, expect, it } from 'vitest';
import type { ParameterMap, RegistrationEngine } from '../../src/core/registration.ts';
import type { RegistrationTemplate } from '../../src/core/registration-template.ts';
import type { Vec3 } from '../../src/core/types.ts';
import { identityGrid } from '../../src/core/model-grid.ts';
import { PEAKS_FROM } from '../../src/core/voxel-peaks.ts';
import { coarseScanCut, describePlacement, mapFromPlacement, mapsOnScan, MOVED_SCAN_CUT, movedScanCutOf, placeCase, recalibrateOdds } from '../../src/model/registered-input.ts';

const dims: Vec3 = [120, 124, 120];
const count = dims[0] * dims[1] * dims[2];
/** A ball of brain in the middle, radius 45 mm. */
const brain = Uint8Array.from({ length: count }, (_, v) => {
  const i = v % 120; const j = Math.floor(v / 120) % 124; const k = Math.floor(v / (120 * 124));
  return (i - 60) ** 2 + (j - 62) ** 2 + (k - 60) ** 2 < 45 ** 2 ? 1 : 0;
});
const flair = Float32Array.from(brain, (b, v) => (b ? Math.sin(v / 7) : 0));
const template: RegistrationTemplate = {
  data: new Float32Array(60 * 62 * 60).fill(1), dims: [60, 62, 60], modelDims: dims, modelAffine: [[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
};
/** Plans of the model grid: from 3 mm slices along k, and from 0.9 mm voxels along i. */
const thick = { dims, scanDims: [120, 124, 40] as Vec3, axes: [0, 1, 2] as Vec3, spacingMm: [1, 1, 3] as Vec3 };
const finer = { dims, scanDims: [133, 124, 120] as Vec3, axes: [0, 1, 2] as Vec3, spacingMm: [0.9, 1, 1] as Vec3 };
const engineFor = (parameters: number[]): RegistrationEngine => async () => [{
  Transform: ['EulerTransform'], TransformParameters: parameters.map(String), CenterOfRotationPoint: ['59.5', '61.5', '59.5'],
} as ParameterMap];

describe('placeCase', () => {
  it('moves a turned case onto the template and maps a constant field back exactly (0 outside the brain)', async () => {
    const placed = await placeCase([flair], 0, brain, dims, { template, engine: engineFor([0, 0, 0.15, 3, -2, 1]) });
    expect(placed.placement?.moved).toBe(true);
    expect(placed.placement?.result.rotationDeg).toBeCloseTo((0.15 * 180) / Math.PI, 6);
    expect(describePlacement(placed)).toMatch(/^registered: rotation 8\.6°, shift 3\.7 mm; the scan was moved onto the template/);
    const constant = new Float32Array(count).fill(0.625);
    // the geometry alone keeps a constant field exactly
    const mapped = mapFromPlacement(constant, placed.placement!);
    expect(mapped.every((p) => p === 0.625)).toBe(true);
    // the map back also recalibrates a moved scan's odds by 0.4 / 0.6: 0.625 (odds 5/3) -> odds 10/9 = 10/19
    const back = placed.back(constant);
    let wrong = 0;
    for (let v = 0; v < count; v++) if (brain[v] ? Math.abs(back[v] - 10 / 19) > 1e-7 : back[v] !== 0) wrong++;
    expect(wrong).toBe(0);
    expect(describePlacement(placed)).toMatch(/recalibrated for the resampling/);
    // the lesion filter's confidences come back by the peak: a constant the same, recalibrated as back's
    const peaks = placed.peakBack!(constant);
    expect(Array.from(peaks)).toEqual(Array.from(back));
  });
  it("brings a moved scan's one-voxel lesion back with its peak for the lesion filter, where the trilinear map lowers it", async () => {
    const placed = await placeCase([flair], 0, brain, dims, { template, engine: engineFor([0, 0, 0.15, 3, -2, 1]) });
    const spike = new Float32Array(count);
    spike[60 + 120 * (62 + 124 * 60)] = 0.99;
    const maps = mapsOnScan(placed, spike, identityGrid(dims), brain);
    const confidence = Float32Array.from(maps.probability);
    maps.peaks!.index.forEach((v, n) => { confidence[v] = maps.peaks!.value[n]; });
    const highest = (m: Float32Array) => m.reduce((a, b) => Math.max(a, b), 0);
    // 0.99 recalibrated at 0.6: odds 99 * 2/3 = 66, 66/67
    expect(highest(confidence)).toBeCloseTo(66 / 67, 6);
    expect(highest(maps.probability)).toBeLessThan(0.9);
    // wherever the trilinear map reads the spike at PEAKS_FROM or more, the lesion filter sees it whole
    let wrong = 0;
    maps.probability.forEach((p, v) => { if (p >= PEAKS_FROM && Math.abs(confidence[v] - 66 / 67) > 1e-6) wrong++; });
    expect(wrong).toBe(0);
    expect(maps.peaks!.index.length).toBeGreaterThan(1);
  });
  it("recalibrates by the model's own cut when given one: 0.8 takes 0.8 to 0.5", async () => {
    const placed = await placeCase([flair], 0, brain, dims, { template, engine: engineFor([0, 0, 0.15, 3, -2, 1]) }, 0.8);
    const back = placed.back(new Float32Array(count).fill(0.8));
    let wrong = 0;
    for (let v = 0; v < count; v++) if (brain[v] ? Math.abs(back[v] - 0.5) > 1e-7 : back[v] !== 0) wrong++;
    expect(wrong).toBe(0);
    expect(movedScanCutOf({ movedScanCut: { cut: 0.8, chosenBy: 'test' } })).toBe(0.8);
    expect(movedScanCutOf({})).toBe(MOVED_SCAN_CUT);
    // a cut outside (0, 1) in a model's metadata is not used
    expect(movedScanCutOf({ movedScanCut: { cut: 1, chosenBy: 'test' } })).toBe(MOVED_SCAN_CUT);
  });
  it('recalibrateOdds takes the cut to 0.5, keeps 0, 1 and the order', () => {
    expect(MOVED_SCAN_CUT).toBe(0.6);
    expect(recalibrateOdds(0.6, 0.6)).toBeCloseTo(0.5, 12);
    expect(recalibrateOdds(0.8, 0.6)).toBeCloseTo(8 / 11, 12); // odds 4 -> 8/3
    expect([recalibrateOdds(0, 0.6), recalibrateOdds(1, 0.6)]).toEqual([0, 1]);
    const xs = [0.01, 0.2, 0.5, 0.55, 0.9, 0.999];
    const ys = xs.map((x) => recalibrateOdds(x, 0.6));
    ys.forEach((y, n) => { expect(y).toBeLessThan(xs[n]); if (n > 0) expect(y).toBeGreaterThan(ys[n - 1]); });
  });
  it('uses the case as it is when the transform is within 1 degree and 1 mm of none', async () => {
    const placed = await placeCase([flair], 0, brain, dims, { template, engine: engineFor([0.005, 0, 0, 0.3, 0, 0]) });
    expect(placed.placement?.moved).toBe(false);
    expect(placed.channels[0]).toBe(flair);
    const map = new Float32Array(count).fill(0.55);
    expect(placed.back(map)).toBe(map); // not moved: the map is the model's, unrecalibrated
    expect(placed.peakBack).toBeNull(); // and the filter reads the map itself
    const maps = mapsOnScan(placed, map, identityGrid(dims), brain);
    expect(maps.probability).toBe(map);
    expect(maps.peaks).toBeNull();
    expect(describePlacement(placed)).toMatch(/within 1° and 1 mm of the template, so the scan was used as it is/);
  });
  it('recalibrates an interpolated FLAIR used as it is, with a warning; a sharp one keeps its map; resampled axes are not judged', async () => {
    let seed = 7;
    const sharp = Float32Array.from(brain, (b) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return b ? 1 + seed / 2 ** 31 : 0; });
    // [1 2 1] / 4 along every axis: fine-texture ratio 1.5 in the brain's inside (tests/core/scan-checks.test.ts)
    let smooth = sharp;
    for (const s of [1, 120, 120 * 124]) smooth = Float32Array.from(smooth, (x, v) => (brain[v] ? (smooth[v - s] + 2 * x + smooth[v + s]) / 4 : 0));
    const identity = { template, engine: engineFor([0, 0, 0, 0, 0, 0]) };
    const map = new Float32Array(count).fill(0.625);
    const asIs = await placeCase([sharp], 0, brain, dims, identity);
    expect(asIs.placement?.moved).toBe(false);
    expect(asIs.back(map)).toBe(map);
    expect(asIs.warnings.some((w) => /interpolated/.test(w))).toBe(false);
    const smoothed = await placeCase([smooth], 0, brain, dims, identity);
    expect(smoothed.placement?.moved).toBe(false);
    expect(smoothed.warnings.find((w) => /interpolated/.test(w))).toMatch(/^the FLAIR looks interpolated.*its map was recalibrated/);
    // the moved scans' recalibration: 0.625 (odds 5/3) -> odds 10/9 = 10/19 in the brain, 0 outside; the map given stays
    const back = smoothed.back(map);
    let wrong = 0;
    for (let v = 0; v < count; v++) if (brain[v] ? Math.abs(back[v] - 10 / 19) > 1e-7 : back[v] !== 0) wrong++;
    expect(wrong).toBe(0);
    expect(map[0]).toBe(0.625);
    expect(smoothed.peakBack).toBeNull();
    // registration off: the warning, the map as the model gave it
    const off = await placeCase([smooth], 0, brain, dims, null);
    expect(off.back(map)).toBe(map);
    expect(off.warnings.find((w) => /interpolated/.test(w))).toMatch(/raise the threshold/);
    // a scan the model grid resampled (thick slices, other voxel sizes) is smoothed by that: not judged
    const ours = await placeCase([smooth], 0, brain, dims, identity, MOVED_SCAN_CUT, finer);
    expect(ours.back(map)).toBe(map);
    expect(ours.warnings.some((w) => /interpolated/.test(w))).toBe(false);
  });
  it('recalibrates the map of a scan the model grid interpolated, registered or not, a crop too, by a cut that rises with the voxels', async () => {
    const map = new Float32Array(count).fill(0.625);
    const identity = { template, engine: engineFor([0, 0, 0, 0, 0, 0]) };
    const slices = (mm: number) => ({ ...thick, spacingMm: [1, 1, mm] as Vec3 });
    // the cut by the longest voxel side: 0.5 at 1 mm, 0.6 from 1.5 to 3 mm, 0.8 at 5 mm and beyond
    expect([1, 1.25, 1.5, 2, 3, 4, 5, 8].map((mm) => Number(coarseScanCut(mm).toFixed(9)))).toEqual([0.5, 0.55, 0.6, 0.6, 0.6, 0.7, 0.8, 0.8]);
    expect([Number(coarseScanCut(3, 0.8).toFixed(9)), Number(coarseScanCut(5, 0.7).toFixed(9)), Number(coarseScanCut(9, 0.9).toFixed(9))]).toEqual([0.8, 0.9, 0.95]);
    // 0.625 is odds 5/3: divided by 0.55/0.45 it is 15/11 (15/26), by 0.6/0.4 10/9 (10/19), by 0.7/0.3 5/7 (5/12), by 0.8/0.2 5/12 (5/17)
    const cases = [
      [await placeCase([flair], 0, brain, dims, identity, MOVED_SCAN_CUT, thick), 10 / 19],
      [await placeCase([flair], 0, brain, dims, null, MOVED_SCAN_CUT, thick), 10 / 19],
      [await placeCase([flair], 0, brain, dims, identity, 0.8, thick), 5 / 17],
      [await placeCase([flair], 0, brain, dims, null, MOVED_SCAN_CUT, slices(1.25)), 15 / 26],
      [await placeCase([flair], 0, brain, dims, null, MOVED_SCAN_CUT, slices(4)), 5 / 12],
      [await placeCase([flair], 0, brain, dims, identity, MOVED_SCAN_CUT, slices(5)), 5 / 17],
      [await placeCase([flair], 0, brain, dims, null, MOVED_SCAN_CUT, slices(8)), 5 / 17],
    ] as const;
    for (const [placed, expected] of cases) {
      expect(placed.warnings.some((w) => /interpolated/.test(w))).toBe(false);
      const back = placed.back(map);
      let wrong = 0;
      for (let v = 0; v < count; v++) if (brain[v] ? Math.abs(back[v] - expected) > 1e-7 : back[v] !== 0) wrong++;
      expect(wrong).toBe(0);
    }
    expect(map[0]).toBe(0.625);
    const cropDims: Vec3 = [64, 64, 64];
    const cropBrain = new Uint8Array(64 ** 3).fill(1);
    cropBrain[0] = 0;
    const thickCrop = await placeCase([new Float32Array(64 ** 3)], 0, cropBrain, cropDims, identity, MOVED_SCAN_CUT, { ...thick, dims: cropDims, scanDims: [64, 64, 22] });
    const back = thickCrop.back(new Float32Array(64 ** 3).fill(0.625));
    expect([back[0], back[1], back[64 ** 3 - 1]]).toEqual([0, Math.fround(10 / 19), Math.fround(10 / 19)]);
    // the map of a scan on its own grid, or resampled from finer voxels, stays as the model gave it
    expect((await placeCase([flair], 0, brain, dims, null, MOVED_SCAN_CUT, finer)).back(map)).toBe(map);
    expect((await placeCase([flair], 0, brain, dims, identity)).back(map)).toBe(map);
  });
  it('segments as it lies, with a warning, when the engine fails; a crop and registration off are not registered', async () => {
    const failing: RegistrationEngine = async () => { throw new Error('out of memory'); };
    const failed = await placeCase([flair], 0, brain, dims, { template, engine: failing });
    expect(failed.placement).toBeNull();
    expect(failed.warnings[0]).toMatch(/^the registration to the template failed: out of memory; the scan was segmented as it lies/);
    const crop = await placeCase([new Float32Array(64 ** 3)], 0, new Uint8Array(64 ** 3), [64, 64, 64], { template, engine: failing });
    expect(describePlacement(crop)).toMatch(/^not registered \(the scan covers 64 x 64 x 64 mm, a crop/);
    expect(describePlacement(await placeCase([flair], 0, brain, dims, null))).toBe('not registered (registration off)');
  });
});
