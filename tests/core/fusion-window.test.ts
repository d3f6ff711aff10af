import { describe, expect, it } from 'vitest';
import {
  bsplineWindow1d,
  cardinalBSpline,
  fusionWindow,
  gaussianWindow1d,
} from '../../src/core/fusion-window.ts';
import type { Vec3 } from '../../src/core/types.ts';

/**
 * Centred cardinal B-spline of degree n >= 1 from the truncated-power formula, computed
 * independently of the piecewise code under test:
 *   beta_n(x) = 1/n! sum_{k=0}^{n+1} (-1)^k C(n+1, k) max(0, x + (n+1)/2 - k)^n
 */
function bsplineTruncatedPower(x: number, n: number): number {
  let factorial = 1;
  for (let m = 2; m <= n; m++) factorial *= m;
  let binomial = 1;
  let sum = 0;
  for (let k = 0; k <= n + 1; k++) {
    sum += (k % 2 === 0 ? 1 : -1) * binomial * Math.max(0, x + (n + 1) / 2 - k) ** n;
    binomial = (binomial * (n + 1 - k)) / (k + 1);
  }
  return sum / factorial;
}

/** The window by the definition: sample at voxel centres mapped onto the support, divide by max. */
function expectedWindow(n: number, order: number): number[] {
  const raw = Array.from({ length: n }, (_, i) =>
    bsplineTruncatedPower(((i + 0.5) / n - 0.5) * (order + 1), order),
  );
  const max = Math.max(...raw);
  return raw.map((v) => v / max);
}

describe('cardinalBSpline', () => {
  it('agrees with the truncated-power formula for orders 1..3', () => {
    for (const order of [1, 2, 3] as const) {
      for (let x = -2.5; x <= 2.5; x += 0.0625) {
        expect(cardinalBSpline(x, order)).toBeCloseTo(bsplineTruncatedPower(x, order), 12);
      }
    }
  });

  it('has the textbook values at knots and centre', () => {
    expect(cardinalBSpline(0, 0)).toBe(1);
    expect(cardinalBSpline(0.7, 0)).toBe(0);
    expect(cardinalBSpline(0, 2)).toBeCloseTo(3 / 4, 15);
    expect(cardinalBSpline(0.5, 2)).toBeCloseTo(1 / 2, 15);
    expect(cardinalBSpline(1, 2)).toBeCloseTo(1 / 8, 15);
    expect(cardinalBSpline(0, 3)).toBeCloseTo(2 / 3, 15);
    expect(cardinalBSpline(1, 3)).toBeCloseTo(1 / 6, 15);
    expect(cardinalBSpline(2, 3)).toBe(0);
  });
});

describe('bsplineWindow1d', () => {
  it('order 0 is uniform', () => {
    for (const n of [1, 2, 5, 64]) {
      expect(Array.from(bsplineWindow1d(n, 0))).toEqual(new Array(n).fill(1));
    }
  });

  it('order 1 is the hat function (worked by hand)', () => {
    // n = 4: x = -3/4, -1/4, 1/4, 3/4 -> 1/4, 3/4, 3/4, 1/4 -> / 3/4
    expectClose(bsplineWindow1d(4, 1), [1 / 3, 1, 1, 1 / 3]);
    // n = 5: x = -4/5, -2/5, 0, 2/5, 4/5 -> 1/5, 3/5, 1, 3/5, 1/5
    expectClose(bsplineWindow1d(5, 1), [0.2, 0.6, 1, 0.6, 0.2]);
  });

  it('order 2 matches hand values and the closed form', () => {
    // n = 4: x = -9/8, -3/8, 3/8, 9/8 -> 9/128, 39/64 -> ratio 3/26
    expectClose(bsplineWindow1d(4, 2), [3 / 26, 1, 1, 3 / 26]);
    for (const n of [3, 8, 17, 64]) expectClose(bsplineWindow1d(n, 2), expectedWindow(n, 2));
  });

  it('order 3 matches the closed form', () => {
    // n = 4: x = -3/2, -1/2, 1/2, 3/2 -> (1/2)^3/6 = 1/48, 2/3 - 1/4 + 1/16 = 23/48
    expectClose(bsplineWindow1d(4, 3), [1 / 23, 1, 1, 1 / 23]);
    for (const n of [3, 8, 17, 64]) expectClose(bsplineWindow1d(n, 3), expectedWindow(n, 3));
  });

  it('is symmetric, positive, peaks at 1 in the centre and decreases outward', () => {
    for (const order of [0, 1, 2, 3]) {
      for (const n of [1, 2, 7, 32, 33]) {
        const w = bsplineWindow1d(n, order);
        expect(Math.max(...w)).toBe(1);
        expect(w[Math.floor((n - 1) / 2)]).toBe(1);
        expect(w[Math.ceil((n - 1) / 2)]).toBe(1);
        for (let i = 0; i < n; i++) {
          expect(w[i]).toBeGreaterThan(0);
          expect(w[i]).toBeCloseTo(w[n - 1 - i], 6);
          if (i > 0 && i <= (n - 1) / 2) expect(w[i]).toBeGreaterThanOrEqual(w[i - 1]);
        }
      }
    }
  });

  it('rejects bad arguments', () => {
    expect(() => bsplineWindow1d(4, 4)).toThrow(/order/);
    expect(() => bsplineWindow1d(0, 2)).toThrow(/positive integer/);
  });
});

