import { describe, expect, it } from 'vitest';
import {
  brainCells,
  extractPatch,
  extractPatchInto,
  patchGrid,
  strideForOverlap,
  tileStarts,
} from '../../src/core/patch-grid.ts';
import type { PatchBox, Vec3 } from '../../src/core/types.ts';
import { createRng as mulberry32 } from '../../src/core/random.ts';


describe('tileStarts', () => {
  it('matches hand-worked examples', () => {
    expect(tileStarts(10, 4, 2)).toEqual([0, 2, 4, 6]);
    expect(tileStarts(11, 4, 2)).toEqual([0, 2, 4, 6, 7]);
    expect(tileStarts(8, 4, 4)).toEqual([0, 4]);
    expect(tileStarts(9, 4, 4)).toEqual([0, 4, 5]);
    expect(tileStarts(5, 4, 1)).toEqual([0, 1]);
    expect(tileStarts(182, 64, 32)).toEqual([0, 32, 64, 96, 118]);
    expect(tileStarts(218, 64, 32)).toEqual([0, 32, 64, 96, 128, 154]);
  });

  it('returns [0] when the axis is not longer than the patch (the caller pads)', () => {
    expect(tileStarts(4, 4, 2)).toEqual([0]);
    expect(tileStarts(3, 64, 32)).toEqual([0]);
    expect(tileStarts(1, 1, 1)).toEqual([0]);
  });

  it('covers every voxel, ends at the length, stays inside, and steps at most by the stride', () => {
    for (let length = 1; length <= 40; length++) {
      for (let patch = 1; patch <= 12; patch++) {
        for (let stride = 1; stride <= patch; stride++) {
          const starts = tileStarts(length, patch, stride);
          const extent = Math.min(patch, length);
          const covered = new Uint8Array(length);
          for (const s of starts) {
            expect(s).toBeGreaterThanOrEqual(0);
            expect(s + extent).toBeLessThanOrEqual(length);
            covered.fill(1, s, s + extent);
          }
          expect(covered.every((c) => c === 1)).toBe(true);
          expect(starts[0]).toBe(0);
          expect(starts[starts.length - 1] + extent).toBe(length);
          for (let n = 1; n < starts.length; n++) {
            const step = starts[n] - starts[n - 1];
            expect(step).toBeGreaterThan(0);
            expect(step).toBeLessThanOrEqual(stride);
            if (n < starts.length - 1) expect(step).toBe(stride);
          }
        }
      }
    }
  });

  it('rejects non-positive or fractional arguments', () => {
    expect(() => tileStarts(0, 4, 2)).toThrow(/lengthVox/);
    expect(() => tileStarts(10, 4, 0)).toThrow(/strideVox/);
    expect(() => tileStarts(10, 4.5, 2)).toThrow(/patchSizeVox/);
  });
});

describe('strideForOverlap', () => {
  it('rounds patch * (1 - overlap), at least 1', () => {
    expect(strideForOverlap(64, 0.5)).toBe(32);
    expect(strideForOverlap(64, 0)).toBe(64);
    expect(strideForOverlap(5, 0.5)).toBe(3);
    expect(strideForOverlap(4, 0.99)).toBe(1);
    expect(() => strideForOverlap(64, 1)).toThrow(/overlapFraction/);
    expect(() => strideForOverlap(64, -0.1)).toThrow(/overlapFraction/);
  });
});

