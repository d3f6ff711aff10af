import { describe, expect, it } from 'vitest';
import { lesionTable } from '../../src/core/lesion-table.ts';
import { lesionMetrics } from '../../src/core/lesion-metrics.ts';
import type { Vec3 } from '../../src/core/types.ts';

describe('lesionTable', () => {
  it('lists components largest first with volumes and centroids', () => {
    const dims: Vec3 = [5, 4, 3];
    const mask = new Uint8Array(60);
    const at = (i: number, j: number, k: number) => i + 5 * (j + 4 * k);
    // lesion A: 1 voxel at (0, 0, 0); lesion B: 3 voxels along k at (4, 3, 0..2)
    mask[at(0, 0, 0)] = 1;
    for (let k = 0; k < 3; k++) mask[at(4, 3, k)] = 1;
    const table = lesionTable(mask, dims, [1, 2, 0.5]);
    expect(table.count).toBe(2);
    expect(table.totalVoxels).toBe(4);
    expect(table.totalVolumeMl).toBeCloseTo(4 * 0.001, 12);
    expect(table.rows.map((r) => r.voxels)).toEqual([3, 1]);
    expect(table.rows[0].centroidVox).toEqual([4, 3, 1]);
    expect(table.rows[0].volumeMl).toBeCloseTo(0.003, 12);
    expect(table.rows[1].centroidVox).toEqual([0, 0, 0]);
  });

  it('joins corner neighbours with 26-connectivity but not with 6', () => {
    const mask = new Uint8Array(8);
    mask[0] = 1;
    mask[7] = 1;
    expect(lesionTable(mask, [2, 2, 2], [1, 1, 1]).count).toBe(1);
    expect(lesionTable(mask, [2, 2, 2], [1, 1, 1], { connectivity: 6 }).count).toBe(2);
    expect(lesionTable(mask, [2, 2, 2], [1, 1, 1]).rows[0].centroidVox).toEqual([0.5, 0.5, 0.5]);
  });

  it('gives an empty table for an empty mask', () => {
    const table = lesionTable(new Uint8Array(27), [3, 3, 3], [1, 1, 1]);
    expect(table).toEqual({ rows: [], count: 0, totalVoxels: 0, totalVolumeMl: 0 });
  });
});

describe('lesionTable with a reference', () => {
  it('marks each lesion found or false and lists the reference lesions it misses, consistent with the lesion-wise rates', () => {
    // a 10x1x1 line: mask lesions at 0-1, 4 and 8; reference lesions at 1-2, 6 and 8-9
    const mask = Uint8Array.of(1, 1, 0, 0, 1, 0, 0, 0, 1, 0);
    const reference = Uint8Array.of(0, 1, 1, 0, 0, 0, 1, 0, 1, 1);
    const table = lesionTable(mask, [10, 1, 1], [1, 1, 1], { reference });
    expect(table.rows.map((r) => [r.centroidVox[0], r.inReference])).toEqual([[0.5, true], [4, false], [8, true]]);
    expect(table.missed?.map((r) => [r.centroidVox[0], r.voxels])).toEqual([[6, 1]]);
    // the same masks' lesion-wise scores: TPR 2/3 (one reference lesion missed), FPR 1/3 (one false lesion)
    const scores = lesionMetrics({ pred: mask, truth: reference, dims: [10, 1, 1], spacingMm: [1, 1, 1] });
    expect(1 - scores.lesionTPR).toBeCloseTo(table.missed!.length / scores.lesionCountTruth, 12);
    expect(scores.lesionFPR).toBeCloseTo(table.rows.filter((r) => !r.inReference).length / table.count, 12);
    // without a reference the rows carry no verdict
    expect(lesionTable(mask, [10, 1, 1], [1, 1, 1]).rows.every((r) => r.inReference === undefined)).toBe(true);
    expect(() => lesionTable(mask, [10, 1, 1], [1, 1, 1], { reference: new Uint8Array(9) })).toThrow(/same grid/);
  });
});
