import { describe, expect, it } from 'vitest';
import { lesionMetrics } from '../../src/core/lesion-metrics.ts';
import type { Vec3 } from '../../src/core/types.ts';

const dims: Vec3 = [10, 10, 3];
const at = (i: number, j: number, k: number): number => i + 10 * (j + 10 * k);

function mask(voxels: Array<[number, number, number]>): Uint8Array {
  const m = new Uint8Array(300);
  for (const [i, j, k] of voxels) m[at(i, j, k)] = 1;
  return m;
}

describe('lesionMetrics', () => {
  it('matches a hand example', () => {
    // truth: lesion T1 (2 voxels at rows 0), T2 (1 voxel), T3 (3 voxels, diagonal => one 26-lesion)
    const truth = mask([
      [0, 0, 0], [1, 0, 0],
      [5, 5, 1],
      [8, 8, 0], [9, 9, 1], [8, 9, 2],
    ]);
    // pred: P1 overlaps T1 by one voxel and extends; P2 touches nothing; P3 overlaps T3; T2 missed.
    const pred = mask([
      [1, 0, 0], [2, 0, 0],
      [0, 5, 2],
      [9, 9, 1],
    ]);
    const m = lesionMetrics({ pred, truth, dims, spacingMm: [1, 2, 0.5] });
    expect(m.lesionCountTruth).toBe(3);
    expect(m.lesionCountPred).toBe(3);
    expect(m.lesionTPR).toBeCloseTo(2 / 3, 12);
    expect(m.lesionFPR).toBeCloseTo(1 / 3, 12);
    expect(m.volumeTruthMl).toBeCloseTo(6 * 1e-3, 12);
    expect(m.volumePredMl).toBeCloseTo(4 * 1e-3, 12);
  });

  it('counts diagonal voxels as separate lesions with 6-connectivity', () => {
    const truth = mask([[8, 8, 0], [9, 9, 1]]);
    expect(lesionMetrics({ pred: truth, truth, dims, spacingMm: [1, 1, 1] }).lesionCountTruth).toBe(1);
    expect(lesionMetrics({ pred: truth, truth, dims, spacingMm: [1, 1, 1], connectivity: 6 }).lesionCountTruth).toBe(2);
  });

  it('uses the documented 0/0 convention', () => {
    const empty = new Uint8Array(300);
    const one = mask([[3, 3, 1]]);
    expect(lesionMetrics({ pred: empty, truth: empty, dims, spacingMm: [1, 1, 1] })).toMatchObject({
      lesionTPR: 1,
      lesionFPR: 0,
      lesionCountPred: 0,
      lesionCountTruth: 0,
      volumePredMl: 0,
    });
    expect(lesionMetrics({ pred: one, truth: empty, dims, spacingMm: [1, 1, 1] })).toMatchObject({
      lesionTPR: 0,
      lesionFPR: 1,
    });
    expect(lesionMetrics({ pred: empty, truth: one, dims, spacingMm: [1, 1, 1] })).toMatchObject({
      lesionTPR: 0,
      lesionFPR: 0,
    });
  });

  it('throws when pred and truth differ in size', () => {
    expect(() => lesionMetrics({ pred: new Uint8Array(3), truth: new Uint8Array(300), dims, spacingMm: [1, 1, 1] })).toThrow(
      /same grid/,
    );
  });
});