describe('gaussianWindow1d', () => {
  it('is exp(-d^2 / 2 sigma^2) about the centre with sigma = n / 8, max 1', () => {
    const w = gaussianWindow1d(8);
    // sigma = 1: d = i - 3.5, normalised by the value at d = 0.5
    const expected = Array.from({ length: 8 }, (_, i) => Math.exp(-((i - 3.5) ** 2) / 2 + 0.125));
    expectClose(w, expected);
    expect(w[0]).toBeCloseTo(Math.exp(-6), 7);
    const w64 = gaussianWindow1d(64, 0.25);
    expect(w64[31]).toBe(1);
    expect(w64[0]).toBeCloseTo(Math.exp(-(31.5 ** 2) / (2 * 16 * 16) + 0.5 ** 2 / (2 * 16 * 16)), 6);
  });
});

describe('fusionWindow', () => {
  it('is the separable product b(i) b(j) b(k), i fastest', () => {
    const size: Vec3 = [5, 4, 6];
    for (const kind of ['bspline', 'gaussian'] as const) {
      const w = fusionWindow(kind, size, 2, 1e-9);
      const profile = (n: number): Float32Array =>
        kind === 'bspline' ? bsplineWindow1d(n, 2) : gaussianWindow1d(n);
      const [bx, by, bz] = [profile(5), profile(4), profile(6)];
      expect(w.length).toBe(5 * 4 * 6);
      for (let k = 0; k < 6; k++)
        for (let j = 0; j < 4; j++)
          for (let i = 0; i < 5; i++) {
            expect(w[i + 5 * (j + 4 * k)]).toBeCloseTo(bx[i] * by[j] * bz[k], 7);
          }
    }
  });

  it("'mean' and order 0 are all ones", () => {
    expect(fusionWindow('mean', [3, 4, 5]).every((v) => v === 1)).toBe(true);
    expect(fusionWindow('bspline', [3, 4, 5], 0).every((v) => v === 1)).toBe(true);
  });

  it('raises values below the floor to the floor and leaves the rest', () => {
    const size: Vec3 = [64, 64, 64];
    const b = bsplineWindow1d(64, 3);
    const floor = 1e-3;
    const w = fusionWindow('bspline', size, 3, floor);
    expect(b[0] ** 3).toBeLessThan(floor);
    expect(w[0]).toBeCloseTo(floor, 9);
    const at = (i: number, j: number, k: number): number => w[i + 64 * (j + 64 * k)];
    expect(at(32, 32, 32)).toBeCloseTo(b[32] ** 3, 6);
    expect(at(0, 32, 32)).toBeCloseTo(Math.max(floor, b[0] * b[32] ** 2), 9);
    let min = Infinity;
    for (const v of w) min = Math.min(min, v);
    expect(min).toBeCloseTo(floor, 9);
    expect(() => fusionWindow('bspline', size, 2, 0)).toThrow(/floor/);
  });
});

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
}
