/**
 * Every metric of a probability map against a truth mask at every threshold, computed once, so that
 * a beta or threshold slider reads its numbers in O(1) (a table lookup) instead of re-scoring the
 * volume on every move.
 *
 * Thresholds are the edges of a 2-class score histogram (positives and negatives per bin) spaced
 * evenly in logit space, edges[b] = sigmoid(16 (2b / bins - 1)) (edges[0] = 0): a network's sigmoid output
 * crowds near 0 and 1, where even bins in [0, 1] would lump most lesion voxels into the top bin. A
 * voxel is in bin b when edges[b] <= p < edges[b + 1], so it is predicted at edge b (`prob >=
 * edges[b]`) exactly when its bin is >= b, and the tables are exact at the edges: voxel counts, and
 * lesion-wise counts (26-connected components, ISBI 2015 rules) by a union-find
 * over the voxels in decreasing-score order (a component tree).
 */
import { labelComponents, neighbourSteps } from './components.ts';
import { curveFromDescending, type PrCurve } from './pr-curve.ts';
import type { Vec3 } from './types.ts';

/** Counts of truth-positive and truth-negative voxels per score bin. */
export interface ProbHistogram {
  bins: number;
  positives: Float64Array;
  negatives: Float64Array;
}

/** Per-edge tables of a probability map against its truth; index b is threshold b / bins, index bins predicts nothing. */
export interface ThresholdSweep {
  /** Increasing thresholds, edges[0] = 0; index bins (past the end) predicts nothing. */
  edges: Float64Array;
  histogram: ProbHistogram;
  /** Voxels predicted and true (length bins + 1). */
  tpAt: Float64Array;
  /** Voxels predicted and not true (length bins + 1). */
  fpAt: Float64Array;
  /** Predicted 26-connected components (length bins + 1). */
  predLesionsAt: Float64Array;
  /** Predicted components touching no truth voxel (length bins + 1). */
  falseLesionsAt: Float64Array;
  /** Truth components with at least one predicted voxel (length bins + 1). */
  detectedLesionsAt: Float64Array;
  truthVoxels: number;
  voxels: number;
  truthLesions: number;
}

/**
 * Builds the sweep of `prob` (scores in [0, 1]) against `truth` (> 0 is lesion) on a grid of `dims`.
 * Cost O(voxels x 26) once (about 1 s for 182x218x182 in a browser); voxels in bin 0 (scores below
 * 1 / bins, e.g. everything outside the brain) are never visited: at edge 0 every voxel is
 * predicted, one component.
 *
 * @example const s = thresholdSweep(prob, truth, [64, 76, 64]); s.tpAt[2048] // tp at threshold 0.5
 */
export function thresholdSweep(prob: Float32Array, truth: ArrayLike<number>, dims: Vec3, bins = 4096): ThresholdSweep {
  if (!Number.isInteger(bins) || bins < 2) throw new Error(`bins must be an integer of at least 2, got ${bins}`);
  const n = dims[0] * dims[1] * dims[2];
  if (prob.length !== n) throw new Error(`probability map has ${prob.length} voxels but dims [${dims.join(', ')}] need ${n}`);
  if (truth.length !== n) throw new Error(`truth has ${truth.length} voxels but dims [${dims.join(', ')}] need ${n}`);
  const edges = logitEdges(bins);
  const binOf = new Uint16Array(n);
  const histogram: ProbHistogram = { bins, positives: new Float64Array(bins), negatives: new Float64Array(bins) };
  for (let v = 0; v < n; v++) {
    if (Number.isNaN(prob[v])) throw new Error(`probability map has NaN at voxel ${v}`);
    const b = edgeBin(edges, prob[v]);
    binOf[v] = b;
    if (truth[v] > 0) histogram.positives[b]++;
    else histogram.negatives[b]++;
  }
  const tpAt = new Float64Array(bins + 1);
  const fpAt = new Float64Array(bins + 1);
  for (let b = bins - 1; b >= 0; b--) {
    tpAt[b] = tpAt[b + 1] + histogram.positives[b];
    fpAt[b] = fpAt[b + 1] + histogram.negatives[b];
  }
  const truthCc = labelComponents(truth, dims, 26);
  return {
    edges, histogram, tpAt, fpAt,
    ...componentTree(binOf, truth, dims, histogram),
    detectedLesionsAt: detectedLesions(binOf, truthCc.labels, truthCc.count, bins),
    truthVoxels: tpAt[0], voxels: n, truthLesions: truthCc.count,
  };
}

/**
 * The precision-recall curve of a sweep (./pr-curve.ts's layout), one point per non-empty bin at its
 * lower edge, read from the sweep's cumulative tables.
 */
