import { describe, expect, it } from 'vitest';
import { type Connectivity, labelComponents, neighbourSteps } from '../../src/core/components.ts';
import type { Vec3 } from '../../src/core/types.ts';
import { createRng as rng } from '../../src/core/random.ts';


/** Naive recursive flood fill: component sizes in order of first voxel. */
function naiveSizes(mask: Uint8Array, dims: Vec3, connectivity: Connectivity): number[] {
  const [nx, ny, nz] = dims;
  const seen = new Uint8Array(mask.length);
  const maxNonZero = connectivity === 6 ? 1 : connectivity === 18 ? 2 : 3;
  const fill = (i: number, j: number, k: number): number => {
    if (i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz) return 0;
    const v = i + nx * (j + ny * k);
    if (!mask[v] || seen[v]) return 0;
    seen[v] = 1;
    let size = 1;
    for (let dk = -1; dk <= 1; dk++)
      for (let dj = -1; dj <= 1; dj++)
        for (let di = -1; di <= 1; di++) {
          const nonZero = Math.abs(di) + Math.abs(dj) + Math.abs(dk);
          if (nonZero >= 1 && nonZero <= maxNonZero) size += fill(i + di, j + dj, k + dk);
        }
    return size;
  };
  const sizes: number[] = [];
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const s = fill(i, j, k);
        if (s > 0) sizes.push(s);
      }
  return sizes;
}

describe('neighbourSteps', () => {
  it('has 6, 18 and 26 steps', () => {
    expect(neighbourSteps(6)).toHaveLength(6);
    expect(neighbourSteps(18)).toHaveLength(18);
    expect(neighbourSteps(26)).toHaveLength(26);
  });
});

describe('labelComponents', () => {
  it('separates face, edge and corner contacts by connectivity (hand example)', () => {
    // 4x3x3 grid; voxel set: A = (0,0,0),(1,0,0) [face pair], B = (2,1,0) edge-touching A's (1,0,0),
    // C = (3,2,1) corner-touching B, D = (0,2,2) isolated.
    const dims: Vec3 = [4, 3, 3];
    const mask = new Uint8Array(36);
    const set = (i: number, j: number, k: number): void => {
      mask[i + 4 * (j + 3 * k)] = 1;
    };
    set(0, 0, 0);
    set(1, 0, 0);
    set(2, 1, 0);
    set(3, 2, 1);
    set(0, 2, 2);
    const c6 = labelComponents(mask, dims, 6);
    expect(c6.count).toBe(4);
    expect(c6.sizes).toEqual([0, 2, 1, 1, 1]);
    const c18 = labelComponents(mask, dims, 18);
    expect(c18.count).toBe(3);
    expect(c18.sizes).toEqual([0, 3, 1, 1]);
    const c26 = labelComponents(mask, dims, 26);
    expect(c26.count).toBe(2);
    expect(c26.sizes).toEqual([0, 4, 1]);
    expect(c26.labels[0]).toBe(1);
    expect(c26.labels[3 + 4 * (2 + 3 * 1)]).toBe(1);
    expect(c26.labels[0 + 4 * (2 + 3 * 2)]).toBe(2);
    expect(c26.labels[5]).toBe(0);
  });

  it('does not wrap around rows or slices', () => {
    // (3,0,0) and (0,1,0) are adjacent in memory but not in space.
    const mask = new Uint8Array(4 * 2 * 1);
    mask[3] = 1;
    mask[4] = 1;
    expect(labelComponents(mask, [4, 2, 1], 26).count).toBe(2);
  });

  it('matches a naive recursive flood fill on random masks', () => {
    const r = rng(42);
    for (let trial = 0; trial < 30; trial++) {
      const dims: Vec3 = [2 + Math.floor(r() * 7), 2 + Math.floor(r() * 7), 1 + Math.floor(r() * 7)];
      const n = dims[0] * dims[1] * dims[2];
      const density = 0.15 + 0.35 * r();
      const mask = new Uint8Array(n);
      for (let v = 0; v < n; v++) mask[v] = r() < density ? 1 : 0;
      for (const conn of [6, 18, 26] as const) {
        const got = labelComponents(mask, dims, conn);
        const sizes = naiveSizes(mask, dims, conn);
        expect(got.count).toBe(sizes.length);
        expect(got.sizes.slice(1)).toEqual(sizes);
        // every foreground voxel labelled, background 0, each label's voxel count = its size
        const tally = new Array<number>(got.count + 1).fill(0);
        for (let v = 0; v < n; v++) {
          expect(got.labels[v] > 0).toBe(mask[v] === 1);
          tally[got.labels[v]]++;
        }
        expect(tally.slice(1)).toEqual(got.sizes.slice(1));
      }
    }
  });

  it('labels a full 182x218x182 volume quickly', () => {
    const dims: Vec3 = [182, 218, 182];
    const n = dims[0] * dims[1] * dims[2];
    const mask = new Uint8Array(n);
    const r = rng(3);
    for (let v = 0; v < n; v++) mask[v] = r() < 0.05 ? 1 : 0;
    mask.fill(1, 0, 182 * 218 * 40); // one big slab as well
    const t0 = performance.now();
    const out = labelComponents(mask, dims, 26);
    const ms = performance.now() - t0;
    expect(out.count).toBeGreaterThan(1);
    expect(out.sizes.reduce((a, b) => a + b, 0)).toBe(mask.reduce((a, b) => a + b, 0));
    expect(ms).toBeLessThan(5000);
  });

  it('rejects a mask that does not fit dims', () => {
    expect(() => labelComponents(new Uint8Array(7), [2, 2, 2])).toThrow(/dims/);
  });
});
