import { describe, expect, it } from 'vitest';
import { blurInBrain, gammaIntensity } from '../../src/core/augment.ts';
import { axisRotation, binarize, randomAffine, resamplePatch } from '../../src/core/patch-affine.ts';
import { extractPatch } from '../../src/core/patch-grid.ts';
import { createRng } from '../../src/core/random.ts';
import type { Vec3 } from '../../src/core/types.ts';

const DIMS: Vec3 = [11, 9, 8];
const IDENTITY = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function volumeOf(f: (i: number, j: number, k: number) => number): Float32Array {
  const out = new Float32Array(DIMS[0] * DIMS[1] * DIMS[2]);
  for (let k = 0; k < DIMS[2]; k++) for (let j = 0; j < DIMS[1]; j++) for (let i = 0; i < DIMS[0]; i++) out[i + DIMS[0] * (j + DIMS[1] * k)] = f(i, j, k);
  return out;
}

function moments(values: Iterable<number>): { mean: number; sd: number } {
  const xs = [...values].filter((x) => x !== 0);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length) };
}

/** A patch of noise read at whole-voxel positions with `kernel` is the box itself, to `digits`. */
function expectBoxAtWholeVoxels(kernel: 'cubic' | 'bspline', seed: number, digits: number): void {
  const rng = createRng(seed);
  const noise = volumeOf(() => rng());
  const size: Vec3 = [5, 4, 3];
  const start: Vec3 = [3, 2, 4];
  const centre = start.map((s, a) => s + (size[a] - 1) / 2);
  const cut = resamplePatch(noise, DIMS, centre, size, IDENTITY, kernel);
  Array.from(extractPatch(noise, DIMS, { start, size })).forEach((v, p) => expect(cut[p]).toBeCloseTo(v, digits));
}

describe('resamplePatch', () => {
  it('with the identity matrix cuts out the same box as extractPatch', () => {
    const rng = createRng(1);
    const data = volumeOf(() => rng());
    const size: Vec3 = [5, 4, 3];
    const start: Vec3 = [3, 2, 4];
    const centre = start.map((s, a) => s + (size[a] - 1) / 2);
    expect(Array.from(resamplePatch(data, DIMS, centre, size, IDENTITY))).toEqual(Array.from(extractPatch(data, DIMS, { start, size })));
  });

  it('reproduces a linear intensity exactly at the rotated and scaled source positions', () => {
    const f = (i: number, j: number, k: number) => 2 + 0.5 * i - 0.25 * j + 0.125 * k;
    const data = volumeOf(f);
    const m = axisRotation(0, 0.3).map((x) => x * 0.9); // rotation about i, zoom 0.9
    const size: Vec3 = [3, 3, 3];
    const centre = [5, 4, 3.5];
    const patch = resamplePatch(data, DIMS, centre, size, m);
    let p = 0;
    for (let c = -1; c <= 1; c++) for (let b = -1; b <= 1; b++) for (let a = -1; a <= 1; a++, p++) {
      const src = [0, 1, 2].map((r) => centre[r] + m[3 * r] * a + m[3 * r + 1] * b + m[3 * r + 2] * c);
      expect(patch[p]).toBeCloseTo(f(src[0], src[1], src[2]), 5);
    }
  });

  it('a quarter turn about k maps output offset (a, b) to source offset (-b, a), and reads 0 outside the volume', () => {
    const data = volumeOf((i, j, k) => 1 + i + 16 * j + 256 * k);
    const size: Vec3 = [3, 3, 1];
    const patch = resamplePatch(data, DIMS, [4, 4, 2], size, axisRotation(2, Math.PI / 2));
    // output (a, b) sits at offset (a - 1, b - 1); source = (4 - (b - 1), 4 + (a - 1), 2)
    for (let b = 0; b < 3; b++) for (let a = 0; a < 3; a++) expect(patch[a + 3 * b]).toBeCloseTo(1 + (5 - b) + 16 * (3 + a) + 256 * 2, 3);
    const outside = resamplePatch(data, DIMS, [-5, 4, 2], [2, 2, 2], IDENTITY);
    expect(Array.from(outside)).toEqual(new Array(8).fill(0));
  });

  it('with the cubic kernel: the box itself at whole-voxel positions, and a quadratic exactly between voxels (Keys reproduces degree 2)', () => {
    expectBoxAtWholeVoxels('cubic', 4, 6);
    const f = (i: number, j: number, k: number) => 1 + 0.3 * i * i - 0.2 * i * j + 0.1 * k * k + 0.5 * j;
    const quad = volumeOf(f);
    const m = axisRotation(2, 0.2);
    const c3 = [5.3, 4.4, 3.7];
    const patch = resamplePatch(quad, DIMS, c3, [3, 3, 3], m, 'cubic');
    let p = 0;
    for (let c = -1; c <= 1; c++) for (let b = -1; b <= 1; b++) for (let a = -1; a <= 1; a++, p++) {
      const src = [0, 1, 2].map((r) => c3[r] + m[3 * r] * a + m[3 * r + 1] * b + m[3 * r + 2] * c);
      expect(patch[p]).toBeCloseTo(f(src[0], src[1], src[2]), 4);
    }
    // trilinear does not reproduce the curvature: the two kernels differ there
    const linear = resamplePatch(quad, DIMS, c3, [3, 3, 3], m);
    expect(Math.max(...linear.map((v, q) => Math.abs(v - patch[q])))).toBeGreaterThan(0.01);
  });

  it('with the B-spline kernel: the box itself at whole-voxel positions, a cubic between voxels where Keys errs', () => {
    expectBoxAtWholeVoxels('bspline', 5, 5);
    // along i only (the mirrored edges stay 4+ voxels off the read positions along i; j, k constant)
    const f = (i: number) => 0.05 * (i - 5) ** 3 + 0.3 * i;
    const wide: Vec3 = [24, 3, 3];
    const line = Float32Array.from({ length: 24 * 9 }, (_, v) => f(v % 24));
    const at = [10.5, 11.25, 12.7];
    for (const x of at) {
      const spline = resamplePatch(line, wide, [x, 1, 1], [1, 1, 1], IDENTITY, 'bspline')[0];
      const keys = resamplePatch(line, wide, [x, 1, 1], [1, 1, 1], IDENTITY, 'cubic')[0];
      expect(spline).toBeCloseTo(f(x), 3);
      // Keys errs on a cubic except midway between voxels, where the odd term cancels by symmetry
      if (x % 1 !== 0.5) expect(Math.abs(keys - f(x))).toBeGreaterThan(0.002);
    }
  });

  it('binarize keeps an interpolated label 0/1 with the cut at 0.5', () => {
    expect(Array.from(binarize(Float32Array.from([0, 0.49, 0.5, 0.8, 1])))).toEqual([0, 0, 1, 1, 1]);
  });
});

