import * as tf from '@tensorflow/tfjs';
import { flipAlongI } from '../core/augment.ts';
import { FusionAccumulator } from '../core/fusion.ts';
import { fusionWindow } from '../core/fusion-window.ts';
import { cropToDims, padToAtLeast } from '../core/pad-crop.ts';
import { patchGrid } from '../core/patch-grid.ts';
import type { FusionWindowKind, PatchBox, Vec3 } from '../core/types.ts';
import { type MirrorMode, mirrorsRun } from './mirror-policy.ts';
import { batchTensor } from './patch-tensor.ts';
import type { TileCache } from './tile-cache.ts';

export interface SegmentOptions {
  /** Patch edge in voxels; use the model's training patch size (instance-norm statistics). */
  patchSize: number;
  /** Fraction of a patch shared with its neighbour (0.5: stride = patch / 2). */
  overlapFraction: number;
  window: FusionWindowKind;
  /** B-spline order 0-3 (used by the 'bspline' window). */
  bsplineOrder: number;
  batchSize: number;
  /**
   * Test-time mirroring (as nnU-Net does): each patch is also predicted flipped left-right, and
   * the two predictions are averaged. Doubles the model time. 'auto' mirrors a scan
   * of at most AUTO_MIRROR_MAX_PATCHES patches; absent means 'off'.
   */
  mirror?: MirrorMode;
  /**
   * Where the mirrored pass runs: 'same' (the plain pass's boxes) or 'shifted' (a grid half a stride
   * off along every axis, so the two passes' tiles interleave and each adds coverage), both fused
   * with the plain tiles; or 'halves': the two grids of overlap 0 (one as the plain grid starts, one
   * half a tile off; a box both hold counted once), every tile holding a brain voxel (no core margin), fused on their own and
   * averaged with the plain fusion half and half, as the 'same' grid's mirroring weighs them, at
   * two flipped calls per voxel instead of the plain grid's count. Absent: 'same'.
   */
  mirrorGrid?: 'same' | 'shifted' | 'halves';
  /**
   * Edge of the tiles the network runs on, a multiple of 4 (the light model pools twice); absent: the
   * patch size. The network is fully convolutional, but instance norm's statistics are the tile's, so
   * a tile larger than the training patch changes the map a little (docs/cpu-speed.md).
   */
  tileSize?: number;
  /** Tiles are run when their core (less this many voxels on every face) holds a `brain` voxel; absent: 0. */
  coreMargin?: number;
  /** Called with (0, total) before the first batch (one can take minutes on a software GPU), then after each. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** Polled between batches; returning true aborts with an Error('cancelled'). */
  shouldCancel?: () => boolean;
  /** Where the batches run; absent: `model` in this thread. */
  predictor?: PatchPredictor;
  /** Every tile's prediction (plain and flipped) is also stored here, for a later pass to reuse. */
  saveTiles?: TileCache;
  /** Tiles found here are fused from it instead of being run (the same box, size and flip). */
  reuseTiles?: TileCache;
  /**
   * A run that does not mirror still fuses the flipped predictions reuseTiles holds for its boxes
   * (they cost nothing): the fast path's second pass when only its first pass mirrors.
   */
  fuseReusedFlips?: boolean;
}

/**
 * Runs the network on batches of patches elsewhere, e.g. one copy of the model per CPU thread
 * (src/cli/predict-threads.ts). segmentVolume keeps `parallel` batches in flight while it fuses.
 */
export interface PatchPredictor extends PatchSlot {
  parallel: number;
}

/** A place a batch can run (one model copy); src/model/patch-slots.ts pools several. */
export interface PatchSlot {
  /** Called once per run, before any batch, with the padded channels and dims that boxes index. */
  start(channels: readonly Float32Array[], dims: Vec3): Promise<void>;
  /** As predictBatch. */
  predict(boxes: readonly PatchBox[], flipped: boolean): Promise<Float32Array>;
}

/** This thread as a slot: `model` runs each batch here (blocking the thread while it computes). */
export function localSlot(model: tf.LayersModel): PatchSlot {
  let channels: readonly Float32Array[] = [];
  let dims: Vec3 = [0, 0, 0];
  return {
    start: async (c, d) => {
      channels = c;
      dims = d;
    },
    predict: (boxes, flipped) => predictBatch(model, channels, dims, boxes, flipped),
  };
}

export const DEFAULT_SEGMENT_OPTIONS: Omit<SegmentOptions, 'patchSize'> = {
  overlapFraction: 0.5, window: 'bspline', bsplineOrder: 2, batchSize: 4,
};

/** Timings of one whole-volume run, in ms: model time apart from the rest (tiling, fusion). */
export interface SegmentTimings {
  modelMs: number;
  otherMs: number;
  /** Patches run (the grid's tiles, less those whose every call an earlier pass made: options.reuseTiles). */
  patches: number;
  /** Whether test-time mirroring ran (each patch predicted twice). */
  mirrored: boolean;
  /** Network calls, all passes: every tile run, its mirrored copy counted apart. */
  calls: number;
  /** Voxels the network computed, all tiles of all passes (the run's FLOPs are this x FLOPs per voxel). */
  voxelsComputed: number;
}

