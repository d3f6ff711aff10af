/**
 * Reading a threshold sweep (./threshold-sweep.ts): the metrics at one threshold in O(1), and the
 * threshold that maximises F-beta for a beta in O(bins). This is what the beta and threshold
 * sliders call on every move.
 */
import { voxelMetrics, type VoxelMetrics } from './metrics.ts';
import { bestThresholdForBeta } from './pr-curve.ts';
import type { ThresholdSweep } from './threshold-sweep.ts';

/** Voxel-wise and lesion-wise scores at one threshold (0/0 conventions of ./metrics.ts and ./lesion-metrics.ts). */
export interface OperatingPoint extends VoxelMetrics {
  /** The bin edge used: voxels with prob >= threshold are lesion; Infinity means nothing is predicted. */
  threshold: number;
  lesionTPR: number;
  lesionFPR: number;
  lesionCountPred: number;
  lesionCountTruth: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * The sweep's edge index for a threshold: the lowest edge b / bins at or above it (so `prob >= t`
 * and `bin >= b` select the same voxels when t is an edge); `bins` (nothing predicted, not even
 * scores of exactly 1) above the last edge (bins - 1) / bins.
 *
 * @example edgeIndex(0.5, 4096) // 2048
 */
export function edgeIndex(threshold: number, bins: number): number {
  if (Number.isNaN(threshold)) throw new Error('threshold is NaN');
  if (threshold > 1) return bins;
  return Math.min(bins, Math.max(0, Math.ceil(threshold * bins)));
}

/** The threshold of an edge index (Infinity for `bins`, nothing predicted). */
export function edgeThreshold(edge: number, bins: number): number {
  return edge >= bins ? Number.POSITIVE_INFINITY : edge / bins;
}

/** Metrics at `threshold` (snapped up to the next bin edge, see `edgeIndex`), F-beta at `beta`. */
export function operatingPoint(sweep: ThresholdSweep, threshold: number, beta: number): OperatingPoint {
  const { bins } = sweep.histogram;
  const b = edgeIndex(threshold, bins);
  const tp = sweep.tpAt[b];
  const fp = sweep.fpAt[b];
  const fn = sweep.truthVoxels - tp;
  const tn = sweep.voxels - tp - fp - fn;
  const predLesions = sweep.predLesionsAt[b];
  let lesionTPR: number;
  if (sweep.truthLesions > 0) lesionTPR = sweep.detectedLesionsAt[b] / sweep.truthLesions;
  else lesionTPR = predLesions === 0 ? 1 : 0;
  return {
    ...voxelMetrics({ tp, fp, fn, tn }, beta),
    threshold: edgeThreshold(b, bins),
    lesionTPR,
    lesionFPR: predLesions > 0 ? sweep.falseLesionsAt[b] / predLesions : 0,
    lesionCountPred: predLesions,
    lesionCountTruth: sweep.truthLesions,
    tp, fp, fn, tn,
  };
}

/**
 * The operating point that maximises F-beta (the highest threshold among ties); the lowest edge
 * (every voxel lesion) is never chosen, so the threshold stays in (0, 1] or is Infinity.
 */
export function bestOperatingPoint(sweep: ThresholdSweep, beta: number): OperatingPoint {
  const best = bestThresholdForBeta(sweep.histogram, beta);
  const threshold = best.threshold === 0 ? 1 / sweep.histogram.bins : best.threshold;
  return operatingPoint(sweep, threshold, beta);
}