describe('randomAffine', () => {
  it('is null with probability 0, and otherwise a scaled rotation within the configured ranges', () => {
    const rng = createRng(7);
    expect(randomAffine(rng, { probability: 0, maxRotationDeg: 15, scaleRange: [0.8, 1.2] })).toBeNull();
    for (let t = 0; t < 20; t++) {
      const m = randomAffine(rng, { probability: 1, maxRotationDeg: 15, scaleRange: [0.8, 1.2] })!;
      // M^T M = s^2 I for M = s R
      const s2 = m[0] ** 2 + m[3] ** 2 + m[6] ** 2;
      expect(Math.sqrt(s2)).toBeGreaterThanOrEqual(0.8 - 1e-9);
      expect(Math.sqrt(s2)).toBeLessThanOrEqual(1.2 + 1e-9);
      for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) {
        const dot = m[r] * m[c] + m[3 + r] * m[3 + c] + m[6 + r] * m[6 + c];
        expect(dot).toBeCloseTo(r === c ? s2 : 0, 9);
      }
      // three angles of at most 15 degrees: the diagonal of R stays near 1 (cos 15 deg^2 - sin 15 deg ~ 0.87)
      for (const d of [m[0], m[4], m[8]]) expect(d / Math.sqrt(s2)).toBeGreaterThan(0.85);
    }
  });
});

describe('gammaIntensity', () => {
  const patch = () => Float32Array.from([0, -1.5, -0.3, 0.2, 0.9, 2.4, 0, 1.1, -0.8]);

  it('with gamma 1 changes nothing', () => {
    const p = patch();
    gammaIntensity(p, 1);
    Array.from(patch()).forEach((x, v) => expect(p[v]).toBeCloseTo(x, 5));
  });

  it('with gamma 2 keeps the brain mean, sd and order, changes the shape, and leaves 0 outside', () => {
    const before = patch();
    const p = patch();
    gammaIntensity(p, 2);
    expect(p[0]).toBe(0);
    expect(p[6]).toBe(0);
    const m0 = moments(before);
    const m1 = moments(p);
    expect(m1.mean).toBeCloseTo(m0.mean, 5);
    expect(m1.sd).toBeCloseTo(m0.sd, 5);
    const brain = [1, 2, 3, 4, 5, 7, 8];
    const rank = (xs: Float32Array) => [...brain].sort((a, b) => xs[a] - xs[b]);
    expect(rank(p)).toEqual(rank(before));
    expect(Math.max(...brain.map((v) => Math.abs(p[v] - before[v])))).toBeGreaterThan(0.1);
  });
});

describe('blurInBrain', () => {
  it('keeps a constant brain constant away from its edge and voxels outside the brain at 0', () => {
    const size: Vec3 = [12, 12, 12];
    const p = new Float32Array(12 * 12 * 12).fill(3);
    p.fill(0, 0, 12 * 12); // slice k = 0 lies outside the brain
    blurInBrain(p, size, 0.7);
    for (let v = 0; v < 12 * 12; v++) expect(p[v]).toBe(0);
    // radius ceil(3 * 0.7) = 3: voxel (6, 6, 6) only sees brain voxels
    expect(p[6 + 12 * (6 + 12 * 6)]).toBeCloseTo(3, 5);
    // next to the zero slice the blur pulls values down
    expect(p[6 + 12 * (6 + 12 * 1)]).toBeLessThan(3);
  });
});
