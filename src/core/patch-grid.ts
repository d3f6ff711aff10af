/**
 * The inference patch grid: regular, overlapping boxes that cover a volume, with border tiles shifted
 * inward (never padded with garbage), optionally skipping boxes that hold no brain voxel, and the copy
 * of one box out of a volume.
 */
import type { PatchBox, Vec3 } from './types.ts';

/**
 * Start offsets of tiles of `patchSizeVox` voxels along an axis of `lengthVox` voxels, `strideVox`
 * apart, the last one shifted inward so that it ends exactly at `lengthVox`.
 *
 * Worked examples (length, patch, stride -> starts):
 * - 10, 4, 2 -> 0, 2, 4, 6: (10 - 4) / 2 = 3 steps fit exactly; the last tile covers 6..9.
 * - 11, 4, 2 -> 0, 2, 4, 6, 7: 0..6 leave voxel 10 uncovered, so one more tile starts at 11 - 4 = 7.
 * - 182, 64, 32 -> 0, 32, 64, 96, 118.
 *
 * If `lengthVox <= patchSizeVox` the answer is [0]: one tile starting at 0 whose extent is the whole
 * axis. `patchGrid` then gives that box the axis length as its size; the caller (the model module)
 * pads the extracted patch up to the network's patch size and crops the prediction back.
 *
 * @throws Error if an argument is not a positive integer.
 */
export function tileStarts(lengthVox: number, patchSizeVox: number, strideVox: number): number[] {
  requirePositiveInt('lengthVox', lengthVox);
  requirePositiveInt('patchSizeVox', patchSizeVox);
  requirePositiveInt('strideVox', strideVox);
  if (lengthVox <= patchSizeVox) return [0];
  const lastStart = lengthVox - patchSizeVox;
  const steps = Math.ceil(lastStart / strideVox);
  const starts: number[] = [];
  for (let s = 0; s < steps; s++) starts.push(s * strideVox);
  starts.push(lastStart);
  return starts;
}

/**
 * Stride in voxels for a patch size and an overlap fraction: round(patch * (1 - overlap)), at least 1.
 * Example: patch 64, overlap 0.5 -> 32; patch 5, overlap 0.5 -> 3 (round half up).
 */
export function strideForOverlap(patchSizeVox: number, overlapFraction: number): number {
  if (!(overlapFraction >= 0 && overlapFraction < 1)) {
    throw new Error(`overlapFraction must be in [0, 1), got ${overlapFraction}`);
  }
  return Math.max(1, Math.round(patchSizeVox * (1 - overlapFraction)));
}

/**
 * Boxes of a regular overlapping grid covering a volume of `dims` voxels, ordered with i fastest,
 * then j, then k. Each box lies inside the volume; its size is `patchSize` clipped to `dims` (all
 * boxes share one size). With `brain` (one byte per voxel, non-zero = brain, indexed like the volume)
 * boxes that contain no brain voxel are skipped, so the grid can be empty for an empty mask.
 *
 * @param overlapFraction in [0, 1); stride = round(patch * (1 - overlap)) per axis, at least 1.
 * @example patchGrid([182, 218, 182], [64, 64, 64], 0.5).length === 5 * 6 * 5
 */
export function patchGrid(
  dims: Vec3,
  patchSize: Vec3,
  overlapFraction: number,
  brain?: Uint8Array,
): PatchBox[] {
  const size: Vec3 = [
    Math.min(patchSize[0], dims[0]),
    Math.min(patchSize[1], dims[1]),
    Math.min(patchSize[2], dims[2]),
  ];
  const starts = [0, 1, 2].map((a) =>
    tileStarts(dims[a], patchSize[a], strideForOverlap(patchSize[a], overlapFraction)),
  );
  const counts = brain === undefined ? undefined : brainPrefixCounts(brain, dims);
  const boxes: PatchBox[] = [];
  for (const k of starts[2]) {
    for (const j of starts[1]) {
      for (const i of starts[0]) {
        const box: PatchBox = { start: [i, j, k], size };
        if (counts === undefined || countInBox(counts, dims, box) > 0) boxes.push(box);
      }
    }
  }
  return boxes;
}

