import * as tf from '@tensorflow/tfjs';
import type { PatchBox, Vec3 } from '../core/types.ts';
import { requireBoxInside } from '../core/patch-grid.ts';

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
 * each patch left-right (along i) first. Rows are copied straight from the volumes into the batch
 * buffer, with no per-patch arrays (CPU work that counts as model time, once per batch).
 */
export function batchTensor(channels: readonly Float32Array[], dims: Vec3, boxes: readonly PatchBox[], mirrored = false): tf.Tensor5D {
  const size = boxes[0].size;
  const [sx, sy, sz] = size;
  const c = channels.length;
  const [nx, ny, nz] = dims;
  if (channels.some((ch) => ch.length !== nx * ny * nz)) throw new Error(`a channel does not hold ${nx}*${ny}*${nz} voxels`);
  const buffer = new Float32Array(boxes.length * sx * sy * sz * c);
  let row = 0; // index of the current patch row in the buffer, in voxels
  for (const box of boxes) {
    requireBoxInside(box, dims);
    if (box.size[0] !== sx || box.size[1] !== sy || box.size[2] !== sz) throw new Error('the boxes of a batch must share one size');
    const [i0, j0, k0] = box.start;
    for (let z = 0; z < sz; z++) {
      for (let y = 0; y < sy; y++, row += sx) {
        const src = i0 + nx * (j0 + y + ny * (k0 + z));
        for (let ch = 0; ch < c; ch++) {
          const volume = channels[ch];
          if (c === 1 && !mirrored) buffer.set(volume.subarray(src, src + sx), row);
          else for (let a = 0; a < sx; a++) buffer[(row + a) * c + ch] = volume[src + (mirrored ? sx - 1 - a : a)];
        }
      }
    }
  }
  return tf.tensor5d(buffer, [boxes.length, ...patchTensorShape(size, c)]);
}