export function sweepCurve(sweep: ThresholdSweep): PrCurve {
  const { edges, histogram, tpAt, fpAt } = sweep;
  const thr: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  for (let b = histogram.bins - 1; b >= 0; b--) {
    if (histogram.positives[b] === 0 && histogram.negatives[b] === 0) continue;
    thr.push(edges[b]);
    tps.push(tpAt[b]);
    fps.push(fpAt[b]);
  }
  return curveFromDescending(thr, tps, fps, sweep.truthVoxels);
}

/** The edges sigmoid(16 (2b / bins - 1)) for b = 1..bins-1, and edges[0] = 0. */
export function logitEdges(bins: number): Float64Array {
  const edges = new Float64Array(bins);
  for (let b = 1; b < bins; b++) edges[b] = 1 / (1 + Math.exp(-16 * ((2 * b) / bins - 1)));
  return edges;
}

/** The bin of a score: the largest b with edges[b] <= p (0 for p < edges[1], including p <= 0). */
export function edgeBin(edges: Float64Array, p: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (p >= edges[mid]) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** detected[b] = truth lesions whose highest score lies in bin >= b. */
function detectedLesions(binOf: Uint16Array, labels: Int32Array, count: number, bins: number): Float64Array {
  const topBin = new Int32Array(count + 1).fill(-1);
  for (let v = 0; v < labels.length; v++) {
    const l = labels[v];
    if (l !== 0) topBin[l] = Math.max(topBin[l], binOf[v]);
  }
  const detected = new Float64Array(bins + 1);
  for (let l = 1; l <= count; l++) detected[topBin[l]]++;
  for (let b = bins - 1; b >= 0; b--) detected[b] += detected[b + 1];
  return detected;
}

/**
 * Predicted components (and those touching the truth) at every edge: voxels join in decreasing
 * bin order and merge with their already-joined 26-neighbours (union-find with path halving).
 */
function componentTree(
  binOf: Uint16Array, truth: ArrayLike<number>, dims: Vec3, histogram: ProbHistogram,
): { predLesionsAt: Float64Array; falseLesionsAt: Float64Array } {
  const { bins } = histogram;
  const n = binOf.length;
  const order = votersByBin(binOf, histogram);
  const parent = new Int32Array(n).fill(-1);
  const touches = new Uint8Array(n);
  const find = (v: number): number => {
    while (parent[v] !== v) {
      parent[v] = parent[parent[v]];
      v = parent[v];
    }
    return v;
  };
  const [nx, ny, nz] = dims;
  const steps = neighbourSteps(26);
  const predLesionsAt = new Float64Array(bins + 1);
  const falseLesionsAt = new Float64Array(bins + 1);
  let components = 0;
  let touching = 0;
  let next = 0;
  for (let b = bins - 1; b >= 1; b--) {
    const end = next + histogram.positives[b] + histogram.negatives[b];
    for (; next < end; next++) {
      const v = order[next];
      parent[v] = v;
      components++;
      if (truth[v] > 0) {
        touches[v] = 1;
        touching++;
      }
      const i = v % nx;
      const j = Math.floor(v / nx) % ny;
      const k = Math.floor(v / (nx * ny));
      for (const [di, dj, dk] of steps) {
        const a = i + di;
        const c = j + dj;
        const d = k + dk;
        if (a < 0 || c < 0 || d < 0 || a >= nx || c >= ny || d >= nz) continue;
        const u = a + nx * (c + ny * d);
        if (parent[u] < 0) continue;
        const ru = find(u);
        const rv = find(v);
        if (ru === rv) continue;
        parent[ru] = rv;
        components--;
        if (touches[ru] && touches[rv]) touching--;
        touches[rv] |= touches[ru];
      }
    }
    predLesionsAt[b] = components;
    falseLesionsAt[b] = components - touching;
  }
  // edge 0: every voxel is predicted, one component (touching the truth when there is any)
  predLesionsAt[0] = n > 0 ? 1 : 0;
  falseLesionsAt[0] = n > 0 && histogram.positives.some((c) => c > 0) ? 0 : predLesionsAt[0];
  return { predLesionsAt, falseLesionsAt };
}

/** Voxel indices sorted by bin, highest bin first (a counting sort; order within a bin is memory order). */
function votersByBin(binOf: Uint16Array, histogram: ProbHistogram): Uint32Array {
  const { bins } = histogram;
  const start = new Float64Array(bins + 1);
  for (let b = bins - 1; b >= 0; b--) start[b] = start[b + 1] + histogram.positives[b] + histogram.negatives[b];
  // start[b] = voxels in bins >= b, so bin b's slots begin after the start[b + 1] voxels of higher bins
  const cursor = new Float64Array(bins);
  for (let b = 0; b < bins; b++) cursor[b] = start[b + 1];
  const order = new Uint32Array(binOf.length);
  for (let v = 0; v < binOf.length; v++) order[cursor[binOf[v]]++] = v;
  return order;
}
