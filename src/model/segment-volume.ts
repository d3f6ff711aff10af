import * as tf from '@tensorflow/tfjs';
import { flipAlongI } from '../core/augment.ts';
import { FusionAccumulator } from '../core/fusion.ts';
import { fusionWindow } from '../core/fusion-window.ts';
import { cropToDims, padToAtLeast } from '../core/pad-crop.ts';
import { patchGrid } from '../core/patch-grid.ts';
import type { FusionWindowKind, PatchBox, Vec3 } from '../core/types.ts';
import { batchTensor } from './patch-tensor.ts';

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
   * the two predictions are averaged before fusion. Doubles the model time.
   */
  mirror?: boolean;
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** Polled between batches; returning true aborts with an Error('cancelled'). */
  shouldCancel?: () => boolean;
}

export const DEFAULT_SEGMENT_OPTIONS: Omit<SegmentOptions, 'patchSize'> = {
  overlapFraction: 0.5, window: 'bspline', bsplineOrder: 2, batchSize: 4,
};

/** Timings of one whole-volume run, in ms: model time apart from the rest (tiling, fusion). */
export interface SegmentTimings {
  modelMs: number;
  otherMs: number;
  patches: number;
}

/**
 * Whole-volume inference: a regular grid of overlapping patches over the brain, the network on
 * batches of patches, and B-spline weighted soft voting of the predictions (streaming sums, never
 * a stack of patches). Returns the fused lesion probability per voxel (0 outside the brain).
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
  let modelMs = 0;
  const size: Vec3 = [options.patchSize, options.patchSize, options.patchSize];
  const padded = channels.map((c) => padToAtLeast(c, dims, size));
  const work = padded[0].dims;
  const paddedBrain = padToAtLeast(Float32Array.from(brain), dims, size).data;
  const boxes = patchGrid(work, size, options.overlapFraction, Uint8Array.from(paddedBrain));
  if (boxes.length === 0) throw new Error('the brain is empty: no voxel above 0 in FLAIR');
  const fusion = new FusionAccumulator(work, fusionWindow(options.window, size, options.bsplineOrder), size);
  const patchVoxels = size[0] * size[1] * size[2];
  const data = padded.map((p) => p.data);
  for (let first = 0; first < boxes.length; first += options.batchSize) {
    if (options.shouldCancel?.()) throw new Error('cancelled');
    const batch = boxes.slice(first, first + options.batchSize);
    const t0 = performance.now();
    const probs = await predictBatch(model, data, work, batch);
    if (options.mirror) {
      // the prediction of each patch flipped left-right, flipped back
      const flipped = await predictBatch(model, data, work, batch, true);
      for (let b = 0; b < batch.length; b++) {
        const patch = flipped.subarray(b * patchVoxels, (b + 1) * patchVoxels);
        flipAlongI(patch, size);
        const own = probs.subarray(b * patchVoxels, (b + 1) * patchVoxels);
        for (let v = 0; v < patchVoxels; v++) own[v] = 0.5 * (own[v] + patch[v]);
      }
    }
    modelMs += performance.now() - t0;
    batch.forEach((box, b) => fusion.add(box, probs.subarray(b * patchVoxels, (b + 1) * patchVoxels)));
    await options.onProgress?.(Math.min(first + options.batchSize, boxes.length), boxes.length);
  }
  const probability = cropToDims(fusion.result(), work, dims);
  for (let v = 0; v < probability.length; v++) if (!brain[v]) probability[v] = 0;
  return { probability, timings: { modelMs, otherMs: performance.now() - started - modelMs, patches: boxes.length } };
}

/** The network's [B, D, H, W, 1] output is k-major with i fastest: the core's patch order. */
async function predictBatch(model: tf.LayersModel, channels: readonly Float32Array[], dims: Vec3, boxes: readonly PatchBox[], mirrored = false): Promise<Float32Array> {
  const x = batchTensor(channels, dims, boxes, mirrored);
  const y = model.predict(x) as tf.Tensor;
  try {
    return (await y.data()) as Float32Array;
  } finally {
    tf.dispose([x, y]);
  }
}
