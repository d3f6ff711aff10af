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
 * As `tileStarts`, shifted by floor(stride / 2): the tiles of a second pass whose centres fall on the
 * plain grid's seams. It starts at half a stride, so it does not cover the first voxels by itself (the
 * plain grid does); the last tile still ends at `lengthVox`.
 * Worked examples: 10, 4, 2 -> 1, 3, 5, 6; 182, 32, 32 -> 16, 48, 80, 112, 144, 150; 20, 32, 16 -> 0.
 */
export function shiftedTileStarts(lengthVox: number, patchSizeVox: number, strideVox: number): number[] {
  const plain = tileStarts(lengthVox, patchSizeVox, strideVox);
  if (plain.length === 1) return plain;
  const lastStart = lengthVox - patchSizeVox;
  const starts: number[] = [];
  for (let s = Math.floor(strideVox / 2); s < lastStart; s += strideVox) starts.push(s);
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
 * @param shifted the grid of `shiftedTileStarts` (half a stride along every axis): a second pass on it
 * puts tile centres where the plain grid has its seams.
 * @param coreMargin with `brain`, a box is kept when its core (the box less this many voxels on every
 * face that is not the volume's, at most what leaves one voxel) holds a brain voxel; 0: the whole box.
 * @example patchGrid([182, 218, 182], [64, 64, 64], 0.5).length === 5 * 6 * 5
 */
export function patchGrid(
  dims: Vec3,
  patchSize: Vec3,
  overlapFraction: number,
  brain?: Uint8Array,
  shifted = false,
  coreMargin = 0,
): PatchBox[] {
  const size: Vec3 = [
    Math.min(patchSize[0], dims[0]),
    Math.min(patchSize[1], dims[1]),
    Math.min(patchSize[2], dims[2]),
  ];
  const starts = [0, 1, 2].map((a) =>
    (shifted ? shiftedTileStarts : tileStarts)(dims[a], patchSize[a], strideForOverlap(patchSize[a], overlapFraction)),
  );
  const m = Math.max(0, Math.min(coreMargin, ...size.map((n) => Math.floor((n - 1) / 2))));
  const core: Vec3 = [size[0] - 2 * m, size[1] - 2 * m, size[2] - 2 * m];
  // a core reaches the volume's face where its box does (no other box covers those voxels)
  const coreSpan = (a: number, s: number): [number, number] => [s === 0 ? 0 : s + m, s + size[a] === dims[a] ? dims[a] : s + size[a] - m];
  const holdsBrain = brain === undefined ? undefined : brainCells(brain, dims, starts.map((s) => s.map((x) => x + m)), core);
  const boxes: PatchBox[] = [];
  for (const k of starts[2]) {
    for (const j of starts[1]) {
      for (const i of starts[0]) {
        const box: PatchBox = { start: [i, j, k], size };
        const spans = [coreSpan(0, i), coreSpan(1, j), coreSpan(2, k)];
        const coreBox: PatchBox = { start: [spans[0][0], spans[1][0], spans[2][0]], size: [spans[0][1] - spans[0][0], spans[1][1] - spans[1][0], spans[2][1] - spans[2][0]] };
        if (holdsBrain === undefined || holdsBrain(m === 0 ? box : coreBox)) boxes.push(box);
      }
    }
  }
  return boxes;
}

/**
 * An exact "does this grid box hold a brain voxel" test without a per-voxel table: the boxes' edges
 * cut each axis into cells, so every box is a union of whole cells; one pass over the mask marks the
 * cells holding brain (a row's scan of a cell stops at its first brain voxel, and cells already
 * marked are not scanned again), and a box holds brain iff one of its few cells does.
 *
 * Example along one axis: length 11, boxes of 4 at 0, 2, 4, 6, 7 -> cuts 0 2 4 6 7 8 10 11.
 * @param starts the boxes' start offsets per axis (see `tileStarts`); size their common size.
 */
export function brainCells(brain: Uint8Array, dims: Vec3, starts: readonly number[][], size: Vec3): (box: PatchBox) => boolean {
  const [nx, ny, nz] = dims;
  if (brain.length !== nx * ny * nz) {
    throw new Error(`brain mask has ${brain.length} voxels, expected ${nx}*${ny}*${nz}`);
  }
  const cuts = [0, 1, 2].map((a) => [...new Set([0, dims[a], ...starts[a], ...starts[a].map((s) => s + size[a])])].sort((x, y) => x - y));
  const cellOf = cuts.map((c, a) => {
    const map = new Int32Array(dims[a]);
    for (let cell = 0; cell + 1 < c.length; cell++) map.fill(cell, c[cell], c[cell + 1]);
    return map;
  });
  const [cx, cy] = [cuts[0].length - 1, cuts[1].length - 1];
  const marked = new Uint8Array(cx * cy * (cuts[2].length - 1));
  const xCuts = cuts[0];
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const cellRow = cx * (cellOf[1][j] + cy * cellOf[2][k]);
      const row = nx * (j + ny * k);
      for (let c = 0; c < cx; c++) {
        if (marked[cellRow + c]) continue;
        for (let i = row + xCuts[c], end = row + xCuts[c + 1]; i < end; i++) {
          if (brain[i] !== 0) {
            marked[cellRow + c] = 1;
            break;
          }
        }
      }
    }
  }
  return (box) => {
    const first = [0, 1, 2].map((a) => cellOf[a][box.start[a]]);
    const last = [0, 1, 2].map((a) => cellOf[a][box.start[a] + box.size[a] - 1]);
    for (let z = first[2]; z <= last[2]; z++) {
      for (let y = first[1]; y <= last[1]; y++) {
        for (let x = first[0]; x <= last[0]; x++) if (marked[x + cx * (y + cy * z)]) return true;
      }
    }
    return false;
  };
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
