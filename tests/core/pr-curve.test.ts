import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  bestThresholdForBeta,
  buildProbHistogram,
  precisionRecallCurve,
  prHistogram,
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

describe('prHistogram', () => {
  it('agrees with the exact AP within 1e-3 on random data (4096 bins)', () => {
    for (const seed of [7, 8, 9]) {
      const { prob, truth } = randomCase(200_000, seed);
      const exact = averagePrecision(prob, truth);
      const { ap } = prHistogram(prob, truth, 4096);
      expect(Math.abs(ap - exact)).toBeLessThan(1e-3);
    }
  });

  it('is exact when all scores sit on bin edges', () => {
    const { prob, truth } = randomCase(5000, 11, 64);
    expect(prHistogram(prob, truth, 64).ap).toBeCloseTo(averagePrecision(prob, truth), 12);
  });

  it('clamps scores outside [0, 1] and counts every voxel once', () => {
    const h = buildProbHistogram(new Float32Array([-1, 0, 0.5, 1, 2]), [1, 0, 1, 0, 1], 4);
    expect(Array.from(h.positives)).toEqual([1, 0, 1, 1]);
    expect(Array.from(h.negatives)).toEqual([1, 0, 0, 1]);
  });
});

describe('bestThresholdForBeta', () => {
  it('matches a brute-force search over bin edges', () => {
    const { prob, truth } = randomCase(20_000, 5);
    const bins = 256;
    const hist = buildProbHistogram(prob, truth, bins);
    for (const beta of [0.5, 1, 1.5, 3]) {
      let best = -1;
      for (let b = 0; b < bins; b++) {
        const t = b / bins;
        let tp = 0;
        let fp = 0;
        let fn = 0;
        for (let i = 0; i < prob.length; i++) {
          const p = prob[i] >= t;
          if (p && truth[i]) tp++;
          else if (p) fp++;
          else if (truth[i]) fn++;
        }
        const b2 = beta * beta;
        best = Math.max(best, ((1 + b2) * tp) / ((1 + b2) * tp + b2 * fn + fp));
      }
      const found = bestThresholdForBeta(hist, beta);
      expect(found.fbeta).toBeCloseTo(best, 12);
      expect(found.threshold).toBeGreaterThanOrEqual(0);
      expect(found.threshold).toBeLessThan(1);
    }
  });

  it('lowers the threshold as beta grows (recall weighs more)', () => {
    const { prob, truth } = randomCase(50_000, 6);
    const hist = buildProbHistogram(prob, truth, 1024);
    expect(bestThresholdForBeta(hist, 3).threshold).toBeLessThanOrEqual(bestThresholdForBeta(hist, 0.5).threshold);
  });

  it('predicts nothing (threshold +Infinity, F 1) when the truth is empty', () => {
    const hist = buildProbHistogram(new Float32Array([0.1, 0.7]), [0, 0], 16);
    expect(bestThresholdForBeta(hist, 1.5)).toEqual({ threshold: Infinity, fbeta: 1, precision: 1, recall: 1 });
  });
});
