import { describe, expect, it } from 'vitest';
import { labelComponents } from '../../src/core/components.ts';
import { brainMaskFrom, zscoreInBrain } from '../../src/core/normalize.ts';
import { generatePhantom, mniLikeAffine } from '../../src/core/phantom.ts';
import type { Vec3 } from '../../src/core/types.ts';

const DIMS: Vec3 = [64, 76, 64];
const phantom = generatePhantom({ dims: DIMS, seed: 7, lesionCount: 9 });

/** Mean of `values` over voxels of tissue class `tissue`. */
function meanOver(values: Float32Array, tissue: number): number {
  let sum = 0;
  let n = 0;
  for (let v = 0; v < values.length; v++) {
    if (phantom.tissue[v] === tissue) {
      sum += values[v];
      n++;
    }
  }
  return sum / n;
}

describe('generatePhantom', () => {
  it('makes co-registered 1 mm volumes in an MNI-like orientation', () => {
    for (const volume of [phantom.flair, phantom.t1, phantom.t2, phantom.mask]) {
      expect(volume.dims).toEqual(DIMS);
      expect(volume.spacingMm).toEqual([1, 1, 1]);
      expect(volume.affine).toEqual(mniLikeAffine(DIMS));
      expect(volume.data.length).toBe(64 * 76 * 64);
    }
    // x flipped as in MNI152; the grid centre maps to the origin
    expect(mniLikeAffine([5, 7, 9])).toEqual([[-1, 0, 0, 2], [0, 1, 0, -3], [0, 0, 1, -4], [0, 0, 0, 1]]);
  });

  it('is skull-stripped: every scan is > 0 exactly inside the brain', () => {
    for (const scan of [phantom.flair, phantom.t1, phantom.t2]) {
      let wrong = 0;
      for (let v = 0; v < scan.data.length; v++) if ((scan.data[v] > 0) !== (phantom.tissue[v] !== 0)) wrong++;
      expect(wrong).toBe(0);
    }
    const brain = brainMaskFrom(phantom.flair).reduce((s, x) => s + x, 0);
    expect(brain / phantom.flair.data.length).toBeGreaterThan(0.25);
    expect(brain / phantom.flair.data.length).toBeLessThan(0.5);
  });

  it('has a 0/1 mask of separate lesions inside white matter, 0.2-5% of the brain', () => {
    const { count, labels } = labelComponents(phantom.mask.data, DIMS, 26);
    expect(count).toBe(9);
    expect(phantom.lesions).toHaveLength(9);
    let lesionVoxels = 0;
    let brain = 0;
    let wrong = 0;
    for (let v = 0; v < labels.length; v++) {
      const m = phantom.mask.data[v];
      if ((m !== 0 && m !== 1) || (m === 1) !== (phantom.tissue[v] === 5)) wrong++;
      lesionVoxels += m;
      if (phantom.tissue[v] !== 0) brain++;
    }
    expect(wrong).toBe(0);
    expect(lesionVoxels / brain).toBeGreaterThan(0.002);
    expect(lesionVoxels / brain).toBeLessThan(0.05);
    expect(phantom.lesions.filter((l) => l.kind === 'periventricular').length).toBeGreaterThanOrEqual(6);
  });

  it('gives tissue contrasts like real z-scored MNI scans (docs/method.md section 6)', () => {
    const brain = brainMaskFrom(phantom.flair);
    const flair = zscoreInBrain(phantom.flair, brain);
    const t1 = zscoreInBrain(phantom.t1, brain);
    const t2 = zscoreInBrain(phantom.t2, brain);
    const [csf, gm, wm, lesion] = [1, 2, 3, 5];
    // FLAIR (real: CSF -1.3..-1.5, WM 0.0..0.3, GM 0.4..0.5, lesion 1.3..1.55): lesions bright, CSF dark
    expect(meanOver(flair, csf)).toBeLessThan(-1);
    expect(meanOver(flair, gm)).toBeGreaterThan(meanOver(flair, wm));
    expect(meanOver(flair, lesion) - meanOver(flair, wm)).toBeGreaterThan(1);
    expect(meanOver(flair, lesion)).toBeLessThan(3);
    // T1 (real: CSF -1.5..-2, GM -0.1..-0.3, WM ~0.8, lesion ~0): WM > GM > CSF, lesions darker than WM
    expect(meanOver(t1, wm)).toBeGreaterThan(meanOver(t1, gm));
    expect(meanOver(t1, gm)).toBeGreaterThan(meanOver(t1, csf));
    expect(meanOver(t1, lesion)).toBeLessThan(meanOver(t1, wm) - 0.3);
    // T2 (real: CSF 1.1..1.3, WM -0.5..-0.6, lesion 0.6..0.7): CSF and lesions bright
    expect(meanOver(t2, csf)).toBeGreaterThan(1);
    expect(meanOver(t2, lesion) - meanOver(t2, wm)).toBeGreaterThan(0.8);
  });

  it('is reproducible from its seed and varies with it', () => {
    const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((x, i) => x === b[i]);
    const again = generatePhantom({ dims: DIMS, seed: 7, lesionCount: 9 });
    expect(same(again.flair.data, phantom.flair.data)).toBe(true);
    expect(same(again.mask.data, phantom.mask.data)).toBe(true);
    const other = generatePhantom({ dims: DIMS, seed: 8, lesionCount: 9 });
    expect(same(other.mask.data, phantom.mask.data)).toBe(false);
  });

  it('scales to small and large grids', () => {
    const small = generatePhantom({ dims: [32, 32, 32], seed: 1, lesionCount: 4 });
    expect(labelComponents(small.mask.data, [32, 32, 32], 26).count).toBe(4);
    expect(() => generatePhantom({ dims: [20, 64, 64] })).toThrow(/at least 24/);
  });
});
