import { describe, expect, it } from 'vitest';
import { moveInArray, parsePerModality, valueFor } from '../../src/core/scan-variants.ts';
import type { Volume } from '../../src/core/types.ts';

/** A 20^3 volume holding a bright ball of radius 6 on 0 (a skull-stripped brain's shape). */
function ball(): Volume {
  const dims: [number, number, number] = [20, 20, 20];
  const data = new Float32Array(8000);
  for (let k = 0, v = 0; k < 20; k++) for (let j = 0; j < 20; j++) for (let i = 0; i < 20; i++, v++) {
    const r = Math.hypot(i - 9.5, j - 9.5, k - 9.5);
    if (r < 6) data[v] = 100 + 10 * Math.sin(i) * Math.cos(j + k);
  }
  return { dims, spacingMm: [1, 1, 1], affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], data, dataType: 'float32' };
}

describe('moveInArray', () => {
  it('a whole-voxel shift moves every voxel exactly, with either kernel', () => {
    const volume = ball();
    for (const kernel of ['linear', 'bspline'] as const) {
      const moved = moveInArray(volume, { rotateDeg: [0, 0, 0], shiftMm: [2, 0, -1] }, false, kernel);
      // content moves by +2 along i and -1 along k: moved(i, j, k) = volume(i - 2, j, k + 1)
      for (const [i, j, k] of [[11, 9, 9], [7, 12, 6], [13, 8, 11]]) {
        expect(moved.data[i + 20 * (j + 20 * k)]).toBeCloseTo(volume.data[i - 2 + 20 * (j + 20 * (k + 1))], 3);
      }
    }
  });

  it('with the B-spline kernel, the background stays 0 where trilinear reads only 0, and the ball keeps its brightness', () => {
    const volume = ball();
    const move = { rotateDeg: [12, -7, 9] as [number, number, number], shiftMm: [0.4, 1.3, -0.6] as [number, number, number] };
    const linear = moveInArray(volume, move, false);
    const spline = moveInArray(volume, move, false, 'bspline');
    let inside = 0;
    linear.data.forEach((x, v) => {
      if (x === 0) expect(spline.data[v]).toBe(0);
      else inside++;
    });
    expect(inside).toBeGreaterThan(800); // 4/3 pi 6^3 = 905 voxels, and a rim
    const centre = 9 + 20 * (9 + 20 * 9);
    expect(spline.data[centre]).toBeGreaterThan(85);
  });

  it('moves a mask trilinearly and cuts it at 0.5 whatever the kernel asked for the images', () => {
    const volume = ball();
    const mask = { ...volume, data: Float32Array.from(volume.data, (x) => (x > 0 ? 1 : 0)), dataType: 'uint8' as const };
    const move = { rotateDeg: [10, 0, 5] as [number, number, number], shiftMm: [0, 2, 0] as [number, number, number] };
    const a = moveInArray(mask, move, true, 'bspline');
    const b = moveInArray(mask, move, true);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(a.data.every((x) => x === 0 || x === 1)).toBe(true);
  });
});

describe('parsePerModality', () => {
  it('one number applies to every scan; named modalities get their own and the rest the neutral value', () => {
    const one = parsePerModality('3.7', 1, '--scale');
    expect(['flair', 't1', 't2', 't1post', null].map((m) => valueFor(one, m as never))).toEqual([3.7, 3.7, 3.7, 3.7, 3.7]);
    const each = parsePerModality('flair=40, T1=0,t2=-2.5', 0, '--offset');
    expect(valueFor(each, 'flair')).toBe(40);
    expect(valueFor(each, 't1')).toBe(0); // a given 0 is kept, not replaced by the neutral value
    expect(valueFor(each, 't2')).toBe(-2.5);
    expect(valueFor(each, 't1post')).toBe(0);
    expect(valueFor(parsePerModality('t2=4', 1, '--scale'), null)).toBe(1);
  });

  it('refuses what is not a number or a modality, in one line naming the option', () => {
    for (const bad of ['', 'x', 'flair=', 'pd=2', 'flair=2,flair=3', 'flair=1=2', 'flair=abc']) {
      expect(() => parsePerModality(bad, 1, '--scale')).toThrow(/^--scale must be a number or MODALITY=NUMBER/);
    }
  });
});
