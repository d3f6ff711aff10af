import { describe, expect, it } from 'vitest';
import {
  FusionAccumulator,
  accumulatePatch,
  createFusionSums,
  normaliseFusion,
} from '../../src/core/fusion.ts';
import { fusionWindow } from '../../src/core/fusion-window.ts';
import { patchGrid } from '../../src/core/patch-grid.ts';
import type { FusionWindowKind, PatchBox, Vec3 } from '../../src/core/types.ts';
import { createRng as mulberry32 } from '../../src/core/random.ts';


/** Patch of `box.size` voxels (i fastest) whose value at patch voxel (a, b, c) is f(volume ijk). */
function patchOf(box: PatchBox, f: (i: number, j: number, k: number) => number): Float32Array {
  const [sx, sy, sz] = box.size;
  const out = new Float32Array(sx * sy * sz);
  for (let c = 0; c < sz; c++)
    for (let b = 0; b < sy; b++)
      for (let a = 0; a < sx; a++) {
        out[a + sx * (b + sy * c)] = f(box.start[0] + a, box.start[1] + b, box.start[2] + c);
      }
  return out;
}

/** Brute force in float64: p(v) = sum w p / sum w from the formula, voxel by voxel. */
function bruteForceFusion(
  dims: Vec3,
  boxes: PatchBox[],
  probs: Float32Array[],
  window: Float32Array,
): Float64Array {
  const [nx, ny, nz] = dims;
  const out = new Float64Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        let sw = 0;
        let swp = 0;
        boxes.forEach((box, n) => {
          const [a, b, c] = [i - box.start[0], j - box.start[1], k - box.start[2]];
          const outside = a < 0 || b < 0 || c < 0;
          if (outside || a >= box.size[0] || b >= box.size[1] || c >= box.size[2]) return;
          const p = a + box.size[0] * (b + box.size[1] * c);
          sw += window[p];
          swp += window[p] * probs[n][p];
        });
        out[i + nx * (j + ny * k)] = sw > 0 ? swp / sw : 0;
      }
  return out;
}

const kinds: [FusionWindowKind, number][] = [
  ['bspline', 0],
  ['bspline', 1],
  ['bspline', 2],
  ['bspline', 3],
  ['gaussian', 2],
  ['mean', 2],
];

describe('FusionAccumulator', () => {
  const dims: Vec3 = [23, 19, 14];
  const patch: Vec3 = [8, 6, 5];
  const boxes = patchGrid(dims, patch, 0.5);
  const size = boxes[0].size;

  it('returns a constant field predicted by every patch', () => {
    for (const [kind, order] of kinds) {
      const fusion = new FusionAccumulator(dims, fusionWindow(kind, size, order), size);
      for (const box of boxes) fusion.add(box, new Float32Array(size[0] * size[1] * size[2]).fill(0.37));
      const out = fusion.result();
      for (const v of out) expect(Math.abs(v - 0.37)).toBeLessThan(1e-6);
    }
  });

  it('returns a smooth field that every patch predicts exactly, everywhere', () => {
    const f = (i: number, j: number, k: number): number =>
      0.5 + 0.4 * Math.sin(0.3 * i) * Math.cos(0.2 * j + 0.1 * k);
    for (const [kind, order] of kinds) {
      const fusion = new FusionAccumulator(dims, fusionWindow(kind, size, order), size);
      for (const box of boxes) fusion.add(box, patchOf(box, f));
      const out = fusion.result();
      for (let k = 0; k < dims[2]; k++)
        for (let j = 0; j < dims[1]; j++)
          for (let i = 0; i < dims[0]; i++)
            expect(Math.abs(out[i + dims[0] * (j + dims[1] * k)] - f(i, j, k))).toBeLessThan(1e-6);
    }
  });

  it('gives every voxel of the grid a positive weight sum', () => {
    const fusion = new FusionAccumulator(dims, fusionWindow('bspline', size, 3), size);
    for (const box of boxes) fusion.add(box, new Float32Array(size[0] * size[1] * size[2]));
    expect(fusion.sums.weightSum.every((w) => w > 0)).toBe(true);
  });

  it('matches a brute-force fusion of random patch predictions', () => {
    const random = mulberry32(11);
    const probs = boxes.map(() => Float32Array.from({ length: size[0] * size[1] * size[2] }, random));
    for (const [kind, order] of kinds) {
      const window = fusionWindow(kind, size, order);
      const fusion = new FusionAccumulator(dims, window, size);
      boxes.forEach((box, n) => fusion.add(box, probs[n]));
      const out = fusion.result();
      const expected = bruteForceFusion(dims, boxes, probs, window);
      out.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-6));
    }
  });

  it('leaves voxels no patch covered at 0', () => {
    const fusion = new FusionAccumulator([6, 5, 4], fusionWindow('bspline', [2, 2, 2]), [2, 2, 2]);
    fusion.add({ start: [1, 1, 1], size: [2, 2, 2] }, new Float32Array(8).fill(0.9));
    const out = fusion.result();
    const inBox = (i: number, j: number, k: number): boolean =>
      i >= 1 && i < 3 && j >= 1 && j < 3 && k >= 1 && k < 3;
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < 5; j++)
        for (let i = 0; i < 6; i++) {
          expect(out[i + 6 * (j + 5 * k)]).toBeCloseTo(inBox(i, j, k) ? 0.9 : 0, 6);
        }
  });

  it('throws a clear error on NaN or Infinity in a prediction', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const fusion = new FusionAccumulator(dims, fusionWindow('bspline', size), size);
      for (const box of boxes) fusion.add(box, new Float32Array(size[0] * size[1] * size[2]).fill(0.5));
      const probs = new Float32Array(size[0] * size[1] * size[2]).fill(0.5);
      probs[3] = bad;
      fusion.add(boxes[2], probs);
      expect(() => fusion.result()).toThrow(/NaN or Infinity/);
    }
  });

  it('rejects boxes, predictions and windows that do not fit', () => {
    const fusion = new FusionAccumulator(dims, fusionWindow('mean', size), size);
    const voxels = size[0] * size[1] * size[2];
    const zeros = new Float32Array(voxels);
    expect(() => fusion.add({ start: [20, 0, 0], size }, zeros)).toThrow(/not inside/);
    expect(() => fusion.add(boxes[0], new Float32Array(voxels - 1))).toThrow(/prediction/);
    expect(() => fusion.add({ start: [0, 0, 0], size: [6, 8, 5] }, zeros)).toThrow(/window size/);
    expect(() => new FusionAccumulator(dims, new Float32Array(3), size)).toThrow(/window/);
  });
});

describe('fusion steps', () => {
  it('reproduce the 1D worked example of the module comment', () => {
    // length 6 along i, patch 4, stride 2; order-1 window [1/3, 1, 1, 1/3]; A = 0.2, B = 0.8
    const dims: Vec3 = [6, 1, 1];
    const window = fusionWindow('bspline', [4, 1, 1], 1);
    expect(Array.from(window).map((v) => +v.toFixed(6))).toEqual([0.333333, 1, 1, 0.333333]);
    const sums = createFusionSums(dims);
    const size: Vec3 = [4, 1, 1];
    accumulatePatch(sums, { start: [0, 0, 0], size }, new Float32Array(4).fill(0.2), window);
    accumulatePatch(sums, { start: [2, 0, 0], size }, new Float32Array(4).fill(0.8), window);
    const out = Array.from(normaliseFusion(sums));
    [0.2, 0.2, 0.35, 0.65, 0.8, 0.8].forEach((p, v) => expect(out[v]).toBeCloseTo(p, 6));
  });
});
