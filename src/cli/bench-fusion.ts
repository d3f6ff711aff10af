/**
 * Benchmark of streaming patch fusion (core/fusion) against a naive reference that builds
 * full-volume weight and prediction arrays for every patch and walks all voxels with 3D index
 * arithmetic, the way a straightforward translation of the formula would.
 */
import { FusionAccumulator } from '../core/fusion.ts';
import { fusionWindow } from '../core/fusion-window.ts';
import { patchGrid } from '../core/patch-grid.ts';
import type { PatchBox, Vec3 } from '../core/types.ts';
import { createRng as mulberry32 } from '../core/random.ts';

/** Timings of one fusion benchmark run. */
export interface FusionBenchResult {
  /** Wall time of FusionAccumulator (all adds plus result), milliseconds. */
  fastMs: number;
  /** Wall time of the naive reference, milliseconds. */
  naiveMs: number;
  /** Patch voxels fused per second by the fast path (patches * patch voxels / fastMs). */
  voxelsPerSecond: number;
  /** Number of patches fused. */
  patches: number;
  /** Largest |fast - naive| over the volume (a sanity check; float32 rounding only). */
  maxAbsDiff: number;
}

/** Options of `benchFusion`; defaults: MNI-like 182x218x182, 64^3 patches, overlap 0.5 (150 patches). */
export interface FusionBenchOptions {
  dims?: Vec3;
  patchSize?: Vec3;
  overlapFraction?: number;
  /** Distinct random patch predictions, reused cyclically (keeps memory small). */
  distinctPredictions?: number;
  seed?: number;
}

/**
 * Fuse random patch predictions over a regular grid with a quadratic B-spline window, once with
 * FusionAccumulator and once with the naive reference; returns both times.
 * @example const { fastMs, naiveMs } = benchFusion();
 */
export function benchFusion(options: FusionBenchOptions = {}): FusionBenchResult {
  const dims = options.dims ?? [182, 218, 182];
  const patchSize = options.patchSize ?? [64, 64, 64];
  const boxes = patchGrid(dims, patchSize, options.overlapFraction ?? 0.5);
  const size = boxes[0].size;
  const patchVoxels = size[0] * size[1] * size[2];
  const random = mulberry32(options.seed ?? 1);
  const predictions = Array.from({ length: options.distinctPredictions ?? 4 }, () =>
    Float32Array.from({ length: patchVoxels }, random),
  );
  const probsOf = (n: number): Float32Array => predictions[n % predictions.length];
  const window = fusionWindow('bspline', size, 2);

  const t0 = performance.now();
  const fusion = new FusionAccumulator(dims, window, size);
  boxes.forEach((box, n) => fusion.add(box, probsOf(n)));
  const fast = fusion.result();
  const t1 = performance.now();
  const naive = fuseNaive(dims, boxes, probsOf, window);
  const t2 = performance.now();

  let maxAbsDiff = 0;
  for (let v = 0; v < fast.length; v++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(fast[v] - naive[v]));
  const fastMs = t1 - t0;
  return {
    fastMs,
    naiveMs: t2 - t1,
    voxelsPerSecond: (boxes.length * patchVoxels) / (fastMs / 1000),
    patches: boxes.length,
    maxAbsDiff,
  };
}

/**
 * Naive reference fusion: per patch, a full-volume weight array and prediction array are filled
 * voxel by voxel with 3D index arithmetic, then added into the sums over the whole volume.
 */
export function fuseNaive(
  dims: Vec3,
  boxes: readonly PatchBox[],
  probsOf: (patchIndex: number) => Float32Array,
  window: Float32Array,
): Float32Array {
  const [nx, ny, nz] = dims;
  const voxels = nx * ny * nz;
  const index = (i: number, j: number, k: number): number => i + nx * (j + ny * k);
  const sumWp = new Float32Array(voxels);
  const sumW = new Float32Array(voxels);
  boxes.forEach((box, n) => {
    const probs = probsOf(n);
    const [sx, sy, sz] = box.size;
    const weightVolume = new Float32Array(voxels);
    const probVolume = new Float32Array(voxels);
    for (let c = 0; c < sz; c++) {
      for (let b = 0; b < sy; b++) {
        for (let a = 0; a < sx; a++) {
          const v = index(box.start[0] + a, box.start[1] + b, box.start[2] + c);
          weightVolume[v] = window[a + sx * (b + sy * c)];
          probVolume[v] = probs[a + sx * (b + sy * c)];
        }
      }
    }
    for (let k = 0; k < nz; k++) {
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const v = index(i, j, k);
          sumWp[v] += weightVolume[v] * probVolume[v];
          sumW[v] += weightVolume[v];
        }
      }
    }
  });
  return sumWp.map((wp, v) => (sumW[v] > 0 ? wp / sumW[v] : 0));
}

