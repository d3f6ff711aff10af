import { describe, expect, it } from 'vitest';
import { readNifti, writeNifti } from '../../src/core/nifti-io.ts';
import { thickSliceScan } from '../../src/core/thick-slice-scan.ts';
import type { Affine, Vec3, Volume } from '../../src/core/types.ts';

function volumeOf(dims: Vec3, affine: Affine, value: (i: number, j: number, k: number) => number): Volume {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) data[i + dims[0] * (j + dims[1] * k)] = value(i, j, k);
  return { dims, spacingMm: [1, 1, 1], affine, data, dataType: 'float32' };
}

const at = (v: Volume, i: number, j: number, k: number) => v.data[i + v.dims[0] * (j + v.dims[1] * k)];
const world = (a: Affine, ijk: readonly number[]) => [0, 1, 2].map((r) => a[r][0] * ijk[0] + a[r][1] * ijk[1] + a[r][2] * ijk[2] + a[r][3]);
const LAS: Affine = [[-1, 0, 0, 90], [0, 1, 0, -126], [0, 0, 1, -72], [0, 0, 0, 1]];

describe('thickSliceScan', () => {
  it('averages each run of slices along the axis and drops a short last run', () => {
    // 7 slices of thickness 3: slices (0,1,2) and (3,4,5) are kept, slice 6 dropped
    const v = volumeOf([2, 3, 7], LAS, (i, j, k) => 100 * i + 10 * j + k);
    const thick = thickSliceScan(v, 2, 3, false);
    expect(thick.dims).toEqual([2, 3, 2]);
    expect(thick.spacingMm).toEqual([1, 1, 3]);
    expect(at(thick, 1, 2, 0)).toBeCloseTo(100 + 20 + 1, 5); // mean of k = 0, 1, 2
    expect(at(thick, 0, 1, 1)).toBeCloseTo(10 + 4, 5); // mean of k = 3, 4, 5
  });

  it('works along the first axis too', () => {
    const v = volumeOf([4, 2, 2], LAS, (i, j, k) => [2, 4, 10, 30][i] + j + 5 * k);
    const thick = thickSliceScan(v, 0, 2, false);
    expect(thick.dims).toEqual([2, 2, 2]);
    expect(at(thick, 0, 1, 1)).toBeCloseTo(3 + 1 + 5, 5);
    expect(at(thick, 1, 0, 0)).toBeCloseTo(20, 5);
  });

  it('marks a mask voxel where at least half the slices it covers are lesion', () => {
    const lesionSlices = [1, 1, 0, 1, 0, 0]; // thickness 3: 2 of 3 -> lesion, 1 of 3 -> not
    const v = volumeOf([1, 1, 6], LAS, (_i, _j, k) => lesionSlices[k]);
    expect(Array.from(thickSliceScan(v, 2, 3, true).data)).toEqual([1, 0]);
    const pairs = volumeOf([1, 1, 6], LAS, (_i, _j, k) => [1, 0, 0, 0, 1, 1][k]); // thickness 2: 1 of 2 counts
    expect(Array.from(thickSliceScan(pairs, 2, 2, true).data)).toEqual([1, 0, 1]);
    expect(thickSliceScan(v, 2, 3, true).dataType).toBe('uint8');
  });

  it('puts each thick voxel at the mean position of the voxels it averages, for any affine', () => {
    const oblique: Affine = [[0, 0.9, 0.2, 10], [-1.1, 0, 0.1, -20], [0.05, -0.3, 1.2, 5], [0, 0, 0, 1]];
    for (const axis of [0, 1, 2] as const) {
      const v = volumeOf([6, 7, 8], oblique, () => 1);
      const thick = thickSliceScan(v, axis, 3, false);
      const ijk = [1, 1, 1];
      const sources = [0, 1, 2].map((s) => ijk.map((x, a) => (a === axis ? 3 * x + s : x)));
      const mean = [0, 1, 2].map((r) => sources.reduce((sum, src) => sum + world(oblique, src)[r], 0) / 3);
      world(thick.affine, ijk).forEach((x, r) => expect(x).toBeCloseTo(mean[r], 10));
    }
  });

  it('writes a file whose header carries the thick grid', () => {
    const v = volumeOf([4, 4, 9], LAS, (i) => i);
    const back = readNifti(writeNifti(thickSliceScan(v, 2, 3, false), 'float32', { gzip: true }));
    expect(back.dims).toEqual([4, 4, 3]);
    expect(back.spacingMm).toEqual([1, 1, 3]);
    expect(back.affine[2][2]).toBeCloseTo(3, 6);
    expect(back.affine[2][3]).toBeCloseTo(-72 + 1, 6);
  });

  it('makes fractional slices from the part of each 1 mm slice they cover', () => {
    // 1.5 mm: thick slice g covers source slices [1.5 g, 1.5 g + 1.5), so 0 = all of 0 and half of 1,
    // 1 = half of 1 and all of 2, ...; 7 slices give 4 (the fifth would run past the scan)
    const v = volumeOf([1, 1, 7], LAS, (_i, _j, k) => [0, 3, 6, 9, 12, 15, 18][k]);
    const thick = thickSliceScan(v, 2, 1.5, false);
    expect(thick.dims).toEqual([1, 1, 4]);
    expect(thick.spacingMm).toEqual([1, 1, 1.5]);
    const expected = [(0 + 0.5 * 3) / 1.5, (0.5 * 3 + 6) / 1.5, (9 + 0.5 * 12) / 1.5, (0.5 * 12 + 15) / 1.5];
    expected.forEach((x, g) => expect(thick.data[g]).toBeCloseTo(x, 5));
    // thick slice g is centred at source position 1.5 g + 0.25 (it spans 1.5 g - 0.5 .. 1.5 g + 1)
    [0, 1, 2, 3].forEach((g) => expect(world(thick.affine, [0, 0, g])[2]).toBeCloseTo(world(LAS, [0, 0, 1.5 * g + 0.25])[2], 10));
    // a mask: lesion where it covers at least half the thick voxel (1 of 1.5: yes; 0.5 of 1.5: no)
    const mask = volumeOf([1, 1, 6], LAS, (_i, _j, k) => [0, 1, 1, 0, 0, 1][k]);
    expect(Array.from(thickSliceScan(mask, 2, 1.5, true).data)).toEqual([0, 1, 0, 1]);
  });

  it('refuses a thickness under one voxel or longer than the axis', () => {
    const v = volumeOf([2, 2, 2], LAS, () => 0);
    expect(() => thickSliceScan(v, 2, 0.5, false)).toThrow(/at least one voxel/);
    expect(() => thickSliceScan(v, 2, Number.NaN, false)).toThrow(/at least one voxel/);
    expect(() => thickSliceScan(v, 2, 3, false)).toThrow(/fewer than one 3-voxel slice/);
  });
});
