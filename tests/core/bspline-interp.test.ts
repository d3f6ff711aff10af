import { describe, expect, it } from 'vitest';
import { bsplineCoefficients, bsplineSampler } from '../../src/core/bspline-interp.ts';
import { createRng } from '../../src/core/random.ts';
import { resampleRigidBSpline, sampleCubic } from '../../src/core/rigid-resample.ts';
import { eulerMatrix } from '../../src/core/rigid-transform.ts';
import type { Vec3 } from '../../src/core/types.ts';

const index = (dims: Vec3, i: number, j: number, k: number) => i + dims[0] * (j + dims[1] * k);

describe('cubic B-spline interpolation', () => {
  it('passes through every voxel (noise, short and long lines, the exact and the truncated start)', () => {
    const rng = createRng(7);
    for (const dims of [[5, 3, 4], [31, 6, 2]] as Vec3[]) {
      const data = Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, () => rng() * 10 - 5);
      const sample = bsplineSampler(bsplineCoefficients(data, dims), dims);
      for (let k = 0; k < dims[2]; k++) {
        for (let j = 0; j < dims[1]; j++) {
          for (let i = 0; i < dims[0]; i++) expect(sample(i, j, k)).toBeCloseTo(data[index(dims, i, j, k)], 4);
        }
      }
    }
  });

  it('keeps a constant constant anywhere, edges included (mirror boundaries)', () => {
    const dims: Vec3 = [6, 5, 4];
    const sample = bsplineSampler(bsplineCoefficients(new Float32Array(120).fill(2.5), dims), dims);
    for (const p of [[0, 0, 0], [0.3, 4, 3], [5, 2.7, 0.1], [-0.4, 1.5, 3.4]]) expect(sample(p[0], p[1], p[2])).toBeCloseTo(2.5, 5);
  });

  it('reproduces a cubic polynomial between voxels away from the edges', () => {
    const dims: Vec3 = [40, 4, 4];
    const f = (x: number) => 0.001 * (x - 20) ** 3 - 0.02 * x * x + x;
    const data = Float32Array.from({ length: 640 }, (_, v) => f(v % 40));
    const sample = bsplineSampler(bsplineCoefficients(data, dims), dims);
    for (const x of [14.25, 19.5, 22.8]) expect(sample(x, 1.5, 2)).toBeCloseTo(f(x), 3);
  });

  it('keeps a 4-voxel wave moved by half a voxel at 0.6875 sqrt 2 of its amplitude, against Keys 0.625 sqrt 2', () => {
    // by hand: the spline's response is (23/24 cos(pi/4) - 1/24 cos(3 pi/4)) / (2/3); Keys' (9/8 cos(pi/4) + 1/8 cos(3 pi/4))
    const dims: Vec3 = [48, 2, 2];
    const data = Float32Array.from({ length: 192 }, (_, v) => Math.cos((2 * Math.PI * (v % 48)) / 4));
    const sample = bsplineSampler(bsplineCoefficients(data, dims), dims);
    for (const x of [20.5, 21.5, 22.5, 23.5]) {
      const wave = Math.cos((2 * Math.PI * x) / 4); // +-cos(pi/4) at these points
      expect(sample(x, 0, 0) / wave).toBeCloseTo(0.6875 * Math.SQRT2, 4);
      expect(sampleCubic(data, dims, x, 0, 0) / wave).toBeCloseTo(0.625 * Math.SQRT2, 4);
    }
  });

  it('moves a volume through a rigid transform: a smooth field read at the turned positions, 0 outside', () => {
    const dims: Vec3 = [24, 22, 20];
    const g = (x: number, y: number, z: number) => Math.sin(x / 5) + Math.cos(y / 6) * (z / 10);
    const data = Float32Array.from({ length: 24 * 22 * 20 }, (_, v) => g(v % 24, Math.floor(v / 24) % 22, Math.floor(v / 528)));
    const t = { matrix: eulerMatrix(0.1, -0.05, 0.15), centre: [12, 11, 10] as Vec3, translation: [0.4, -0.3, 0.2] as Vec3 };
    const out = resampleRigidBSpline(data, dims, dims, t);
    const m = t.matrix;
    const at = (i: number, j: number, k: number) => {
      const d = [i - 12, j - 11, k - 10];
      return [0, 1, 2].map((r) => m[3 * r] * d[0] + m[3 * r + 1] * d[1] + m[3 * r + 2] * d[2] + t.centre[r] + t.translation[r]);
    };
    for (const [i, j, k] of [[12, 11, 10], [9, 14, 8], [15, 8, 12]]) {
      const p = at(i, j, k);
      expect(out[index(dims, i, j, k)]).toBeCloseTo(g(p[0], p[1], p[2]), 2);
    }
    const far = resampleRigidBSpline(data, dims, dims, { ...t, translation: [30, 0, 0] });
    expect(far[index(dims, 20, 11, 10)]).toBe(0);
  });
});