describe('patchGrid', () => {
  it('builds the full grid for an MNI-sized volume', () => {
    const boxes = patchGrid([182, 218, 182], [64, 64, 64], 0.5);
    expect(boxes.length).toBe(5 * 6 * 5);
    expect(boxes[0]).toEqual({ start: [0, 0, 0], size: [64, 64, 64] });
    expect(boxes[1].start).toEqual([32, 0, 0]);
    expect(boxes[boxes.length - 1].start).toEqual([118, 154, 118]);
  });

  it('covers every voxel with boxes inside the volume, incl. axes shorter than the patch', () => {
    const cases: [Vec3, Vec3, number][] = [
      [[13, 9, 7], [4, 5, 3], 0.5],
      [[10, 3, 8], [4, 6, 8], 0.25],
      [[6, 6, 6], [6, 6, 6], 0.5],
    ];
    for (const [dims, patch, overlap] of cases) {
      const boxes = patchGrid(dims, patch, overlap);
      const covered = new Uint8Array(dims[0] * dims[1] * dims[2]);
      for (const box of boxes) {
        for (let a = 0; a < 3; a++) {
          expect(box.size[a]).toBe(Math.min(patch[a], dims[a]));
          expect(box.start[a]).toBeGreaterThanOrEqual(0);
          expect(box.start[a] + box.size[a]).toBeLessThanOrEqual(dims[a]);
        }
        forEachVoxel(box, dims, (v) => (covered[v] = 1));
      }
      expect(covered.every((c) => c === 1)).toBe(true);
    }
  });

  it('skips exactly the boxes without brain voxels (against brute force)', () => {
    const dims: Vec3 = [17, 14, 11];
    const random = mulberry32(7);
    const brain = new Uint8Array(dims[0] * dims[1] * dims[2]);
    // a few sparse blobs so that many boxes are empty and some hold a single voxel
    for (let n = 0; n < 6; n++) brain[Math.floor(random() * brain.length)] = 1 + (n % 3);
    const all = patchGrid(dims, [5, 4, 3], 0.5);
    const kept = patchGrid(dims, [5, 4, 3], 0.5, brain);
    const bruteForce = all.filter((box) => {
      let any = false;
      forEachVoxel(box, dims, (v) => (any ||= brain[v] !== 0));
      return any;
    });
    expect(kept).toEqual(bruteForce);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(all.length);
    expect(patchGrid(dims, [5, 4, 3], 0.5, new Uint8Array(brain.length))).toEqual([]);
  });

  it('brainCells answers like brute force for every box of random grids and masks', () => {
    const random = mulberry32(3);
    for (let trial = 0; trial < 40; trial++) {
      const side = () => 3 + Math.floor(random() * 12);
      const dims: Vec3 = [side(), side(), side()];
      const edge = (a: number) => 1 + Math.floor(random() * dims[a]);
      const size: Vec3 = [edge(0), edge(1), edge(2)];
      const overlap = [0, 0.25, 0.5, 0.75][trial % 4];
      const density = [0.002, 0.02, 0.2][trial % 3];
      const mask = Uint8Array.from({ length: dims[0] * dims[1] * dims[2] }, () => (random() < density ? 1 : 0));
      const starts = [0, 1, 2].map((a) => tileStarts(dims[a], size[a], strideForOverlap(size[a], overlap)));
      const holdsBrain = brainCells(mask, dims, starts, size);
      for (const box of patchGrid(dims, size, overlap)) {
        let expected = false;
        forEachVoxel(box, dims, (v) => (expected ||= mask[v] !== 0));
        expect(holdsBrain(box)).toBe(expected);
      }
    }
    expect(() => brainCells(new Uint8Array(3), [7, 6, 5], [[0], [0], [0]], [7, 6, 5])).toThrow(/brain mask/);
  });
});

describe('extractPatch', () => {
  const dims: Vec3 = [5, 4, 3];
  const data = Float32Array.from({ length: 60 }, (_, v) => v);

  it('copies the box with i fastest', () => {
    const box: PatchBox = { start: [1, 2, 1], size: [3, 2, 2] };
    const patch = extractPatch(data, dims, box);
    const index = (i: number, j: number, k: number): number => i + 5 * (j + 4 * k);
    const expected: number[] = [];
    for (let c = 0; c < 2; c++)
      for (let b = 0; b < 2; b++) for (let a = 0; a < 3; a++) expected.push(index(1 + a, 2 + b, 1 + c));
    expect(Array.from(patch)).toEqual(expected);
    const dst = new Float32Array(12);
    expect(extractPatchInto(dst, data, dims, box)).toBe(dst);
    expect(Array.from(dst)).toEqual(expected);
  });

  it('rejects boxes outside the volume and wrong destination sizes', () => {
    expect(() => extractPatch(data, dims, { start: [3, 0, 0], size: [3, 1, 1] })).toThrow(/not inside/);
    expect(() => extractPatch(data, dims, { start: [-1, 0, 0], size: [1, 1, 1] })).toThrow(/not inside/);
    const box: PatchBox = { start: [0, 0, 0], size: [2, 2, 2] };
    expect(() => extractPatchInto(new Float32Array(7), data, dims, box)).toThrow(/destination/);
  });
});

function forEachVoxel(box: PatchBox, dims: Vec3, visit: (v: number) => void): void {
  for (let k = box.start[2]; k < box.start[2] + box.size[2]; k++)
    for (let j = box.start[1]; j < box.start[1] + box.size[1]; j++)
      for (let i = box.start[0]; i < box.start[0] + box.size[0]; i++) {
        visit(i + dims[0] * (j + dims[1] * k));
      }
}
