import type { PatchBox, Vec3 } from './types.ts';
import { randomInt, type Rng } from './random.ts';

/** One training volume: normalised channels, binary lesion label and the voxel lists to sample from. */
export interface TrainingCase {
  name: string;
  dims: Vec3;
  /** One Float32Array per modality, z-scored inside the brain (0 outside). */
  channels: Float32Array[];
  /** Binary lesion label (0/1) as floats, ready to be cut into patches. */
  label: Float32Array;
  brainVoxels: Uint32Array;
  lesionVoxels: Uint32Array;
}

/** Indices of the non-zero voxels of a mask, in memory order. */
export function nonZeroIndices(mask: ArrayLike<number>): Uint32Array {
  let count = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v] > 0) count++;
  const out = new Uint32Array(count);
  let next = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v] > 0) out[next++] = v;
  return out;
}

export interface SamplingOptions {
  patchSize: Vec3;
  /** Share of patches centred near a lesion voxel (method.md section 3: balanced sampling). */
  lesionFraction: number;
  /** A lesion-centred patch is shifted by up to this many voxels per axis, so lesions are not always central. */
  maxShiftVox: number;
}

/**
 * Balanced patch selection: with probability `lesionFraction` the patch is centred on a random
 * lesion voxel plus a random shift, else on a random brain voxel; the box is then moved inward
 * so it lies inside the volume. Patches never sit mostly outside the brain since their centre is
 * a brain voxel.
 */
export function samplePatchBox(c: TrainingCase, options: SamplingOptions, rng: Rng): PatchBox {
  const fromLesion = c.lesionVoxels.length > 0 && rng() < options.lesionFraction;
  const pool = fromLesion ? c.lesionVoxels : c.brainVoxels;
  if (pool.length === 0) throw new Error(`training case ${c.name} has no brain voxel to sample from`);
  const v = pool[randomInt(rng, pool.length)];
  const [nx, ny] = c.dims;
  const centre = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
  const shift = fromLesion ? options.maxShiftVox : 0;
  const start = centre.map((p, axis) => {
    const size = options.patchSize[axis];
    const jitter = shift > 0 ? randomInt(rng, 2 * shift + 1) - shift : 0;
    const s = p + jitter - Math.floor(size / 2);
    return Math.min(Math.max(s, 0), Math.max(c.dims[axis] - size, 0));
  });
  return { start: [start[0], start[1], start[2]], size: options.patchSize };
}
