/**
 * One-call evaluation of a segmentation against the truth: voxel-wise metrics, average precision
 * (when a probability map is given) and lesion-wise metrics, as one flat record for the app and CLI.
 */
import type { ComponentLabels } from './components.ts';
import { lesionMetrics, type LesionMetrics } from './lesion-metrics.ts';
import { confusionCounts, voxelMetrics } from './metrics.ts';
import { averagePrecision } from './pr-curve.ts';
import type { Vec3 } from './types.ts';

/** Inputs of `evaluateSegmentation`. All arrays share one grid of dims[0] * dims[1] * dims[2] voxels. */
export interface EvaluateInput {
  /** Predicted mask (0/1) or probability map; a voxel is lesion when > 0.5. */
  pred: Uint8Array | Float32Array;
  /** Truth mask; a voxel is lesion when > 0. */
  truth: Uint8Array | Float32Array;
  dims: Vec3;
  /** Voxel size in mm, for volumes in mL. */
  spacingMm: Vec3;
  /** Lesion probability per voxel; enables `ap`. */
  prob?: Float32Array;
  /** Beta of `fbeta`, default 1.5 (beta > 1 weighs recall more). */
  beta?: number;
  /**
   * Parts already computed, for a map scored at many thresholds: the AP of `prob` (it does not
   * depend on the threshold) and the 26-connected components of `pred` (as a mask) and `truth`.
   */
  known?: { ap?: number; predComponents?: ComponentLabels; truthComponents?: ComponentLabels };
}

/** Flat evaluation record; ratios follow the 0/0 convention of ./metrics.ts. */
export interface EvaluationReport extends LesionMetrics {
  dice: number;
  precision: number;
  recall: number;
  specificity: number;
  f2: number;
  fbeta: number;
  beta: number;
  /** Average precision (scikit-learn's definition, exact) of `prob`; null without `prob`. */
  ap: number | null;
  /** volumePredMl - volumeTruthMl (signed, mL). */
  volumeDifferenceMl: number;
  /** |volumePredMl - volumeTruthMl| (mL), the absolute volume difference. */
  volumeAbsDifferenceMl: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/**
 * Evaluates `pred` against `truth` (26-connected lesions). Throws when the arrays do not match
 * `dims` or beta is not positive.
 *
 * @example evaluateSegmentation({ pred, truth, dims: [182, 218, 182], spacingMm: [1, 1, 1] }).dice
 */
export function evaluateSegmentation(input: EvaluateInput): EvaluationReport {
  const { pred, truth, dims, spacingMm, prob, beta = 1.5, known } = input;
  const n = dims[0] * dims[1] * dims[2];
  const check = (name: string, a: { length: number } | undefined): void => {
    if (a && a.length !== n) {
      throw new Error(`${name} has ${a.length} voxels but dims [${dims.join(', ')}] need ${n}; are they on the same grid?`);
    }
  };
  check('prediction', pred);
  check('truth', truth);
  check('probability map', prob);
  const counts = confusionCounts(pred, truth);
  const voxel = voxelMetrics(counts, beta);
  const predMask = binarize(pred, 0.5);
  const truthMask = binarize(truth, 0);
  const lesion = lesionMetrics({
    pred: predMask, truth: truthMask, dims, spacingMm, connectivity: 26,
    components: { pred: known?.predComponents, truth: known?.truthComponents },
  });
  return {
    dice: voxel.dice,
    precision: voxel.precision,
    recall: voxel.recall,
    specificity: voxel.specificity,
    f2: voxel.f2,
    fbeta: voxel.fbeta,
    beta,
    ap: prob ? known?.ap ?? averagePrecision(prob, truth) : null,
    ...lesion,
    volumeDifferenceMl: lesion.volumePredMl - lesion.volumeTruthMl,
    volumeAbsDifferenceMl: Math.abs(lesion.volumePredMl - lesion.volumeTruthMl),
    ...counts,
  };
}

/** 1 where value > cut, else 0. */
function binarize(values: ArrayLike<number>, cut: number): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let v = 0; v < values.length; v++) out[v] = values[v] > cut ? 1 : 0;
  return out;
}
