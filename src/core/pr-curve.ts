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
 * Cost: two typed-array sorts of the non-zero scores. Scores of exactly 0 (outside the brain, where
 * no patch ran: 6.1 M of a 182x218x182 map's 7.2 M voxels) are only counted, not sorted.
 *
 * @example precisionRecallCurve(new Float32Array([0.1, 0.4, 0.35, 0.8]), [0, 0, 1, 1]).thresholds
 * // [0.1, 0.35, 0.4, 0.8] (as float32)
 */
export function precisionRecallCurve(
  prob: Float32Array,
  truth: ArrayLike<number>,
  within?: ArrayLike<number>,
): PrCurve {
  const { pos, neg, posZeros, negZeros } = splitScores(prob, truth, within);
  pos.sort();
  neg.sort();
  const totalPos = pos.length + posZeros;
  // Walk distinct thresholds from the highest down, accumulating tp and fp; the zeros join as one
  // threshold where 0 falls among the sorted scores.
  const most = pos.length + neg.length + 1;
  const thr = new Float64Array(most);
  const tps = new Float64Array(most);
  const fps = new Float64Array(most);
  let m = 0;
  let ip = pos.length - 1;
  let ineg = neg.length - 1;
  let zerosPending = posZeros + negZeros > 0;
  let tpZeros = 0;
  let fpZeros = 0;
  while (ip >= 0 || ineg >= 0 || zerosPending) {
    const t = Math.max(ip >= 0 ? pos[ip] : -Infinity, ineg >= 0 ? neg[ineg] : -Infinity, zerosPending ? 0 : -Infinity);
    while (ip >= 0 && pos[ip] === t) ip--;
    while (ineg >= 0 && neg[ineg] === t) ineg--;
    if (zerosPending && t === 0) {
      zerosPending = false;
      tpZeros = posZeros;
      fpZeros = negZeros;
    }
    thr[m] = t;
    tps[m] = pos.length - 1 - ip + tpZeros;
    fps[m] = neg.length - 1 - ineg + fpZeros;
    m++;
  }
  return curveFromDescending(thr.subarray(0, m), tps.subarray(0, m), fps.subarray(0, m), totalPos);
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
export function curveFromDescending(
  thr: ArrayLike<number>,
  tps: ArrayLike<number>,
  fps: ArrayLike<number>,
  totalPos: number,
): PrCurve {
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

/**
 * Non-zero scores of truth-positive and truth-negative voxels (inside `within`), as two new arrays,
 * and how many of each class scored exactly 0.
 */
function splitScores(
  prob: Float32Array,
  truth: ArrayLike<number>,
  within?: ArrayLike<number>,
): { pos: Float32Array; neg: Float32Array; posZeros: number; negZeros: number } {
  const n = prob.length;
  checkLengths(n, truth, within);
  let nPos = 0;
  let nNeg = 0;
  let posZeros = 0;
  let negZeros = 0;
  for (let v = 0; v < n; v++) {
    if (within && !(within[v] > 0)) continue;
    const p = prob[v];
    if (Number.isNaN(p)) throw new Error(`probability map has NaN at voxel ${v}`);
    if (truth[v] > 0) {
      if (p === 0) posZeros++;
      else nPos++;
    } else if (p === 0) negZeros++;
    else nNeg++;
  }
  const pos = new Float32Array(nPos);
  const neg = new Float32Array(nNeg);
  let a = 0;
  let c = 0;
  for (let v = 0; v < n; v++) {
    if ((within && !(within[v] > 0)) || prob[v] === 0) continue;
    if (truth[v] > 0) pos[a++] = prob[v];
    else neg[c++] = prob[v];
  }
  return { pos, neg, posZeros, negZeros };
}

function checkLengths(n: number, truth: ArrayLike<number>, within?: ArrayLike<number>): void {
  if (truth.length !== n) throw new Error(`probability map has ${n} voxels but truth has ${truth.length}`);
  if (within && within.length !== n) throw new Error(`'within' mask has ${within.length} voxels, expected ${n}`);
}
