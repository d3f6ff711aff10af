/**
 * Streaming weighted soft voting of patch predictions (method section 4):
 *   p(v) = sum_k w_k(v) p_k(v) / sum_k w_k(v)
 * Two running sums over the whole volume (sum w*p and sum w) are updated patch by patch, so no stack
 * of patch predictions is ever kept; the quotient is taken once at the end and checked for NaN/Inf.
 *
 * Worked example in 1D: length 6, patch 4, stride 2 -> starts 0, 2; order-1 window [1/3, 1, 1, 1/3].
 * Patch A (start 0) predicts 0.2 everywhere, patch B (start 2) predicts 0.8 everywhere.
 *   voxel      0       1     2               3               4     5
 *   sum w      1/3     1     1 + 1/3         1/3 + 1         1     1/3
 *   sum w*p    0.2/3   0.2   0.2 + 0.8/3     0.2/3 + 0.8     0.8   0.8/3
 *   p          0.2     0.2   0.4667/1.3333   0.8667/1.3333   0.8   0.8
 *                            = 0.35          = 0.65
 */
import { requireBoxInside } from './patch-grid.ts';
import type { PatchBox, Vec3 } from './types.ts';

/** The two running sums of a fusion, each indexed like the volume (i + nx * (j + ny * k)). */
export interface FusionSums {
  dims: Vec3;
  /** sum over patches of window weight * probability. */
  weightedProbSum: Float32Array;
  /** sum over patches of window weight; 0 where no patch covered the voxel. */
  weightSum: Float32Array;
}

/** Zeroed running sums for a volume of `dims` voxels. */
export function createFusionSums(dims: Vec3): FusionSums {
  const voxels = dims[0] * dims[1] * dims[2];
  if (!Number.isInteger(voxels) || voxels < 1) throw new Error(`invalid volume dims [${dims}]`);
  return { dims, weightedProbSum: new Float32Array(voxels), weightSum: new Float32Array(voxels) };
}

/**
 * Add one patch prediction to the sums: for each voxel of `box`, weightedProbSum += w * p and
 * weightSum += w. `probs` and `window` are indexed i fastest within the patch and must both be built
 * for `box.size` (see `fusionWindow`). Runs row by row with precomputed offsets.
 * @throws Error if the box is outside the volume or an array length does not match the box.
 */
export function accumulatePatch(
  sums: FusionSums,
  box: PatchBox,
  probs: Float32Array,
  window: Float32Array,
): void {
  const [nx, ny] = sums.dims;
  requireBoxInside(box, sums.dims);
  const [sx, sy, sz] = box.size;
  const patchVoxels = sx * sy * sz;
  if (probs.length !== patchVoxels) {
    throw new Error(`patch prediction has ${probs.length} values, the box ${sx}x${sy}x${sz}`);
  }
  if (window.length !== patchVoxels) {
    throw new Error(`fusion window has ${window.length} values, the box ${sx}x${sy}x${sz}`);
  }
  const wp = sums.weightedProbSum;
  const ws = sums.weightSum;
  const [i0, j0, k0] = box.start;
  let p = 0;
  for (let c = 0; c < sz; c++) {
    let v = i0 + nx * (j0 + ny * (k0 + c));
    for (let b = 0; b < sy; b++, v += nx) {
      for (let a = 0; a < sx; a++, p++) {
        const w = window[p];
        wp[v + a] += w * probs[p];
        ws[v + a] += w;
      }
    }
  }
}

/**
 * The fused probabilities sum(w p) / sum(w); voxels no patch covered (sum w = 0) get 0.
 * @throws Error naming the first voxel whose result is NaN or infinite (a patch prediction or window
 * held NaN/Inf), or whose weight sum is negative or NaN.
 */
export function normaliseFusion(sums: FusionSums): Float32Array {
  const { weightedProbSum: wp, weightSum: ws, dims } = sums;
  const out = new Float32Array(ws.length);
  for (let v = 0; v < ws.length; v++) {
    const w = ws[v];
    if (w > 0) {
      const q = wp[v] / w;
      if (!Number.isFinite(q)) throw nonFiniteError(v, dims, `fused value ${q}`);
      out[v] = q;
    } else if (w !== 0) {
      throw nonFiniteError(v, dims, `weight sum ${w}`);
    }
  }
  return out;
}

/**
 * Patch-by-patch fusion over a volume with one window shared by all patches (the patch grid gives
 * every box the same size).
 *
 * @example
 * const boxes = patchGrid(dims, [64, 64, 64], 0.5, brain);
 * const fusion = new FusionAccumulator(dims, fusionWindow('bspline', boxes[0].size), boxes[0].size);
 * for (const box of boxes) fusion.add(box, predict(extractPatch(data, dims, box)));
 * const probability = fusion.result();
 */
export class FusionAccumulator {
  readonly sums: FusionSums;
  private readonly window: Float32Array;
  private readonly windowSize: Vec3;

  /** @param window weights for a patch of `windowSize` voxels, i fastest (see `fusionWindow`). */
  constructor(dims: Vec3, window: Float32Array, windowSize: Vec3) {
    if (window.length !== windowSize[0] * windowSize[1] * windowSize[2]) {
      throw new Error(`fusion window has ${window.length} values, its size is [${windowSize}]`);
    }
    this.sums = createFusionSums(dims);
    this.window = window;
    this.windowSize = windowSize;
  }

  /** Add the prediction `probs` (i fastest, `box.size` voxels) of the patch at `box`. */
  add(box: PatchBox, probs: Float32Array): void {
    const s = this.windowSize;
    if (box.size[0] !== s[0] || box.size[1] !== s[1] || box.size[2] !== s[2]) {
      throw new Error(`patch box size [${box.size}] differs from the fusion window size [${s}]`);
    }
    accumulatePatch(this.sums, box, probs, this.window);
  }

  /** Fused probabilities for the whole volume (0 where no patch was added); see `normaliseFusion`. */
  result(): Float32Array {
    return normaliseFusion(this.sums);
  }
}

function nonFiniteError(v: number, dims: Vec3, what: string): Error {
  const i = v % dims[0];
  const j = Math.floor(v / dims[0]) % dims[1];
  const k = Math.floor(v / (dims[0] * dims[1]));
  return new Error(
    `patch fusion produced ${what} at voxel (${i}, ${j}, ${k}): a patch prediction or the window ` +
      'contains NaN or Infinity; check the model output and input normalisation',
  );
}