/**
 * Whole-volume inference: a regular grid of overlapping patches over the brain, the network on
 * batches of patches, and B-spline weighted soft voting of the predictions (streaming sums, never
 * a stack of patches). Returns the fused lesion probability per voxel (0 outside the brain).
 *
 * Batches are pipelined: batch n + 1 is handed to the backend before batch n is fused, so on a GPU
 * (where predict only queues work) the CPU's fusion runs while the GPU computes; on CPU backends
 * predict computes at once and the order is the plain one. `onProgress(0, total)` comes first.
 *
 * channels: normalised modalities in the model's order, each indexed i + nx (j + ny k).
 */
export async function segmentVolume(
  model: tf.LayersModel,
  channels: readonly Float32Array[],
  dims: Vec3,
  brain: Uint8Array,
  options: SegmentOptions,
): Promise<{ probability: Float32Array; timings: SegmentTimings }> {
  const started = performance.now();
  const edge = tileEdge(options, dims);
  const size: Vec3 = [edge, edge, edge];
  const padded = channels.map((c) => padToAtLeast(c, dims, size));
  const work = padded[0].dims;
  const { boxes, batches, reused, mirror } = planBatches(work, padToAtLeast(brain, dims, size).data, size, options);
  const window = fusionWindow(options.window, size, options.bsplineOrder);
  const fusion = new FusionAccumulator(work, window, size);
  // 'halves': the flipped tiles are fused apart, then averaged with the plain fusion
  const flipFusion = mirror && options.mirrorGrid === 'halves' ? new FusionAccumulator(work, window, size) : fusion;
  for (const r of reused) (r.flipped ? flipFusion : fusion).add(r.box, r.probs);
  const patchVoxels = size[0] * size[1] * size[2];
  const data = padded.map((p) => p.data);
  const calls = batches.reduce((n, b) => n + b.boxes.length, 0);
  const passes = (calls + reused.length) / boxes.length;
  // progress counts the patches still to run: a tile whose calls were all made by an earlier pass is not one
  const total = Math.round(calls / passes);
  await options.onProgress?.(0, total);
  const predictor: PatchPredictor = options.predictor ?? { parallel: 1, ...localSlot(model) };
  // Model time is everything but the CPU work timed here: a predictor may compute in this thread
  // at any await (a patch worker pool's own slot), so the waits alone would miss it.
  let otherMs = performance.now() - started;
  await predictor.start(data, work);
  // batches handed out and not yet fused, in order; `parallel` of them stay queued while one is fused
  const queue: Promise<Float32Array>[] = [];
  let launched = 0;
  const fill = () => {
    while (launched < batches.length && queue.length < predictor.parallel) {
      const { boxes: batchBoxes, flipped } = batches[launched++];
      queue.push(predictor.predict(batchBoxes, flipped));
    }
  };
  fill();
  let predicted = 0;
  try {
    for (let n = 0; n < batches.length; n++) {
      if (options.shouldCancel?.()) throw new Error('cancelled');
      const probs = await (queue.shift() as Promise<Float32Array>);
      fill();
      const t0 = performance.now();
      batches[n].boxes.forEach((box, b) => {
        const tile = probs.subarray(b * patchVoxels, (b + 1) * patchVoxels);
        (batches[n].flipped ? flipFusion : fusion).add(box, tile);
        options.saveTiles?.set(box, batches[n].flipped, tile);
      });
      otherMs += performance.now() - t0;
      predicted += batches[n].boxes.length;
      await options.onProgress?.(predicted === calls ? total : Math.min(total, Math.floor(predicted / passes)), total);
    }
  } finally {
    // batches still queued when the run stops (cancel, error) free their own tensors when they settle
    for (const pending of queue) pending.catch(() => undefined);
  }
  const t0 = performance.now();
  const probability = cropToDims(flipFusion === fusion ? fusion.result() : averageFusions(fusion, flipFusion), work, dims);
  for (let v = 0; v < probability.length; v++) if (!brain[v]) probability[v] = 0;
  otherMs += performance.now() - t0;
  const voxelsComputed = calls * patchVoxels;
  return { probability, timings: { modelMs: performance.now() - started - otherMs, otherMs, patches: total, calls, mirrored: mirror, voxelsComputed } };
}

/** Network calls of one run, in order: boxes of one tile size, each call plain or flipped. */
interface BatchPlan {
  /** The plain pass's boxes. */
  boxes: PatchBox[];
  batches: { boxes: PatchBox[]; flipped: boolean }[];
  /** Calls not made: their predictions come from options.reuseTiles. */
  reused: { box: PatchBox; flipped: boolean; probs: Float32Array }[];
  mirror: boolean;
}

/** The two overlap-0 grids' tiles ('halves'), a box both grids hold (where their last starts meet) once. */
function overlapZeroHalves(work: Vec3, size: Vec3, paddedBrain: Uint8Array): PatchBox[] {
  const first = patchGrid(work, size, 0, paddedBrain);
  const seen = new Set(first.map((box) => box.start.join()));
  return [...first, ...patchGrid(work, size, 0, paddedBrain, true).filter((box) => !seen.has(box.start.join()))];
}

