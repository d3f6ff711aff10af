import { describe, expect, it } from 'vitest';
import { labelComponents } from '../../src/core/components.ts';
import { evaluateSegmentation } from '../../src/core/evaluate.ts';
import { componentStats, filterLesions, keptLabels, type LesionFilterRule } from '../../src/core/lesion-filter.ts';
import { lesionMetrics } from '../../src/core/lesion-metrics.ts';
import { lesionOverlaps, scoresOfKept } from '../../src/core/lesion-scores.ts';
import { createRng } from '../../src/core/random.ts';
import type { Vec3 } from '../../src/core/types.ts';

/** Random blobs: each a box of random size at a random place, written with `value`. */
function blobs(dims: Vec3, count: number, seed: number, maxEdge: number): Uint8Array {
  const rng = createRng(seed);
  const m = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let b = 0; b < count; b++) {
    const size = [0, 1, 2].map(() => 1 + Math.floor(rng() * maxEdge));
    const start = [0, 1, 2].map((a) => Math.floor(rng() * (dims[a] - size[a])));
    for (let k = start[2]; k < start[2] + size[2]; k++) {
      for (let j = start[1]; j < start[1] + size[1]; j++) {
        for (let i = start[0]; i < start[0] + size[0]; i++) m[i + dims[0] * (j + dims[1] * k)] = 1;
      }
    }
  }
  return m;
}

/** Brute-force lesion-wise scores: every pair of components compared voxel list against voxel list. */
function bruteLesionScores(pred: Uint8Array, truth: Uint8Array, dims: Vec3) {
  const p = labelComponents(pred, dims, 26);
  const t = labelComponents(truth, dims, 26);
  const voxelsOf = (labels: Int32Array, l: number) => [...labels.keys()].filter((v) => labels[v] === l);
  const predSets = Array.from({ length: p.count }, (_, i) => new Set(voxelsOf(p.labels, i + 1)));
  const truthLists = Array.from({ length: t.count }, (_, i) => voxelsOf(t.labels, i + 1));
  const touches = (ps: Set<number>, tl: number[]) => tl.some((v) => ps.has(v));
  const detected = truthLists.filter((tl) => predSets.some((ps) => touches(ps, tl))).length;
  const truePred = predSets.filter((ps) => truthLists.some((tl) => touches(ps, tl))).length;
  const precision = p.count ? truePred / p.count : t.count ? 0 : 1;
  const recall = t.count ? detected / t.count : p.count ? 0 : 1;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, pred: p.count, truth: t.count };
}

describe('lesion-wise precision, recall and F1', () => {
  it('match brute force on random label volumes', () => {
    const dims: Vec3 = [20, 18, 16];
    for (let seed = 1; seed <= 12; seed++) {
      const pred = blobs(dims, 6 + (seed % 5), seed, 4);
      const truth = blobs(dims, 5 + (seed % 3), 100 + seed, 5);
      const m = lesionMetrics({ pred, truth, dims, spacingMm: [1, 1, 1] });
      const b = bruteLesionScores(pred, truth, dims);
      expect(m.lesionCountPred).toBe(b.pred);
      expect(m.lesionCountTruth).toBe(b.truth);
      expect(m.lesionPrecision).toBeCloseTo(b.precision, 12);
      expect(m.lesionRecall).toBeCloseTo(b.recall, 12);
      expect(m.lesionF1).toBeCloseTo(b.f1, 12);
      expect(m.lesionCountDifference).toBe(b.pred - b.truth);
    }
  });

  it('count a prediction touching two true lesions once, and a true lesion split in two as two true predictions', () => {
    const dims: Vec3 = [12, 3, 3];
    const at = (i: number) => i + 12 * (1 + 3);
    const truth = new Uint8Array(108);
    const pred = new Uint8Array(108);
    // truth lesions A = {0, 1} and B = {3, 4}; one predicted lesion {1, 2, 3} bridges them
    for (const i of [0, 1, 3, 4]) truth[at(i)] = 1;
    for (const i of [1, 2, 3]) pred[at(i)] = 1;
    // truth lesion C = {7, 8, 9, 10}; split into two predicted lesions {7} and {10}
    for (const i of [7, 8, 9, 10]) truth[at(i)] = 1;
    for (const i of [7, 10]) pred[at(i)] = 1;
    const m = lesionMetrics({ pred, truth, dims, spacingMm: [1, 1, 1] });
    // predicted lesions: {1,2,3}, {7}, {10}: all touch the truth; truth lesions A, B, C all detected
    expect(m.lesionCountPred).toBe(3);
    expect(m.lesionCountTruth).toBe(3);
    expect(m.lesionPrecision).toBe(1);
    expect(m.lesionRecall).toBe(1);
    expect(m.lesionF1).toBe(1);
    // voxel Dice tells the errors apart: tp 4 (1, 3, 7, 10), fp 1 (2), fn 4 (0, 4, 8, 9)
    expect(evaluateSegmentation({ pred, truth, dims, spacingMm: [1, 1, 1] }).dice).toBeCloseTo(8 / 13, 12);
  });

  it('follow the 0/0 conventions', () => {
    const dims: Vec3 = [4, 1, 1];
    const empty = new Uint8Array(4);
    const one = Uint8Array.of(0, 1, 0, 0);
    expect(lesionMetrics({ pred: empty, truth: empty, dims, spacingMm: [1, 1, 1] })).toMatchObject({ lesionPrecision: 1, lesionRecall: 1, lesionF1: 1 });
    expect(lesionMetrics({ pred: empty, truth: one, dims, spacingMm: [1, 1, 1] })).toMatchObject({ lesionPrecision: 0, lesionRecall: 0, lesionF1: 0 });
    expect(lesionMetrics({ pred: one, truth: empty, dims, spacingMm: [1, 1, 1] })).toMatchObject({ lesionPrecision: 0, lesionRecall: 0, lesionF1: 0, lesionCountDifference: 1 });
  });
});

