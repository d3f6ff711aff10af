/**
 * The lesion table of a binary mask: one row per 26-connected component with its volume and
 * centroid, for listing lesions and jumping to them in a viewer.
 */
import { type Connectivity, labelComponents } from './components.ts';
import type { Vec3 } from './types.ts';
import { voxelVolumeMl } from './volume.ts';

/** One lesion (connected component) of a mask. */
export interface LesionRow {
  /** Component label in the labelled mask (1-based, memory order). */
  label: number;
  voxels: number;
  volumeMl: number;
  /** Mean voxel coordinate (i, j, k) of the component; may fall between voxels. */
  centroidVox: Vec3;
}

/** All lesions of a mask, largest first, with their total. */
export interface LesionTable {
  rows: LesionRow[];
  count: number;
  totalVoxels: number;
  totalVolumeMl: number;
}

/**
 * Lists the connected components of `mask` (non-zero = lesion) on a grid of `dims` voxels of
 * `spacingMm`, sorted by size (largest first, ties by label).
 *
 * @example
 * // two single voxels far apart in a 4x1x1 grid of 2 mm voxels (0.008 mL each)
 * lesionTable(Uint8Array.of(1, 0, 0, 1), [4, 1, 1], [2, 2, 2]).totalVolumeMl // 0.016
 */
export function lesionTable(
  mask: ArrayLike<number>,
  dims: Vec3,
  spacingMm: Vec3,
  connectivity: Connectivity = 26,
): LesionTable {
  const { labels, count, sizes } = labelComponents(mask, dims, connectivity);
  const sums = new Float64Array(3 * (count + 1));
  const [nx, ny] = dims;
  for (let v = 0; v < labels.length; v++) {
    const l = labels[v];
    if (l === 0) continue;
    const i = v % nx;
    const j = Math.floor(v / nx) % ny;
    const k = Math.floor(v / (nx * ny));
    sums[3 * l] += i;
    sums[3 * l + 1] += j;
    sums[3 * l + 2] += k;
  }
  const voxelMl = voxelVolumeMl(spacingMm);
  const rows: LesionRow[] = [];
  let totalVoxels = 0;
  for (let l = 1; l <= count; l++) {
    const n = sizes[l];
    totalVoxels += n;
    rows.push({
      label: l,
      voxels: n,
      volumeMl: n * voxelMl,
      centroidVox: [sums[3 * l] / n, sums[3 * l + 1] / n, sums[3 * l + 2] / n],
    });
  }
  rows.sort((a, b) => b.voxels - a.voxels || a.label - b.label);
  return { rows, count, totalVoxels, totalVolumeMl: totalVoxels * voxelMl };
}
