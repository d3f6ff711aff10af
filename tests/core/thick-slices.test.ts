import { describe, expect, it } from 'vitest';
import { randomThickSlices, simulateThickSlices, thickSliceAugment } from '../../src/core/thick-slices.ts';
import { createRng } from '../../src/core/random.ts';
import type { Vec3 } from '../../src/core/types.ts';

const SIZE: Vec3 = [12, 7, 5];

function patchOf(f: (i: number, j: number, k: number) => number): Float32Array {
  const out = new Float32Array(SIZE[0] * SIZE[1] * SIZE[2]);
  for (let k = 0; k < SIZE[2]; k++) for (let j = 0; j < SIZE[1]; j++) for (let i = 0; i < SIZE[0]; i++) out[i + SIZE[0] * (j + SIZE[1] * k)] = f(i, j, k);
  return out;
}

const at = (p: Float32Array, i: number, j: number, k: number) => p[i + SIZE[0] * (j + SIZE[1] * k)];

describe('simulateThickSlices', () => {
  it('slices of one voxel centred on the voxels change nothing', () => {
    const rng = createRng(3);
    const patch = patchOf(() => 1 + rng());
    const before = Array.from(patch);
    for (const axis of [0, 1, 2] as const) simulateThickSlices(patch, SIZE, { axis, thickness: 1, phase: 0 });
    expect(Array.from(patch)).toEqual(before);
  });

  it('keeps a linear ramp along the axis at the slice centres and between the inner slices', () => {
    // slices of 3 voxels centred at 1, 4, 7, 10 (phase 1): each covers [c - 1.5, c + 1.5], all inside 0..11;
    // the cubic kernel reproduces a ramp where its four slices exist (voxels 4-7) and returns each centre's own mean
    const patch = patchOf((i, j, k) => 2 + 0.5 * i + j + 10 * k);
    simulateThickSlices(patch, SIZE, { axis: 0, thickness: 3, phase: 1 });
    for (let k = 0; k < SIZE[2]; k++) for (let j = 0; j < SIZE[1]; j++) for (const i of [1, 4, 5, 6, 7, 10]) {
      expect(at(patch, i, j, k)).toBeCloseTo(2 + 0.5 * i + j + 10 * k, 5);
    }
  });

  it('spreads a one-voxel bright plane over the neighbouring slices by hand-computed amounts', () => {
    // along k (5 voxels), slices of 2 voxels centred at 0.5, 2.5 and 4.5 (phase 0.5); the last covers
    // voxel 4 alone (the patch ends at 4.5). Slice means: 0.001, (1 + 0.001) / 2, 0.001.
    const patch = patchOf((_i, _j, k) => (k === 2 ? 1 : 0.001));
    simulateThickSlices(patch, SIZE, { axis: 2, thickness: 2, phase: 0.5 });
    const s = [0.001, 0.5005, 0.001];
    // Keys' kernel (a = -0.5) at distances 0.25, 0.75, 1.25, 1.75: 0.8671875, 0.2265625, -0.0703125, -0.0234375.
    // Voxel 0 lies before the first centre (clamped to it); voxels 1-4 sit at slice coordinates 0.25, 0.75,
    // 1.25, 1.75, whose taps beyond the first or last slice read that slice.
    const expected = [
      s[0],
      (-0.0703125 + 0.8671875) * s[0] + 0.2265625 * s[1] - 0.0234375 * s[2],
      (-0.0234375 + 0.2265625) * s[0] + 0.8671875 * s[1] - 0.0703125 * s[2],
      -0.0703125 * s[0] + 0.8671875 * s[1] + (0.2265625 - 0.0234375) * s[2],
      -0.0234375 * s[0] + 0.2265625 * s[1] + (0.8671875 - 0.0703125) * s[2],
    ];
    for (let k = 0; k < 5; k++) expect(at(patch, 3, 2, k)).toBeCloseTo(expected[k], 6);
  });

  it('leaves a field that is constant along the axis as it was, and voxels outside the brain at 0', () => {
    const patch = patchOf((i, j, k) => (i < 3 ? 0 : 1 + j * j + 0.3 * i * k));
    const outside = Array.from(patch, (x) => x === 0);
    simulateThickSlices(patch, SIZE, { axis: 2, thickness: 4.5, phase: 2.2 });
    patch.forEach((x, v) => (outside[v] ? expect(x).toBe(0) : expect(x).not.toBe(0)));
    const flat = patchOf((i, j) => (i < 3 ? 0 : 1 + j));
    const flatBefore = Array.from(flat);
    simulateThickSlices(flat, SIZE, { axis: 2, thickness: 4.5, phase: 2.2 });
    flat.forEach((x, v) => expect(x).toBeCloseTo(flatBefore[v], 6));
  });

  it('random slices stay within the asked thickness, log-uniform, with the phase inside one slice', () => {
    const rng = createRng(9);
    const draws = Array.from({ length: 4000 }, () => randomThickSlices(rng, [1.1, 5]));
    for (const s of draws) {
      expect([0, 1, 2]).toContain(s.axis);
      expect(s.thickness).toBeGreaterThanOrEqual(1.1);
      expect(s.thickness).toBeLessThan(5);
      expect(s.phase).toBeGreaterThanOrEqual(0);
      expect(s.phase).toBeLessThan(s.thickness);
    }
    // log-uniform: half below the geometric mean sqrt(1.1 * 5) = 2.345, a fifth below 1.5 (ln(1.5/1.1) / ln(5/1.1) = 0.205)
    const share = (t: number) => draws.filter((s) => s.thickness < t).length / draws.length;
    expect(share(Math.sqrt(5.5))).toBeCloseTo(0.5, 1);
    expect(share(1.5)).toBeCloseTo(0.205, 1);
  });

  it('refuses a thickness range below one voxel or upside down', () => {
    expect(() => thickSliceAugment(0.25, [0.5, 3])).toThrow(/MIN-MAX/);
    expect(() => thickSliceAugment(0.25, [4, 2])).toThrow(/MIN-MAX/);
    expect(thickSliceAugment(0.25).thickness).toEqual([1.1, 5]);
  });
});
