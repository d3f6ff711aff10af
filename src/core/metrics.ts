/**
 * Voxel-wise segmentation metrics from a binary confusion matrix: precision, recall, specificity,
 * Dice (= F1), F2, F-beta and relative volume difference.
 *
 * Convention for ratios whose denominator is 0 (used throughout this module and its callers): the
 * value is 1 when prediction and truth agree on every voxel (fp = fn = 0, e.g. both empty), else 0.
 */

/** Voxel counts of a binary confusion matrix. */
export interface ConfusionCounts {
  /** Predicted positive and truly positive. */
  tp: number;
  /** Predicted positive, truly negative. */
  fp: number;
  /** Predicted negative, truly positive. */
  fn: number;
  /** Predicted negative and truly negative. */
  tn: number;
}

/** Voxel-wise metrics; all ratios lie in [0, 1] except `volumeDifference`. */
export interface VoxelMetrics {
  /** tp / (tp + fp), positive predictive value. */
  precision: number;
  /** tp / (tp + fn), sensitivity, true positive rate. */
  recall: number;
  /** tn / (tn + fp), true negative rate. */
  specificity: number;
  /** 2 tp / (2 tp + fp + fn), equal to F1. */
  dice: number;
  /** F-beta with beta = 2. */
  f2: number;
  /** F-beta with the requested `beta`. */
  fbeta: number;
  /** The beta used for `fbeta`. */
  beta: number;
  /**
   * Signed relative volume difference (predicted - true positives) / true positives: 0 is perfect,
   * -1 means nothing predicted, +0.5 means 50% over-segmentation. 0 when both are empty and
   * +Infinity when the truth is empty but the prediction is not.
   */
  volumeDifference: number;
}

/**
 * Counts tp/fp/fn/tn. A predicted voxel is positive when `pred > 0.5` (so a probability map or a 0/1
 * mask both work); a truth voxel is positive when `truth > 0`. With `within`, only voxels where
 * `within` is non-zero are counted (e.g. a brain mask).
 *
 * @example confusionCounts([1, 0, 1, 0], [1, 1, 0, 0]) // { tp: 1, fp: 1, fn: 1, tn: 1 }
 */
export function confusionCounts(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  within?: ArrayLike<number>,
): ConfusionCounts {
  const n = pred.length;
  if (truth.length !== n) {
    throw new Error(`prediction has ${n} voxels but truth has ${truth.length}; they must be on the same grid`);
  }
  if (within && within.length !== n) {
    throw new Error(`'within' mask has ${within.length} voxels but the prediction has ${n}`);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let v = 0; v < n; v++) {
    if (within && !(within[v] > 0)) continue;
    const p = pred[v] > 0.5;
    const t = truth[v] > 0;
    if (p) {
      if (t) tp++;
      else fp++;
    } else if (t) fn++;
    else tn++;
  }
  return { tp, fp, fn, tn };
}

/**
 * F-beta = (1 + beta^2) tp / ((1 + beta^2) tp + beta^2 fn + fp); beta > 1 weighs recall more.
 * 1 when fp = fn = 0 (including both masks empty).
 */
export function fBetaFromCounts(counts: ConfusionCounts, beta: number): number {
  if (!(beta > 0) || !Number.isFinite(beta)) throw new Error(`beta must be a positive number, got ${beta}`);
  const b2 = beta * beta;
  const { tp, fp, fn } = counts;
  return safeRatio((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp, counts);
}

/**
 * Voxel-wise metrics from counts, with F-beta for `beta` (default 1.5). See the module comment for
 * the 0/0 convention.
 *
 * @example voxelMetrics({ tp: 1, fp: 1, fn: 1, tn: 1 }).dice // 0.5
 */
export function voxelMetrics(counts: ConfusionCounts, beta = 1.5): VoxelMetrics {
  const { tp, fp, fn, tn } = counts;
  const predPositives = tp + fp;
  const truthPositives = tp + fn;
  let volumeDifference: number;
  if (truthPositives > 0) volumeDifference = (predPositives - truthPositives) / truthPositives;
  else volumeDifference = predPositives === 0 ? 0 : Number.POSITIVE_INFINITY;
  return {
    precision: safeRatio(tp, tp + fp, counts),
    recall: safeRatio(tp, tp + fn, counts),
    specificity: safeRatio(tn, tn + fp, counts),
    dice: safeRatio(2 * tp, 2 * tp + fp + fn, counts),
    f2: fBetaFromCounts(counts, 2),
    fbeta: fBetaFromCounts(counts, beta),
    beta,
    volumeDifference,
  };
}

/** num / den, or (when den is 0) 1 if prediction and truth agree everywhere, else 0. */
function safeRatio(num: number, den: number, counts: ConfusionCounts): number {
  if (den > 0) return num / den;
  return counts.fp === 0 && counts.fn === 0 ? 1 : 0;
}