describe('the lesion filter', () => {
  /** A map with lesions of known peaks: each blob's voxels get 0.5 + its index-dependent rise. */
  function mapOf(mask: Uint8Array, dims: Vec3, seed: number): Float32Array {
    const cc = labelComponents(mask, dims, 26);
    const rng = createRng(seed);
    const peak = Array.from({ length: cc.count + 1 }, () => 0.5 + 0.5 * rng());
    return Float32Array.from(cc.labels, (l) => (l === 0 ? 0.1 * rng() : peak[l] * (0.9 + 0.1 * rng())));
  }

  it('keeps exactly the lesions whose volume and peak reach the rule', () => {
    const dims: Vec3 = [24, 20, 16];
    const mask = blobs(dims, 14, 7, 4);
    const prob = mapOf(mask, dims, 3);
    const rule: LesionFilterRule = { minLesionMm3: 8, minConfidence: 0.7 };
    const f = filterLesions(mask, prob, dims, [1, 1, 1], rule);
    const cc = labelComponents(mask, dims, 26);
    for (let l = 1; l <= cc.count; l++) {
      const voxels = [...cc.labels.keys()].filter((v) => cc.labels[v] === l);
      const peak = Math.max(...voxels.map((v) => prob[v]));
      const kept = voxels.length >= 8 && peak >= 0.7;
      for (const v of voxels) {
        expect(f.mask[v]).toBe(kept ? 1 : 0);
        expect(f.removed[v]).toBe(kept ? 0 : 1);
      }
      expect(f.stats[l - 1]).toMatchObject({ voxels: voxels.length, volumeMm3: voxels.length, confidence: peak });
    }
    // something of each kind, or the test proves little
    expect(f.keep.slice(1).includes(1) && f.keep.slice(1).includes(0)).toBe(true);
  });

  it('removes the same lesions on a 1 mm grid and on a 0.5 mm grid of the same shapes', () => {
    // the 1 mm mask upsampled 2x along every axis covers the same mm^3 with 8x the voxels
    const dims: Vec3 = [16, 14, 12];
    const mask = blobs(dims, 10, 11, 3);
    const prob = mapOf(mask, dims, 5);
    const fine: Vec3 = [32, 28, 24];
    const up = <T extends Uint8Array | Float32Array>(src: T, out: T): T => {
      for (let k = 0; k < 24; k++) for (let j = 0; j < 28; j++) for (let i = 0; i < 32; i++) out[i + 32 * (j + 28 * k)] = src[(i >> 1) + 16 * ((j >> 1) + 14 * (k >> 1))];
      return out;
    };
    const rule: LesionFilterRule = { minLesionMm3: 6, minConfidence: 0 };
    const coarse = filterLesions(mask, prob, dims, [1, 1, 1], rule);
    const detailed = filterLesions(up(mask, new Uint8Array(32 * 28 * 24)), up(prob, new Float32Array(32 * 28 * 24)), fine, [0.5, 0.5, 0.5], rule);
    expect(up(coarse.mask, new Uint8Array(32 * 28 * 24))).toEqual(detailed.mask);
    expect(detailed.stats.map((s) => s.volumeMm3).sort((a, b) => a - b)).toEqual(coarse.stats.map((s) => s.volumeMm3).sort((a, b) => a - b));
    expect(coarse.keep.slice(1).includes(0) && coarse.keep.slice(1).includes(1)).toBe(true);
  });

  it('scores any kept set as evaluateSegmentation scores the filtered mask', () => {
    const dims: Vec3 = [22, 20, 18];
    for (let seed = 1; seed <= 6; seed++) {
      const mask = blobs(dims, 12, seed, 4);
      const truth = blobs(dims, 8, 50 + seed, 5);
      const prob = mapOf(mask, dims, seed);
      const pred = labelComponents(mask, dims, 26);
      const stats = componentStats(pred, prob, dims, [1, 0.9, 1.2]);
      const overlaps = lesionOverlaps(pred, labelComponents(truth, dims, 26), [1, 0.9, 1.2]);
      for (const rule of [{ minLesionMm3: 0, minConfidence: 0 }, { minLesionMm3: 10, minConfidence: 0.6 }, { minLesionMm3: 3, minConfidence: 0.9 }]) {
        const keep = keptLabels(stats, rule);
        const fast = scoresOfKept(overlaps, keep, 1.5, null);
        const filtered = filterLesions(mask, prob, dims, [1, 0.9, 1.2], rule).mask;
        const slow = evaluateSegmentation({ pred: filtered, truth, dims, spacingMm: [1, 0.9, 1.2] });
        for (const [key, value] of Object.entries(slow)) expect((fast as unknown as Record<string, number>)[key], key).toBeCloseTo(value as number, 9);
      }
    }
  });
});
