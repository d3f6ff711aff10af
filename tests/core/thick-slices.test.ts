import { describe, expect, it } from 'vitest';
import { randomThickSlices, simulateThickSlices } from '../../src/core/thick-slices.ts';
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

  it('keeps a linear ramp along the axis between the slices that lie wholly inside the patch', () => {
    // slices of 3 voxels centred at 1, 4, 7, 10 (phase 1): each covers [c - 1.5, c + 1.5], all inside 0..11
    const patch = patchOf((i, j, k) => 2 + 0.5 * i + j + 10 * k);
    simulateThickSlices(patch, SIZE, { axis: 0, thickness: 3, phase: 1 });
    for (let k = 0; k < SIZE[2]; k++) for (let j = 0; j < SIZE[1]; j++) for (let i = 1; i <= 10; i++) {
      expect(at(patch, i, j, k)).toBeCloseTo(2 + 0.5 * i + j + 10 * k, 5);
    }
  });

  it('spreads a one-voxel bright plane over the neighbouring slices by hand-computed amounts', () => {
    // along k (5 voxels), slices of 2 voxels centred at 0.5, 2.5 and 4.5 (phase 0.5); the last covers
    // voxel 4 alone (the patch ends at 4.5). Slice means: 0.001, (1 + 0.001) / 2, 0.001.
    const patch = patchOf((_i, _j, k) => (k === 2 ? 1 : 0.001));
    simulateThickSlices(patch, SIZE, { axis: 2, thickness: 2, phase: 0.5 });
    const s = [0.001, 0.5005, 0.001];
    // voxel 0 lies before the first centre (clamped); voxels 1 and 2 are 1/4 and 3/4 of the way from
    // 0.5 to 2.5; voxels 3 and 4 likewise from 2.5 to 4.5
    const expected = [s[0], 0.75 * s[0] + 0.25 * s[1], 0.25 * s[0] + 0.75 * s[1], 0.75 * s[1] + 0.25 * s[2], 0.25 * s[1] + 0.75 * s[2]];
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

  it('random slices stay within the asked thickness, with the phase inside one slice', () => {
    const rng = createRng(9);
    for (let n = 0; n < 200; n++) {
      const s = randomThickSlices(rng, [2, 5]);
      expect([0, 1, 2]).toContain(s.axis);
      expect(s.thickness).toBeGreaterThanOrEqual(2);
      expect(s.thickness).toBeLessThan(5);
      expect(s.phase).toBeGreaterThanOrEqual(0);
      expect(s.phase).toBeLessThan(s.thickness);
    }
  });
});
