/**
 * Lesion-wise metrics as in the ISBI 2015 longitudinal MS lesion challenge: a lesion is a
 * 26-connected component; a truth lesion is detected when any of its voxels is predicted, and a
 * predicted lesion is false when none of its voxels is in the truth.
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
  const detected = sum(truthHit);
  const falsePred = predCc.count - sum(predHit);
  const voxelMl = voxelVolumeMl(spacingMm);
  let lesionTPR: number;
  if (truthCc.count > 0) lesionTPR = detected / truthCc.count;
  else lesionTPR = predCc.count === 0 ? 1 : 0;
  return {
    lesionTPR,
    lesionFPR: predCc.count > 0 ? falsePred / predCc.count : 0,
    lesionCountPred: predCc.count,
    lesionCountTruth: truthCc.count,
    volumePredMl: sum(predCc.sizes) * voxelMl,
    volumeTruthMl: sum(truthCc.sizes) * voxelMl,
  };
}

function sum(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s;
}
