import { describe, expect, it } from 'vitest';
import { confusionCounts, fBetaFromCounts, voxelMetrics } from '../../src/core/metrics.ts';

describe('confusionCounts', () => {
  it('counts a hand example, thresholding pred at 0.5 and truth at 0', () => {
    const pred = new Float32Array([0.9, 0.2, 0.51, 0.5, 1, 0]);
    const truth = new Uint8Array([1, 1, 0, 1, 2, 0]);
    expect(confusionCounts(pred, truth)).toEqual({ tp: 2, fp: 1, fn: 2, tn: 1 });
  });

  it('restricts to the within mask', () => {
    const pred = [1, 1, 0, 0];
    const truth = [1, 0, 1, 0];
    expect(confusionCounts(pred, truth, new Uint8Array([1, 0, 1, 0]))).toEqual({ tp: 1, fp: 0, fn: 1, tn: 0 });
  });

  it('throws on length mismatch', () => {
    expect(() => confusionCounts([1, 0], [1])).toThrow(/same grid/);
  });
});

describe('voxelMetrics', () => {
  it('matches hand-computed values', () => {
    // tp 6, fp 2, fn 4, tn 88
    const m = voxelMetrics({ tp: 6, fp: 2, fn: 4, tn: 88 }, 1.5);
    expect(m.precision).toBeCloseTo(6 / 8, 12);
    expect(m.recall).toBeCloseTo(6 / 10, 12);
    expect(m.specificity).toBeCloseTo(88 / 90, 12);
    expect(m.dice).toBeCloseTo(12 / 18, 12);
    // F2 = 5 tp / (5 tp + 4 fn + fp) = 30 / 48
    expect(m.f2).toBeCloseTo(30 / 48, 12);
    // F1.5 = 3.25 tp / (3.25 tp + 2.25 fn + fp) = 19.5 / 30.5
    expect(m.fbeta).toBeCloseTo(19.5 / 30.5, 12);
    expect(m.beta).toBe(1.5);
    expect(m.volumeDifference).toBeCloseTo((8 - 10) / 10, 12);
  });

  it('F-beta equals the harmonic form (1+b^2) P R / (b^2 P + R)', () => {
    const c = { tp: 17, fp: 5, fn: 9, tn: 1000 };
    for (const beta of [0.5, 1, 1.5, 2, 3]) {
      const p = 17 / 22;
      const r = 17 / 26;
      const expected = ((1 + beta * beta) * p * r) / (beta * beta * p + r);
      expect(fBetaFromCounts(c, beta)).toBeCloseTo(expected, 12);
    }
    expect(voxelMetrics(c).dice).toBeCloseTo(fBetaFromCounts(c, 1), 12);
  });

  it('both empty: every ratio is 1 and volume difference 0', () => {
    const m = voxelMetrics({ tp: 0, fp: 0, fn: 0, tn: 50 });
    expect(m).toMatchObject({ precision: 1, recall: 1, specificity: 1, dice: 1, f2: 1, fbeta: 1, volumeDifference: 0 });
  });

  it('empty prediction, non-empty truth: precision 0 (no positive prediction), recall 0', () => {
    const m = voxelMetrics({ tp: 0, fp: 0, fn: 3, tn: 50 });
    expect(m).toMatchObject({ precision: 0, recall: 0, specificity: 1, dice: 0, fbeta: 0, volumeDifference: -1 });
  });

  it('empty truth, non-empty prediction: recall 0, volume difference +Infinity', () => {
    const m = voxelMetrics({ tp: 0, fp: 4, fn: 0, tn: 50 });
    expect(m.precision).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.dice).toBe(0);
    expect(m.specificity).toBeCloseTo(50 / 54, 12);
    expect(m.volumeDifference).toBe(Number.POSITIVE_INFINITY);
  });

  it('all voxels positive in truth: specificity 1 only when predicted perfectly', () => {
    expect(voxelMetrics({ tp: 5, fp: 0, fn: 0, tn: 0 }).specificity).toBe(1);
    expect(voxelMetrics({ tp: 4, fp: 0, fn: 1, tn: 0 }).specificity).toBe(0);
  });

  it('rejects a non-positive beta', () => {
    expect(() => voxelMetrics({ tp: 1, fp: 0, fn: 0, tn: 0 }, 0)).toThrow(/beta/);
  });
});
