import { describe, expect, it } from 'vitest';
import { lesionMetrics } from '../../src/core/lesion-metrics.ts';
import { bestOperatingPoint, edgeIndex, operatingPoint } from '../../src/core/operating-point.ts';
import { createRng } from '../../src/core/random.ts';
import { averagePrecision, averagePrecisionFromCurve } from '../../src/core/pr-curve.ts';
import { edgeBin, logitEdges, sweepCurve, thresholdSweep } from '../../src/core/threshold-sweep.ts';
import type { Vec3 } from '../../src/core/types.ts';

const DIMS: Vec3 = [12, 10, 8];
const N = DIMS[0] * DIMS[1] * DIMS[2];

/** Blobby scores: a few random Gaussian bumps plus noise, clamped to [0, 1]; truth is bump cores. */
function blobCase(seed: number): { prob: Float32Array; truth: Uint8Array } {
  const rng = createRng(seed);
  const centres = Array.from({ length: 6 }, () => [rng() * DIMS[0], rng() * DIMS[1], rng() * DIMS[2], 0.5 + rng()]);
  const prob = new Float32Array(N);
  const truth = new Uint8Array(N);
  for (let k = 0; k < DIMS[2]; k++) for (let j = 0; j < DIMS[1]; j++) for (let i = 0; i < DIMS[0]; i++) {
    const v = i + DIMS[0] * (j + DIMS[1] * k);
    let s = 0;
    let core = false;
    for (const [ci, cj, ck, r] of centres) {
      const d2 = (i - ci) ** 2 + (j - cj) ** 2 + (k - ck) ** 2;
      s = Math.max(s, Math.exp(-d2 / (2 * r * r)));
      if (d2 < r * r) core = true;
    }
    prob[v] = Math.min(1, Math.max(0, s + 0.15 * (rng() - 0.5)));
    truth[v] = core || rng() < 0.01 ? 1 : 0;
  }
  return { prob, truth };
}

/** Every metric by brute force: threshold the map, count, label components (BFS in lesion-metrics). */
function bruteForce(prob: Float32Array, truth: Uint8Array, threshold: number, beta: number) {
  const pred = Uint8Array.from(prob, (p) => (p >= threshold ? 1 : 0));
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let v = 0; v < N; v++) {
    if (pred[v] && truth[v]) tp++;
    else if (pred[v]) fp++;
    else if (truth[v]) fn++;
  }
  const lesions = lesionMetrics({ pred, truth, dims: DIMS, spacingMm: [1, 1, 1] });
  const b2 = beta * beta;
  return {
    tp, fp, fn, tn: N - tp - fp - fn,
    precision: tp + fp > 0 ? tp / (tp + fp) : fn === 0 ? 1 : 0,
    recall: tp / (tp + fn),
    fbeta: ((1 + b2) * tp) / ((1 + b2) * tp + b2 * fn + fp),
    lesionTPR: lesions.lesionTPR, lesionFPR: lesions.lesionFPR, lesionCountPred: lesions.lesionCountPred,
  };
}

