import { describe, expect, it } from 'vitest';
import { filterLesions } from '../../src/core/lesion-filter.ts';
import { lesionTable } from '../../src/core/lesion-table.ts';
import { createRng } from '../../src/core/random.ts';
import type { Vec3 } from '../../src/core/types.ts';
import { PEAKS_FROM, sparsePeaks } from '../../src/core/voxel-peaks.ts';

describe('sparsePeaks', () => {
  it('keeps the voxels whose confidence is above the probability, where the probability reaches the floor', () => {
    const peaks = sparsePeaks(Float32Array.of(0.9, 0.3, 0.005, 0.7, 0.2), Float32Array.of(0.6, 0.3, 0.002, 0.5, 0.25));
    // voxel 1: equal; 2: under the floor; 4: lower than the probability
    expect(Array.from(peaks.index)).toEqual([0, 3]);
    expect(Array.from(peaks.value)).toEqual([Math.fround(0.9), Math.fround(0.7)]);
    expect(() => sparsePeaks(new Float32Array(2), new Float32Array(3))).toThrow(/2 voxels but the probability 3/);
  });

  it('gives the filter and the table the lesions and confidences a dense confidence map gives, at any cut from the floor up', () => {
    const dims: Vec3 = [24, 20, 16];
    const rng = createRng(31);
    // blobs of a smooth-ish map and a confidence at or above it everywhere (as the peak of the voxels trilinear reads is)
    const probability = Float32Array.from({ length: 24 * 20 * 16 }, (_, v) => {
      const i = v % 24; const j = Math.floor(v / 24) % 20; const k = Math.floor(v / 480);
      // blob heights from 0.3 (i = 0) to 0.9 (i = 23)
      return Math.max(0, Math.sin(i / 2.1) * Math.sin(j / 1.7) * Math.sin(k / 1.3)) * (0.3 + (0.6 * i) / 23) * (0.8 + 0.2 * rng());
    });
    const confidence = Float32Array.from(probability, (p) => Math.min(1, p * (1 + 0.3 * rng())));
    const peaks = sparsePeaks(confidence, probability);
    expect(peaks.index.length).toBeGreaterThan(0);
    expect(peaks.index.length).toBeLessThan(probability.length);
    const rule = { minLesionMm3: 2, minConfidence: 0.7 };
    let rescued = 0;
    for (const cut of [PEAKS_FROM, 0.2, 0.3]) {
      const mask = Uint8Array.from(probability, (p) => (p >= cut ? 1 : 0));
      const dense = filterLesions(mask, confidence, dims, [1, 1, 1], rule);
      const sparse = filterLesions(mask, probability, dims, [1, 1, 1], rule, peaks);
      expect(Array.from(sparse.keep)).toEqual(Array.from(dense.keep));
      expect(sparse.stats.map((s) => s.confidence)).toEqual(dense.stats.map((s) => s.confidence));
      // the peaks keep lesions the probability alone would not
      rescued += filterLesions(mask, probability, dims, [1, 1, 1], rule).keep.filter((k, l) => l > 0 && k === 0 && sparse.keep[l] === 1).length;
      const table = lesionTable(sparse.mask, dims, [1, 1, 1], { probability, peaks });
      expect(table.rows.map((r) => r.confidence)).toEqual(lesionTable(dense.mask, dims, [1, 1, 1], { probability: confidence }).rows.map((r) => r.confidence));
    }
    expect(rescued).toBeGreaterThan(0);
  });
});
