/**
 * Lesion-wise metrics as in the ISBI 2015 longitudinal MS lesion challenge: a lesion is a
 * 26-connected component; a truth lesion is detected when any of its voxels is predicted, and a
 * predicted lesion is false when none of its voxels is in the truth.
 *
 * The rules, as the README states them: lesion-wise recall (TPR) = detected truth lesions / truth
 * lesions; lesion-wise precision = predicted lesions that touch the truth / predicted lesions
 * (= 1 - FPR); lesion-wise F1 = 2 P R / (P + R); the count difference is predicted - truth lesions.
 */
import { type ComponentLabels, type Connectivity, labelComponents } from './components.ts';
import type { Vec3 } from './types.ts';
import { voxelVolumeMl } from './volume.ts';

/** Lesion-wise detection scores and total lesion volumes. */
export interface LesionMetrics {
  /** Detected truth lesions / truth lesions (lesion-wise sensitivity); see `lesionMetrics` for 0/0. */
  lesionTPR: number;
  /** Predicted lesions touching no truth voxel / predicted lesions; 0 when nothing is predicted. */
  lesionFPR: number;
  /** Predicted lesions touching the truth / predicted lesions; 0/0 as in ./metrics.ts (1 when both are empty). */
  lesionPrecision: number;
  /** The same as lesionTPR, under the name the F1 pairs it with. */
  lesionRecall: number;
  /** 2 P R / (P + R) of lesionPrecision and lesionRecall; 0 when both are 0. */
  lesionF1: number;
  /** lesionCountPred - lesionCountTruth. */
  lesionCountDifference: number;
  lesionCountPred: number;
  lesionCountTruth: number;
  /** Total predicted lesion volume in millilitres. */
  volumePredMl: number;
  /** Total true lesion volume in millilitres. */
  volumeTruthMl: number;
}

/** Inputs of `lesionMetrics`: binary masks (non-zero = lesion) on the same grid. */
export interface LesionMetricsInput {
  pred: ArrayLike<number>;
  truth: ArrayLike<number>;
  dims: Vec3;
  /** Voxel size in mm along i, j, k (volumes are voxels x product / 1000 mL). */
  spacingMm: Vec3;
  /** Default 26. */
  connectivity?: Connectivity;
  /** Components already labelled (with `connectivity`), e.g. a reference scored at many thresholds. */
  components?: { pred?: ComponentLabels; truth?: ComponentLabels };
}

/**
 * Lesion TPR/FPR, lesion counts and total lesion volumes (mL) of a predicted mask against the truth.
 * 0/0 convention as in ./metrics.ts: lesionTPR is 1 when there are no truth lesions and no predicted
 * lesions, 0 when there are no truth lesions but some are predicted; lesionFPR is 0 when no lesion
 * is predicted (nothing predicted, nothing false).
 *
 * @example lesionMetrics({ pred, truth, dims: [182, 218, 182], spacingMm: [1, 1, 1] }).lesionTPR
 */
export function lesionMetrics(input: LesionMetricsInput): LesionMetrics {
  const { pred, truth, dims, spacingMm, connectivity = 26, components } = input;
  if (pred.length !== truth.length) {
    throw new Error(`prediction has ${pred.length} voxels but truth has ${truth.length}; they must be on the same grid`);
  }
  const predCc = components?.pred ?? labelComponents(pred, dims, connectivity);
  const truthCc = components?.truth ?? labelComponents(truth, dims, connectivity);
  const truthHit = new Uint8Array(truthCc.count + 1);
  const predHit = new Uint8Array(predCc.count + 1);
  for (let v = 0; v < pred.length; v++) {
    const p = predCc.labels[v];
    const t = truthCc.labels[v];
    if (p !== 0 && t !== 0) {
      truthHit[t] = 1;
      predHit[p] = 1;
    }
  }
  const voxelMl = voxelVolumeMl(spacingMm);
  return {
    ...lesionRates(sum(truthHit), truthCc.count, sum(predHit), predCc.count),
    volumePredMl: sum(predCc.sizes) * voxelMl,
    volumeTruthMl: sum(truthCc.sizes) * voxelMl,
  };
}

/**
 * The lesion-wise rates and counts from `detected` of `truthCount` truth lesions and `truePred` of
 * `predCount` predicted lesions touching the truth (the 0/0 conventions of `lesionMetrics`).
 */
export function lesionRates(detected: number, truthCount: number, truePred: number, predCount: number): Omit<LesionMetrics, 'volumePredMl' | 'volumeTruthMl'> {
  let lesionTPR: number;
  if (truthCount > 0) lesionTPR = detected / truthCount;
  else lesionTPR = predCount === 0 ? 1 : 0;
  let lesionPrecision: number;
  if (predCount > 0) lesionPrecision = truePred / predCount;
  else lesionPrecision = truthCount === 0 ? 1 : 0;
  const pr = lesionPrecision + lesionTPR;
  return {
    lesionTPR,
    lesionFPR: predCount > 0 ? (predCount - truePred) / predCount : 0,
    lesionPrecision,
    lesionRecall: lesionTPR,
    lesionF1: pr > 0 ? (2 * lesionPrecision * lesionTPR) / pr : 0,
    lesionCountPred: predCount,
    lesionCountTruth: truthCount,
    lesionCountDifference: predCount - truthCount,
  };
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
