import * as tf from '@tensorflow/tfjs';
import type { PatchBox, Vec3 } from '../core/types.ts';
import { flipAlongI } from '../core/augment.ts';
import { extractPatch } from '../core/patch-grid.ts';

/**
 * Layout bridge between the core (volumes indexed i fastest) and the network ([N, D, H, W, C] with
 * D = k, H = j, W = i, channels last). A patch of size [si, sj, sk] becomes [sk, sj, si, C].
 */
export function patchTensorShape(size: Vec3, channels: number): [number, number, number, number] {
  return [size[2], size[1], size[0], channels];
}

/** Interleaves per-modality patches (i fastest) into one channels-last buffer. */
export function interleaveChannels(patches: readonly Float32Array[], out?: Float32Array, offset = 0): Float32Array {
  const c = patches.length;
  const voxels = patches[0].length;
  const target = out ?? new Float32Array(voxels * c);
  for (let ch = 0; ch < c; ch++) {
    const src = patches[ch];
    for (let v = 0; v < voxels; v++) target[offset + v * c + ch] = src[v];
  }
  return target;
}

/**
 * Stacks the patches at `boxes` of every channel into one [B, D, H, W, C] tensor; `mirrored` flips
 * each patch left-right (along i) first.
 */
export function batchTensor(channels: readonly Float32Array[], dims: Vec3, boxes: readonly PatchBox[], mirrored = false): tf.Tensor5D {
  const size = boxes[0].size;
  const voxels = size[0] * size[1] * size[2];
  const buffer = new Float32Array(boxes.length * voxels * channels.length);
  boxes.forEach((box, b) => {
    const patches = channels.map((ch) => extractPatch(ch, dims, box));
    if (mirrored) for (const p of patches) flipAlongI(p, size);
    interleaveChannels(patches, buffer, b * voxels * channels.length);
  });
  return tf.tensor5d(buffer, [boxes.length, ...patchTensorShape(size, channels.length)]);
}
