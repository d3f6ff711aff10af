/**
 * Reading a threshold sweep (./threshold-sweep.ts): the metrics at one threshold in O(1), and the
 * threshold that maximises F-beta for a beta in O(bins). This is what the beta and threshold
 * sliders call on every move.
 */
import { type LesionMetrics, lesionRates } from './lesion-metrics.ts';
import { fBetaFromCounts, voxelMetrics, type VoxelMetrics } from './metrics.ts';
import type { ThresholdSweep } from './threshold-sweep.ts';

/** Voxel-wise and lesion-wise scores at one threshold (0/0 conventions of ./metrics.ts and ./lesion-metrics.ts). */
export interface OperatingPoint extends VoxelMetrics, Omit<LesionMetrics, 'volumePredMl' | 'volumeTruthMl'> {
  /** The bin edge used: voxels with prob >= threshold are lesion; Infinity means nothing is predicted. */
  threshold: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * The sweep's edge index for a threshold: the lowest edge at or above it (so `prob >= t` and
 * `bin >= b` select the same voxels when t is an edge); edges.length (nothing predicted) above the
 * last edge.
 *
 * @example edgeIndex(0.5, logitEdges(4096)) // 2048 (the middle edge is sigmoid(0) = 0.5)
 */
export function edgeIndex(threshold: number, edges: Float64Array): number {
  if (Number.isNaN(threshold)) throw new Error('threshold is NaN');
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] >= threshold) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Metrics at `threshold` (snapped up to the next bin edge, see `edgeIndex`), F-beta at `beta`. */
export function operatingPoint(sweep: ThresholdSweep, threshold: number, beta: number): OperatingPoint {
  const { edges } = sweep;
  const b = edgeIndex(threshold, edges);
  const tp = sweep.tpAt[b];
  const fp = sweep.fpAt[b];
  const fn = sweep.truthVoxels - tp;
  const tn = sweep.voxels - tp - fp - fn;
  const predLesions = sweep.predLesionsAt[b];
  return {
    ...voxelMetrics({ tp, fp, fn, tn }, beta),
    threshold: b < edges.length ? edges[b] : Number.POSITIVE_INFINITY,
    ...lesionRates(sweep.detectedLesionsAt[b], sweep.truthLesions, predLesions - sweep.falseLesionsAt[b], predLesions),
    tp, fp, fn, tn,
  };
}

/**
 * The operating point that maximises F-beta over the edges (the highest threshold among ties); the
 * lowest edge (0: every voxel lesion) is never chosen, so the threshold lies in (0, 1). O(bins).
 */
export function bestOperatingPoint(sweep: ThresholdSweep, beta: number): OperatingPoint {
  const bins = sweep.edges.length;
  let best = bins - 1;
  let bestF = -1;
  for (let b = bins - 1; b >= 1; b--) {
    const tp = sweep.tpAt[b];
    const fp = sweep.fpAt[b];
    const f = fBetaFromCounts({ tp, fp, fn: sweep.truthVoxels - tp, tn: 0 }, beta);
    if (f > bestF) {
      bestF = f;
      best = b;
    }
  }
  return operatingPoint(sweep, sweep.edges[best], beta);
}
