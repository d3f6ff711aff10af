import { describe, it, expect } from 'vitest';
import { brainMaskFrom, skullStripNote, zscoreInBrain } from '../../src/core/normalize.ts';
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

describe('skullStripNote', () => {
  /** A brain mask of `dims` whose first `fraction` of voxels are brain. */
  const maskOf = (dims: [number, number, number], fraction: number) => {
    const brain = new Uint8Array(dims[0] * dims[1] * dims[2]);
    brain.fill(1, 0, Math.round(fraction * brain.length));
    return brain;
  };

  it('flags a whole-head view that is almost all above 0, and only that', () => {
    // a raw head: 256 x 256 x 150 mm at 2 mm, 97% above 0 (noise background)
    expect(skullStripNote(maskOf([128, 128, 75], 0.97), [128, 128, 75], [2, 2, 2])).toMatch(/^FLAIR is above 0 in 97% of its 256 x 256 x 150 mm field of view, so it does not look skull-stripped/);
    // a stripped brain on the MNI grid (16% of the view), even cropped close (65%)
    expect(skullStripNote(maskOf([182, 218, 182], 0.16), [182, 218, 182], [1, 1, 1])).toBeNull();
    expect(skullStripNote(maskOf([140, 170, 130], 0.65), [140, 170, 130], [1, 1, 1])).toBeNull();
    // a 64^3 crop inside the brain is all brain, but not a whole head
    expect(skullStripNote(maskOf([64, 64, 64], 1), [64, 64, 64], [1, 1, 1])).toBeNull();
  });
});
