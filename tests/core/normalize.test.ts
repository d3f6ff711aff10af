import { describe, it, expect } from 'vitest';
import { brainMaskFrom, zscoreInBrain } from '../../src/core/normalize.ts';
import type { Volume } from '../../src/core/types.ts';

function volumeOf(values: number[]): Volume {
  return {
    dims: [values.length, 1, 1],
    spacingMm: [1, 1, 1],
    affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
    data: Float32Array.from(values),
    dataType: 'float32',
  };
}

describe('brainMaskFrom', () => {
  it('marks voxels above the threshold (0 by default); NaN is outside', () => {
    const v = volumeOf([0, -1, 0.5, 3, NaN, 10]);
    expect(Array.from(brainMaskFrom(v))).toEqual([0, 0, 1, 1, 0, 1]);
    expect(Array.from(brainMaskFrom(v, 2))).toEqual([0, 0, 0, 1, 0, 1]);
  });
});

describe('zscoreInBrain', () => {
  it('matches a hand computation over the brain and is 0 outside', () => {
    // brain values 1, 2, 3, 6: mean 3, population variance (4 + 1 + 0 + 9) / 4 = 3.5
    const v = volumeOf([0, 1, 2, 0, 3, 6]);
    const sd = Math.sqrt(3.5);
    const expected = [0, (1 - 3) / sd, (2 - 3) / sd, 0, 0, 3 / sd];
    const z = zscoreInBrain(v, brainMaskFrom(v));
    expect(z).toBeInstanceOf(Float32Array);
    z.forEach((x, i) => expect(x).toBeCloseTo(expected[i], 6));
  });

  it('uses the given mask, not the intensities', () => {
    // brain = voxels 0 and 1 (values 0 and 4): mean 2, sd 2
    const z = zscoreInBrain(volumeOf([0, 4, 100]), new Uint8Array([1, 1, 0]));
    expect(Array.from(z)).toEqual([-1, 1, 0]);
  });

  it('throws for an empty brain, a constant brain, NaN inside, and a size mismatch', () => {
    expect(() => zscoreInBrain(volumeOf([0, 0, 0]), new Uint8Array(3), 'FLAIR')).toThrow(/^empty brain: no brain voxel in FLAIR/);
    expect(() => zscoreInBrain(volumeOf([5, 5, 0]), new Uint8Array([1, 1, 0]), 'FLAIR')).toThrow('FLAIR is constant inside the brain (sd 0)');
    expect(() => zscoreInBrain(volumeOf([5, NaN, 1]), new Uint8Array([1, 1, 1]), 'T1')).toThrow(/^T1 has NaN\/Inf voxels inside the brain/);
    expect(() => zscoreInBrain(volumeOf([1, 2]), new Uint8Array(3))).toThrow('brain mask has 3 voxels but image has 2');
  });
});