/**
 * 3D summed-volume table of a mask: entry (i, j, k) of the (nx+1) x (ny+1) x (nz+1) table is the
 * number of non-zero mask voxels with i' < i, j' < j, k' < k, so any box count costs 8 look-ups.
 */
export function brainPrefixCounts(brain: Uint8Array, dims: Vec3): Uint32Array {
  const [nx, ny, nz] = dims;
  if (brain.length !== nx * ny * nz) {
    throw new Error(`brain mask has ${brain.length} voxels, expected ${nx}*${ny}*${nz}`);
  }
  const px = nx + 1;
  const pxy = px * (ny + 1);
  const table = new Uint32Array(pxy * (nz + 1));
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      let rowCount = 0;
      const src = nx * (j + ny * k);
      const dst = px * (j + 1) + pxy * (k + 1);
      // T(i+1, j+1, k+1) = row count + T(i+1, j, k+1) + T(i+1, j+1, k) - T(i+1, j, k)
      const below = dst - px; // table row (j, k+1)
      const behind = dst - pxy; // table row (j+1, k)
      const diagonal = below - pxy; // table row (j, k)
      for (let i = 0; i < nx; i++) {
        if (brain[src + i] !== 0) rowCount++;
        const t = dst + i + 1;
        table[t] = rowCount + table[below + i + 1] + table[behind + i + 1] - table[diagonal + i + 1];
      }
    }
  }
  return table;
}

/** Number of non-zero mask voxels inside `box`, from a table made by `brainPrefixCounts`. O(1). */
export function countInBox(table: Uint32Array, dims: Vec3, box: PatchBox): number {
  const px = dims[0] + 1;
  const pxy = px * (dims[1] + 1);
  const [i0, j0, k0] = box.start;
  const i1 = i0 + box.size[0];
  const j1 = j0 + box.size[1];
  const k1 = k0 + box.size[2];
  const at = (i: number, j: number, k: number): number => table[i + px * j + pxy * k];
  return (
    at(i1, j1, k1) - at(i0, j1, k1) - at(i1, j0, k1) - at(i1, j1, k0) +
    at(i0, j0, k1) + at(i0, j1, k0) + at(i1, j0, k0) - at(i0, j0, k0)
  );
}

/**
 * Copy of the voxels of `box` from a volume, i fastest within the patch:
 * patch[a + sx * (b + sy * c)] = data[(i0 + a) + nx * ((j0 + b) + ny * (k0 + c))].
 * @throws Error if the box does not lie inside the volume.
 */
export function extractPatch(data: Float32Array, dims: Vec3, box: PatchBox): Float32Array {
  const dst = new Float32Array(box.size[0] * box.size[1] * box.size[2]);
  return extractPatchInto(dst, data, dims, box);
}

/** As `extractPatch`, writing into `dst` (length = box voxel count), which it returns. */
export function extractPatchInto(
  dst: Float32Array,
  data: Float32Array,
  dims: Vec3,
  box: PatchBox,
): Float32Array {
  requireBoxInside(box, dims);
  const [nx, ny, nz] = dims;
  if (data.length !== nx * ny * nz) {
    throw new Error(`volume data has ${data.length} voxels, expected ${nx}*${ny}*${nz}`);
  }
  const [sx, sy, sz] = box.size;
  if (dst.length !== sx * sy * sz) {
    throw new Error(`destination has ${dst.length} voxels, the box ${sx}x${sy}x${sz}`);
  }
  const [i0, j0, k0] = box.start;
  let p = 0;
  for (let c = 0; c < sz; c++) {
    for (let b = 0; b < sy; b++) {
      const v = i0 + nx * (j0 + b + ny * (k0 + c));
      dst.set(data.subarray(v, v + sx), p);
      p += sx;
    }
  }
  return dst;
}

/** Throws unless `box` has positive integer sizes and lies inside a volume of `dims`. */
export function requireBoxInside(box: PatchBox, dims: Vec3): void {
  for (let a = 0; a < 3; a++) {
    const s = box.start[a];
    const n = box.size[a];
    if (!Number.isInteger(s) || !Number.isInteger(n) || s < 0 || n < 1 || s + n > dims[a]) {
      throw new Error(
        `patch box start [${box.start}] size [${box.size}] is not inside the volume [${dims}]`,
      );
    }
  }
}

function requirePositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${value}`);
  }
}
