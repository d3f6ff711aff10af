import { describe, it, expect } from 'vitest';
import type { Affine, Vec3, Volume } from '../../src/core/types.ts';
import { assertSameGrid, maskLike, referenceLesions, sameGrid, voxelCount, voxelIndex, voxelVolumeMl } from '../../src/core/volume.ts';

const affine: Affine = [
  [-1, 0, 0, 90],
  [0, 1, 0, -126],
  [0, 0, 3, -72],
  [0, 0, 0, 1],
];

function volume(dims: Vec3 = [4, 3, 2], a: Affine = affine): Volume {
  const header = new Uint8Array(348);
  return { dims, spacingMm: [1, 1, 3], affine: a, data: new Float32Array(voxelCount(dims)), dataType: 'float32', sourceHeader: header };
}

function shifted(dx: number): Affine {
  return affine.map((row, r) => row.map((x, c) => (r === 0 && c === 3 ? x + dx : x)));
}

describe('voxelCount and voxelIndex', () => {
  it('counts voxels and indexes with i fastest', () => {
    expect(voxelCount([4, 3, 2])).toBe(24);
    expect(voxelIndex([4, 3, 2], 0, 0, 0)).toBe(0);
    expect(voxelIndex([4, 3, 2], 1, 0, 0)).toBe(1);
    expect(voxelIndex([4, 3, 2], 0, 1, 0)).toBe(4);
    expect(voxelIndex([4, 3, 2], 0, 0, 1)).toBe(12);
    expect(voxelIndex([4, 3, 2], 1, 2, 1)).toBe(21);
    expect(voxelIndex([4, 3, 2], 3, 2, 1)).toBe(23);
  });
});

describe('sameGrid', () => {
  it('is true for equal dims and affines within the tolerance', () => {
    expect(sameGrid(volume(), volume())).toBe(true);
    expect(sameGrid(volume(), volume([4, 3, 2], shifted(5e-4)))).toBe(true);
  });

  it('is false when dims or affines differ', () => {
    expect(sameGrid(volume(), volume([4, 3, 3]))).toBe(false);
    expect(sameGrid(volume(), volume([4, 3, 2], shifted(2e-3)))).toBe(false);
    expect(sameGrid(volume(), volume([4, 3, 2], shifted(2e-3)), 1e-2)).toBe(true);
  });
});

describe('assertSameGrid', () => {
  it('passes for volumes on one grid', () => {
    expect(() => assertSameGrid([{ name: 'FLAIR.nii.gz', volume: volume() }, { name: 'T1.nii.gz', volume: volume() }])).not.toThrow();
  });

  it('names both files and their dims', () => {
    const volumes = [
      { name: 'FLAIR.nii.gz', volume: volume() },
      { name: 'T1.nii.gz', volume: volume() },
      { name: 'T2.nii.gz', volume: volume([4, 3, 5]) },
    ];
    expect(() => assertSameGrid(volumes)).toThrow(
      'FLAIR.nii.gz (4x3x2) and T2.nii.gz (4x3x5) are not on the same voxel grid: their dimensions differ',
    );
  });

  it('reports how far the affines differ', () => {
    const volumes = [{ name: 'a.nii', volume: volume() }, { name: 'b.nii', volume: volume([4, 3, 2], shifted(0.5)) }];
    expect(() => assertSameGrid(volumes)).toThrow(/a\.nii \(4x3x2\) and b\.nii \(4x3x2\) .*affines differ by up to 0\.500 mm/);
  });
});

describe('voxelVolumeMl', () => {
  it('is mm^3 / 1000', () => {
    expect(voxelVolumeMl([1, 1, 1])).toBe(0.001);
    expect(voxelVolumeMl([0.5, 2, 3])).toBeCloseTo(0.003, 12);
  });
});

describe('maskLike', () => {
  it('makes a uint8 volume on the same grid from a Uint8Array, sharing the header', () => {
    const source = volume();
    const mask = new Uint8Array(24);
    mask[5] = 1;
    const out = maskLike(source, mask);
    expect(out.dataType).toBe('uint8');
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(out.data[5]).toBe(1);
    expect(out.dims).toEqual(source.dims);
    expect(out.affine).toBe(source.affine);
    expect(out.sourceHeader).toBe(source.sourceHeader);
    expect(sameGrid(out, source)).toBe(true);
  });

  it('keeps a Float32Array as float32 data', () => {
    const prob = new Float32Array(24).fill(0.25);
    const out = maskLike(volume(), prob);
    expect([out.dataType, out.data]).toEqual(['float32', prob]);
  });

  it('rejects data of the wrong size', () => {
    expect(() => maskLike(volume(), new Uint8Array(23))).toThrow('mask has 23 voxels but the volume 4x3x2 has 24');
  });
});

describe('referenceLesions', () => {
  it('keeps binary and labelled masks and cuts an interpolated mask at one half', () => {
    expect(Array.from(referenceLesions(new Float32Array([0, 1, 255, 4, 2])))).toEqual([0, 1, 1, 1, 1]);
    // a lesion resampled linearly: its core above one half, its blurred rim below
    expect(Array.from(referenceLesions(new Float32Array([0, 0.1, 0.49, 0.5, 0.51, 0.9, 1])))).toEqual([0, 0, 0, 0, 1, 1, 1]);
  });
});