/**
 * The tiles and batches of a run. With mirroring each batch also runs flipped, as a network call of
 * its own right after it: the flipped prediction, flipped back, is fused with the same window, so
 * on the 'same' grid the two are averaged exactly; on the 'shifted' grid the flipped batches are the
 * shifted grid's boxes, interleaved with the plain ones (cancel and progress are checked between calls).
 */
function planBatches(work: Vec3, paddedBrain: Uint8Array, size: Vec3, options: SegmentOptions): BatchPlan {
  const boxes = patchGrid(work, size, options.overlapFraction, paddedBrain, false, options.coreMargin ?? 0);
  if (boxes.length === 0) throw new Error('the brain is empty: no voxel above 0 in FLAIR');
  const mirror = mirrorsRun(options.mirror ?? 'off', boxes.length);
  const flippedBoxes = !mirror ? (options.fuseReusedFlips ? boxes.filter((box) => options.reuseTiles?.get(box, true)) : [])
    : options.mirrorGrid === 'shifted' ? patchGrid(work, size, options.overlapFraction, paddedBrain, true)
    : options.mirrorGrid === 'halves' ? overlapZeroHalves(work, size, paddedBrain)
    : boxes;
  const reused: BatchPlan['reused'] = [];
  const toRun = (list: PatchBox[], flipped: boolean) => list.filter((box) => {
    const probs = options.reuseTiles?.get(box, flipped);
    if (probs) reused.push({ box, flipped, probs });
    return !probs;
  });
  const plainRun = toRun(boxes, false);
  const flippedRun = toRun(flippedBoxes, true);
  const batches: BatchPlan['batches'] = [];
  const b = options.batchSize;
  const rounds = Math.max(plainRun.length, flippedRun.length);
  for (let first = 0; first < rounds; first += b) {
    if (first < plainRun.length) batches.push({ boxes: plainRun.slice(first, first + b), flipped: false });
    if (first < flippedRun.length) batches.push({ boxes: flippedRun.slice(first, first + b), flipped: true });
  }
  return { boxes, batches, reused, mirror };
}

/** Half the plain fusion and half the flipped one where both cover a voxel, else the one that does. */
function averageFusions(plain: FusionAccumulator, flipped: FusionAccumulator): Float32Array {
  const a = plain.result();
  const b = flipped.result();
  const wa = plain.sums.weightSum;
  const wb = flipped.sums.weightSum;
  for (let v = 0; v < a.length; v++) {
    if (wa[v] > 0 && wb[v] > 0) a[v] = 0.5 * (a[v] + b[v]);
    else if (wb[v] > 0) a[v] = b[v];
  }
  return a;
}

/** The tiles (holding brain) of a run of `options` on this volume, as segmentVolume counts them. */
export function gridTileCount(dims: Vec3, brain: Uint8Array, options: SegmentOptions): number {
  const edge = tileEdge(options, dims);
  const size: Vec3 = [edge, edge, edge];
  const padded = padToAtLeast(brain, dims, size);
  return patchGrid(padded.dims, size, options.overlapFraction, padded.data).length;
}

/**
 * The tiles' edge: options.tileSize (a multiple of 4), but no larger than the volume's longest axis
 * needs (rounded up to a multiple of 4) and never below the patch size; the patch size without it.
 */
export function tileEdge(options: Pick<SegmentOptions, 'tileSize' | 'patchSize'>, dims: Vec3): number {
  const tile = options.tileSize;
  if (tile === undefined) return options.patchSize;
  if (!(Number.isInteger(tile) && tile >= 4 && tile % 4 === 0)) throw new Error(`the tile size must be a multiple of 4, got ${tile}`);
  const longest = 4 * Math.ceil(Math.max(...dims) / 4);
  return Math.max(options.patchSize, Math.min(tile, longest));
}

/**
 * The network's probabilities for a batch, [B, D, H, W, 1] k-major with i fastest (the core's patch
 * order). The backend receives the work when this is called; the promise settles when it is read
 * back. `flipped` predicts each patch flipped left-right and flips the prediction back (test-time
 * mirroring, as nnU-Net does).
 */
export async function predictBatch(model: tf.LayersModel, channels: readonly Float32Array[], dims: Vec3, boxes: readonly PatchBox[], flipped: boolean): Promise<Float32Array> {
  const x = batchTensor(channels, dims, boxes, flipped);
  const y = model.predict(x) as tf.Tensor;
  try {
    const probs = (await y.data()) as Float32Array;
    if (flipped) {
      const size = boxes[0].size;
      const patchVoxels = size[0] * size[1] * size[2];
      for (let b = 0; b < boxes.length; b++) flipAlongI(probs.subarray(b * patchVoxels, (b + 1) * patchVoxels), size);
    }
    return probs;
  } finally {
    tf.dispose([x, y]);
  }
}