describe('thresholdSweep + operatingPoint', () => {
  it('agrees with brute-force thresholding and component labelling at every bin edge', () => {
    for (const seed of [1, 2, 3]) {
      const { prob, truth } = blobCase(seed);
      const bins = 32;
      const sweep = thresholdSweep(prob, truth, DIMS, bins);
      for (let b = 1; b < bins; b++) {
        const t = sweep.edges[b];
        const got = operatingPoint(sweep, t, 2);
        const want = bruteForce(prob, truth, t, 2);
        expect({ tp: got.tp, fp: got.fp, fn: got.fn, tn: got.tn, n: got.lesionCountPred }).toEqual({
          tp: want.tp, fp: want.fp, fn: want.fn, tn: want.tn, n: want.lesionCountPred,
        });
        expect(got.precision).toBeCloseTo(want.precision, 12);
        expect(got.recall).toBeCloseTo(want.recall, 12);
        expect(got.fbeta).toBeCloseTo(want.fbeta, 12);
        expect(got.lesionTPR).toBeCloseTo(want.lesionTPR, 12);
        expect(got.lesionFPR).toBeCloseTo(want.lesionFPR, 12);
      }
    }
  });

  it('edge 0 predicts every voxel as one component; above 1 nothing', () => {
    const { prob, truth } = blobCase(4);
    const sweep = thresholdSweep(prob, truth, DIMS, 16);
    const all = operatingPoint(sweep, 0, 1);
    expect([all.tp + all.fp, all.lesionCountPred, all.lesionFPR, all.recall]).toEqual([N, 1, 0, 1]);
    const none = operatingPoint(sweep, 1.5, 1);
    expect([none.tp, none.fp, none.lesionCountPred, none.lesionTPR, none.threshold]).toEqual([0, 0, 0, 0, Infinity]);
  });

  it('spaces edges evenly in logit space and snaps a threshold up to the next edge', () => {
    const edges = logitEdges(8);
    // sigmoid(16 (2b/8 - 1)) for b = 1..7, by hand: sigmoid(-12), sigmoid(-8), ..., sigmoid(12)
    const want = [0, ...[-12, -8, -4, 0, 4, 8, 12].map((z) => 1 / (1 + Math.exp(-z)))];
    want.forEach((w, b) => expect(edges[b]).toBeCloseTo(w, 15));
    expect(edgeIndex(0.5, edges)).toBe(4);
    expect(edgeIndex(0.6, edges)).toBe(5);
    expect(edgeIndex(-1, edges)).toBe(0);
    expect(edgeIndex(1, edges)).toBe(8);
    expect([edgeBin(edges, 0), edgeBin(edges, 0.5), edgeBin(edges, 0.97), edgeBin(edges, 1)]).toEqual([0, 4, 4, 7]);
    const { prob, truth } = blobCase(5);
    const sweep = thresholdSweep(prob, truth, DIMS, 8);
    expect(operatingPoint(sweep, 0.6, 1).threshold).toBe(edges[5]);
  });

  it('bestOperatingPoint maximises F-beta over all edges (brute-force scan), and recall grows with beta', () => {
    const { prob, truth } = blobCase(6);
    const bins = 64;
    const sweep = thresholdSweep(prob, truth, DIMS, bins);
    let lastRecall = -1;
    let lastPrecision = 2;
    for (const beta of [0.5, 1, 2, 4]) {
      let bestF = -1;
      for (let b = 1; b < bins; b++) bestF = Math.max(bestF, bruteForce(prob, truth, sweep.edges[b], beta).fbeta);
      const best = bestOperatingPoint(sweep, beta);
      expect(best.fbeta).toBeCloseTo(bestF, 12);
      expect(best.recall).toBeGreaterThanOrEqual(lastRecall);
      expect(best.precision).toBeLessThanOrEqual(lastPrecision);
      lastRecall = best.recall;
      lastPrecision = best.precision;
    }
  });

  it('sweepCurve: its AP equals the exact AP of the binned scores, one point per non-empty bin at its edge', () => {
    const { prob, truth } = blobCase(21);
    const sweep = thresholdSweep(prob, truth, DIMS, 512);
    const binned = Float32Array.from(prob, (p) => edgeBin(sweep.edges, p));
    const curve = sweepCurve(sweep);
    expect(averagePrecisionFromCurve(curve)).toBeCloseTo(averagePrecision(binned, truth), 12);
    expect(curve.thresholds.length).toBe(new Set(binned).size);
    for (const t of curve.thresholds) expect(sweep.edges).toContain(t);
  });

  it('refuses a bad bin count and a map of the wrong size', () => {
    const { prob, truth } = blobCase(7);
    expect(() => thresholdSweep(prob, truth, DIMS, 1)).toThrow(/at least 2/);
    expect(() => thresholdSweep(prob.subarray(1), truth.subarray(1), DIMS)).toThrow(/voxels/);
  });
});
