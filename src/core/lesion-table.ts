/**
 * The lesion table of a binary mask: one row per 26-connected component with its volume and
 * centroid, for listing lesions and jumping to them in a viewer; with a reference mask, each
 * lesion marked found or false and the reference's missed lesions listed (ISBI 2015 rules, as
 * lesion-metrics.ts), so a reader can step through the errors.
 */
import { type ComponentLabels, type Connectivity, labelComponents } from './components.ts';
import type { Affine, Vec3 } from './types.ts';
import { voxelVolumeMl } from './volume.ts';
import { raisePeaks, type VoxelPeaks } from './voxel-peaks.ts';

/** One lesion (connected component) of a mask. */
export interface LesionRow {
  /** Component label in the labelled mask (1-based, memory order). */
  label: number;
  voxels: number;
  volumeMl: number;
  /** Mean voxel coordinate (i, j, k) of the component; may fall between voxels. */
  centroidVox: Vec3;
  /** With a probability map: the highest probability of its voxels (lesion-filter.ts). */
  confidence?: number;
  /** With a reference: true when any voxel of the lesion is in the reference (found), false when none is (a false lesion). */
  inReference?: boolean;
}

/** All lesions of a mask, largest first, with their total. */
export interface LesionTable {
  rows: LesionRow[];
  count: number;
  totalVoxels: number;
  totalVolumeMl: number;
  /** With a reference: its lesions that no voxel of the mask touches, largest first. */
  missed?: LesionRow[];
}

export interface LesionTableOptions {
  /** Default 26. */
  connectivity?: Connectivity;
  /** A reference lesion mask on the same grid (non-zero = lesion). */
  reference?: ArrayLike<number>;
  /** Components already labelled (with `connectivity`): the mask's, and the reference's. */
  components?: { mask?: ComponentLabels; reference?: ComponentLabels };
  /** The probability map the mask was cut from: each row gets its confidence (peak probability). */
  probability?: ArrayLike<number>;
  /** With `probability`: confidences above the map's at some voxels (a moved scan's, core/voxel-peaks.ts). */
  peaks?: VoxelPeaks | null;
}

/**
 * Lists the connected components of `mask` (non-zero = lesion) on a grid of `dims` voxels of
 * `spacingMm`, sorted by size (largest first, ties by label). With `reference`, each row says
 * whether it touches the reference, and `missed` lists the reference lesions it does not touch.
 *
 * @example
 * // two single voxels far apart in a 4x1x1 grid of 2 mm voxels (0.008 mL each)
 * lesionTable(Uint8Array.of(1, 0, 0, 1), [4, 1, 1], [2, 2, 2]).totalVolumeMl // 0.016
 */
export function lesionTable(mask: ArrayLike<number>, dims: Vec3, spacingMm: Vec3, options: LesionTableOptions = {}): LesionTable {
  const connectivity = options.connectivity ?? 26;
  const components = options.components?.mask ?? labelComponents(mask, dims, connectivity);
  const voxelMl = voxelVolumeMl(spacingMm);
  const rows = componentRows(components, dims, voxelMl);
  if (options.probability) {
    const peak = new Float64Array(components.count + 1);
    const { labels } = components;
    const p = options.probability;
    for (let v = 0; v < labels.length; v++) if (labels[v] !== 0 && p[v] > peak[labels[v]]) peak[labels[v]] = p[v];
    if (options.peaks) raisePeaks(peak, labels, options.peaks);
    for (const row of rows) row.confidence = peak[row.label];
  }
  const totalVoxels = rows.reduce((n, row) => n + row.voxels, 0);
  const table: LesionTable = { rows, count: components.count, totalVoxels, totalVolumeMl: totalVoxels * voxelMl };
  if (!options.reference) return table;
  if (options.reference.length !== mask.length) {
    throw new Error(`the reference has ${options.reference.length} voxels but the mask has ${mask.length}; they must be on the same grid`);
  }
  const reference = options.components?.reference ?? labelComponents(options.reference, dims, connectivity);
  const found = new Uint8Array(components.count + 1);
  const touched = new Uint8Array(reference.count + 1);
  for (let v = 0; v < components.labels.length; v++) {
    if (components.labels[v] !== 0 && reference.labels[v] !== 0) {
      found[components.labels[v]] = 1;
      touched[reference.labels[v]] = 1;
    }
  }
  for (const row of rows) row.inReference = found[row.label] === 1;
  table.missed = componentRows(reference, dims, voxelMl).filter((row) => !touched[row.label]);
  return table;
}

/** One row per component with its size, volume and centroid, largest first (ties by label). */
function componentRows({ labels, count, sizes }: ComponentLabels, dims: Vec3, voxelMl: number): LesionRow[] {
  const sums = new Float64Array(3 * (count + 1));
  const [nx, ny] = dims;
  for (let v = 0; v < labels.length; v++) {
    const l = labels[v];
    if (l === 0) continue;
    sums[3 * l] += v % nx;
    sums[3 * l + 1] += Math.floor(v / nx) % ny;
    sums[3 * l + 2] += Math.floor(v / (nx * ny));
  }
  const rows: LesionRow[] = [];
  for (let l = 1; l <= count; l++) {
    const n = sizes[l];
    rows.push({ label: l, voxels: n, volumeMl: n * voxelMl, centroidVox: [sums[3 * l] / n, sums[3 * l + 1] / n, sums[3 * l + 2] / n] });
  }
  return rows.sort((a, b) => b.voxels - a.voxels || a.label - b.label);
}

/**
 * The lesions as CSV: a header line, then one line per row numbered from 1: voxels, volume (mL),
 * centroid (i, j, k; 2 decimals); with `affine` also the centroid in world mm (x, y, z); the
 * confidence (peak probability, 4 decimals) when the rows have one; with `verdict` whether the
 * lesion is in the reference (1 / 0).
 */
export function lesionCsvLines(rows: readonly LesionRow[], options: { affine?: Affine; verdict?: boolean } = {}): string[] {
  const { affine, verdict } = options;
  const confidence = rows.length > 0 && rows.every((r) => r.confidence !== undefined);
  const header = ['lesion', 'voxels', 'volume_ml', 'centroid_i', 'centroid_j', 'centroid_k'];
  if (affine) header.push('centroid_x_mm', 'centroid_y_mm', 'centroid_z_mm');
  if (confidence) header.push('confidence');
  if (verdict) header.push('in_reference');
  const round = (x: number) => Number(x.toFixed(2));
  return [header.join(','), ...rows.map((row, n) => {
    const cells: number[] = [n + 1, row.voxels, row.volumeMl, ...row.centroidVox.map(round)];
    if (affine) cells.push(...[0, 1, 2].map((r) => round(affine[r][0] * row.centroidVox[0] + affine[r][1] * row.centroidVox[1] + affine[r][2] * row.centroidVox[2] + affine[r][3])));
    if (confidence) cells.push(Number((row.confidence as number).toFixed(4)));
    if (verdict) cells.push(row.inReference ? 1 : 0);
    return cells.join(',');
  })];
}
