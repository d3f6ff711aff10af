/**
 * Precision-recall curves and average precision (AP), threshold-free companions of the voxel metrics.
 *
 * `precisionRecallCurve` is exact (sorts the scores, one point per distinct score, as scikit-learn's
 * `precision_recall_curve`); the live sliders read the binned curve of ./threshold-sweep.ts.
 * A voxel is predicted positive at threshold t when `prob >= t`; truth is positive when `truth > 0`.
 */

/**
 * A precision-recall curve laid out as scikit-learn's: `thresholds` ascending (length m), `precision`
 * and `recall` of length m + 1 where entry n belongs to `thresholds[n]` and the last entry is the
 * closing point (precision 1, recall 0). Recall is therefore non-increasing along the arrays.
 */
export interface PrCurve {
  precision: Float64Array;
  recall: Float64Array;
  thresholds: Float64Array;
}

/**
 * Exact precision-recall curve over all voxels (or those where `within` is non-zero).
 * When the truth has no positive voxel, recall is 1 at every threshold (scikit-learn's choice).
 * Cost: two typed-array sorts, fine for a 182x218x182 volume (~1 s).
 *
 * @example precisionRecallCurve(new Float32Array([0.1, 0.4, 0.35, 0.8]), [0, 0, 1, 1]).thresholds
 * // [0.1, 0.35, 0.4, 0.8] (as float32)
 */
export function precisionRecallCurve(
  prob: Float32Array,
  truth: ArrayLike<number>,
  within?: ArrayLike<number>,
): PrCurve {
  const { pos, neg } = splitScores(prob, truth, within);
  pos.sort();
  neg.sort();
  const totalPos = pos.length;
  // Walk distinct thresholds from the highest down, accumulating tp and fp.
  const thr: number[] = [];
  const tps: number[] = [];
  const fps: number[] = [];
  let ip = pos.length - 1;
  let ineg = neg.length - 1;
  while (ip >= 0 || ineg >= 0) {
    const t = Math.max(ip >= 0 ? pos[ip] : -Infinity, ineg >= 0 ? neg[ineg] : -Infinity);
    while (ip >= 0 && pos[ip] === t) ip--;
    while (ineg >= 0 && neg[ineg] === t) ineg--;
    thr.push(t);
    tps.push(pos.length - 1 - ip);
    fps.push(neg.length - 1 - ineg);
  }
  return curveFromDescending(thr, tps, fps, totalPos);
}

/**
 * Average precision as scikit-learn defines it (no interpolation): AP = sum_n (R_n - R_{n-1}) P_n
 * over thresholds from high to low. 0 when the truth has no positive voxel.
 *
 * @example averagePrecision(new Float32Array([0.1, 0.4, 0.35, 0.8]), [0, 0, 1, 1]) // 0.8333...
 */
export function averagePrecision(prob: Float32Array, truth: ArrayLike<number>, within?: ArrayLike<number>): number {
  return averagePrecisionFromCurve(precisionRecallCurve(prob, truth, within));
}

/** AP of a curve in the `PrCurve` layout: sum over steps of (recall gain) x (precision at the step). */
export function averagePrecisionFromCurve(curve: PrCurve): number {
  const { precision, recall } = curve;
  let ap = 0;
  for (let n = 0; n < recall.length - 1; n++) ap += (recall[n] - recall[n + 1]) * precision[n];
  return ap;
}

/** Builds a `PrCurve` from points listed from the highest threshold down (cumulative tp, fp). */
export function curveFromDescending(thr: number[], tps: number[], fps: number[], totalPos: number): PrCurve {
  const m = thr.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const thresholds = new Float64Array(m);
  for (let n = 0; n < m; n++) {
    const out = m - 1 - n; // ascending thresholds
    thresholds[out] = thr[n];
    precision[out] = tps[n] / (tps[n] + fps[n]);
    recall[out] = totalPos > 0 ? tps[n] / totalPos : 1;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds };
}

/** Scores of truth-positive and truth-negative voxels (inside `within`), as two new arrays. */
function splitScores(
  prob: Float32Array,
  truth: ArrayLike<number>,
  within?: ArrayLike<number>,
): { pos: Float32Array; neg: Float32Array } {
  const n = prob.length;
  checkLengths(n, truth, within);
  let nPos = 0;
  let nAll = 0;
  for (let v = 0; v < n; v++) {
    if (within && !(within[v] > 0)) continue;
    if (Number.isNaN(prob[v])) throw new Error(`probability map has NaN at voxel ${v}`);
    nAll++;
    if (truth[v] > 0) nPos++;
  }
  const pos = new Float32Array(nPos);
  const neg = new Float32Array(nAll - nPos);
  let a = 0;
  let c = 0;
  for (let v = 0; v < n; v++) {
    if (within && !(within[v] > 0)) continue;
    if (truth[v] > 0) pos[a++] = prob[v];
    else neg[c++] = prob[v];
  }
  return { pos, neg };
}

function checkLengths(n: number, truth: ArrayLike<number>, within?: ArrayLike<number>): void {
  if (truth.length !== n) throw new Error(`probability map has ${n} voxels but truth has ${truth.length}`);
  if (within && within.length !== n) throw new Error(`'within' mask has ${within.length} voxels, expected ${n}`);
}
