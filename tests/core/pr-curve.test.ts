import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  precisionRecallCurve,
} from '../../src/core/pr-curve.ts';
import { createRng as rng } from '../../src/core/random.ts';


/** Brute-force AP: for each distinct score (high to low), predict score >= t. */
function bruteAp(prob: Float32Array, truth: ArrayLike<number>): number {
  const distinct = [...new Set(prob)].sort((a, b) => b - a);
  let totalPos = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] > 0) totalPos++;
  let ap = 0;
  let prevRecall = 0;
  for (const t of distinct) {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < prob.length; i++) {
      if (prob[i] >= t) {
        if (truth[i] > 0) tp++;
        else fp++;
      }
    }
    const recall = tp / totalPos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

function randomCase(n: number, seed: number, levels = 0): { prob: Float32Array; truth: Uint8Array } {
  const r = rng(seed);
  const prob = new Float32Array(n);
  const truth = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    truth[i] = r() < 0.2 ? 1 : 0;
    const s = Math.min(1, Math.max(0, 0.35 * truth[i] + 0.65 * r()));
    prob[i] = levels > 0 ? Math.round(s * levels) / levels : s;
  }
  return { prob, truth };
}

describe('precisionRecallCurve (exact)', () => {
  it('reproduces the scikit-learn documentation example', () => {
    const prob = new Float32Array([0.1, 0.4, 0.35, 0.8]);
    const truth = [0, 0, 1, 1];
    const c = precisionRecallCurve(prob, truth);
    expect(Array.from(c.thresholds)).toEqual(Array.from(new Float32Array([0.1, 0.35, 0.4, 0.8])));
    const expectP = [0.5, 2 / 3, 0.5, 1, 1];
    const expectR = [1, 1, 0.5, 0.5, 0];
    c.precision.forEach((p, i) => expect(p).toBeCloseTo(expectP[i], 12));
    c.recall.forEach((r, i) => expect(r).toBeCloseTo(expectR[i], 12));
    expect(averagePrecision(prob, truth)).toBeCloseTo(0.8333333333333333, 12);
  });

  it('matches brute force on random data with ties', () => {
    for (const seed of [1, 2, 3]) {
      const { prob, truth } = randomCase(500, seed, 20);
      expect(averagePrecision(prob, truth)).toBeCloseTo(bruteAp(prob, truth), 10);
    }
  });

  it('counts exact zeros as one threshold where 0 falls, negative scores below it (curve equals brute force)', () => {
    // mostly zeros, as a whole-volume map outside the brain, with scores on both sides of 0
    const r = rng(7);
    const n = 400;
    const prob = new Float32Array(n);
    const truth = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      truth[i] = r() < 0.25 ? 1 : 0;
      const u = r();
      prob[i] = u < 0.6 ? 0 : u < 0.7 ? -Math.round(r() * 4) / 8 - 0.125 : Math.round((0.3 * truth[i] + 0.7 * r()) * 10) / 10;
    }
    prob[3] = -0; // a negative zero is the same score
    const c = precisionRecallCurve(prob, truth);
    const distinct = [...new Set(Array.from(prob, (p) => (p === 0 ? 0 : p)))].sort((a, b) => a - b);
    expect(distinct).toContain(0);
    expect(distinct[0]).toBeLessThan(0);
    expect(Array.from(c.thresholds)).toEqual(distinct);
    const totalPos = truth.reduce((a, b) => a + b, 0);
    distinct.forEach((t, k) => {
      let tp = 0;
      let fp = 0;
      for (let i = 0; i < n; i++) if (prob[i] >= t) truth[i] > 0 ? tp++ : fp++;
      expect(c.precision[k]).toBeCloseTo(tp / (tp + fp), 12);
      expect(c.recall[k]).toBeCloseTo(tp / totalPos, 12);
    });
    expect(averagePrecision(prob, truth)).toBeCloseTo(bruteAp(prob, truth), 10);
    // all zeros: one threshold, precision the positive share, recall 1
    const flat = precisionRecallCurve(new Float32Array(5), [0, 1, 0, 0, 1]);
    expect(Array.from(flat.thresholds)).toEqual([0]);
    expect(flat.precision[0]).toBeCloseTo(0.4, 12);
    expect(flat.recall[0]).toBe(1);
  });

  it('restricts to within', () => {
    const prob = new Float32Array([0.9, 0.1, 0.4, 0.35, 0.8, 0.95]);
    const truth = [0, 0, 0, 1, 1, 0];
    const within = new Uint8Array([0, 1, 1, 1, 1, 0]);
    expect(averagePrecision(prob, truth, within)).toBeCloseTo(0.8333333333333333, 12);
  });

  it('is 1 for a perfect ranking and 0 with no positive voxel (scikit-learn convention)', () => {
    expect(averagePrecision(new Float32Array([0.2, 0.9, 0.1]), [0, 1, 0])).toBe(1);
    expect(averagePrecision(new Float32Array([0.2, 0.9, 0.1]), [0, 0, 0])).toBe(0);
  });
});
