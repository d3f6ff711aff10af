/**
 * The model's voxel grid. The shipped models were trained on open_ms_data's MNI grid: 1 mm voxels,
 * array axes pointing to the left, anterior and superior (i toward -x, j toward +y, k toward +z).
 * A scan on another grid (a sagittal 3D FLAIR, 0.9 x 0.9 x 3 mm axial slices) is first reordered to
 * that axis order and direction (lossless, as nibabel's as_closest_canonical) and resampled to 1 mm
 * (images cubic where the caller asks, masks linear), as nnU-Net resamples to its training spacing
 * and brainchop conforms; the fused probability map is mapped back linearly, so results always lie
 * on the scan's own grid.
 */
import { bsplineLine, bsplineWeights, mirror } from './bspline-interp.ts';
import { hasOrientation } from './nifti-header.ts';
import type { Affine, Vec3, Volume } from './types.ts';

/** Spacing of the training grid in mm along each array axis. */
export const MODEL_SPACING_MM = 1;
/** Direction (+1 / -1) along world x, y, z of array axes i, j, k on the training grid (L, A, S). */
const MODEL_AXIS_SIGNS = [-1, 1, 1] as const;
/** Spacings within this fraction of 1 mm are used as they are (no resampling along that axis). */
const SPACING_TOLERANCE = 0.02;
/** Largest model grid accepted (a 320 mm cube at 1 mm): each channel is 4 bytes a voxel, and a run holds several. */
const MAX_MODEL_VOXELS = 320 ** 3;

/** How a scan's grid maps to the model's: model axis t is scan axis `axes[t]`, reversed if `flips[t]`. */
export interface GridPlan {
  scanDims: Vec3;
  /** Scan axis (0-2) along each model axis. */
  axes: Vec3;
  flips: readonly [boolean, boolean, boolean];
  /** Scan spacing (mm) along each model axis. */
  spacingMm: Vec3;
  /** Model-grid dims: the reordered scan dims, resampled to 1 mm along axes that are not already. */
  dims: Vec3;
  /** True when the model grid is the scan's grid (nothing to reorder or resample). */
  identity: boolean;
  /** False when the file's header gives no orientation, so its axis order was taken as it is. */
  oriented: boolean;
}

/** True when the model grid resamples the scan along an axis (not only reorders it). */
export function resamplesScan(plan: Pick<GridPlan, 'dims' | 'scanDims' | 'axes'>): boolean {
  return plan.dims.some((d, t) => d !== plan.scanDims[plan.axes[t]]);
}

/**
 * The longest voxel side (mm) of a scan the model grid resamples, 1 for one it does not: above 1 the
 * model grid interpolates the scan, and the model sees it smoother than its training scans.
 */
export function coarsestVoxelMm(plan: Pick<GridPlan, 'dims' | 'scanDims' | 'axes' | 'spacingMm'>): number {
  return resamplesScan(plan) ? Math.max(1, ...plan.spacingMm) : 1;
}

/** The plan of a scan already on the model's grid (also a placeholder for scans that cannot be read). */
export function identityGrid(dims: Vec3): GridPlan {
  return { scanDims: dims, axes: [0, 1, 2], flips: [false, false, false], spacingMm: [1, 1, 1], dims, identity: true, oriented: true };
}

/** [f(0), f(1), f(2)]: a value per axis as a tuple. */
function perAxis<T>(f: (axis: number) => T): readonly [T, T, T] {
  return [f(0), f(1), f(2)];
}

/** Which world axis and direction each array axis of `affine` points along most (greedy, largest first). */
function axisDirections(affine: Affine): { world: number; sign: number }[] {
  const entries: { world: number; axis: number; size: number }[] = [];
  for (let world = 0; world < 3; world++) {
    for (let axis = 0; axis < 3; axis++) entries.push({ world, axis, size: Math.abs(affine[world][axis]) });
  }
  entries.sort((a, b) => b.size - a.size);
  const out: { world: number; sign: number }[] = [];
  const usedWorld = new Set<number>();
  for (const { world, axis, size } of entries) {
    if (out[axis] || usedWorld.has(world) || size === 0) continue;
    out[axis] = { world, sign: Math.sign(affine[world][axis]) };
    usedWorld.add(world);
  }
  if (out.filter(Boolean).length !== 3) throw new Error('the image affine is degenerate (an axis has no direction)');
  return out;
}

/**
 * Plans the mapping of a scan's grid (dims and affine) to the model's grid. A file whose header
 * gives no orientation (sform and qform codes 0) keeps its axis order: its affine is only pixdim.
 */
export function planModelGrid(scan: Pick<Volume, 'dims' | 'affine' | 'sourceHeader'>): GridPlan {
  const directions = axisDirections(scan.affine);
  const oriented = !scan.sourceHeader || hasOrientation(scan.sourceHeader);
  const axes = perAxis((t) => (oriented ? directions.findIndex((d) => d.world === t) : t));
  const flips = perAxis((t) => oriented && directions[axes[t]].sign !== MODEL_AXIS_SIGNS[t]);
  const spacingMm = perAxis((t) => Math.hypot(scan.affine[0][axes[t]], scan.affine[1][axes[t]], scan.affine[2][axes[t]]));
  const dims = perAxis((t) => {
    const n = scan.dims[axes[t]];
    const s = spacingMm[t];
    return Math.abs(s / MODEL_SPACING_MM - 1) <= SPACING_TOLERANCE ? n : Math.max(1, Math.round((n * s) / MODEL_SPACING_MM));
  });
  if (dims[0] * dims[1] * dims[2] > MAX_MODEL_VOXELS) {
    const mm = axes.map((axis, t) => (scan.dims[axis] * spacingMm[t]).toFixed(0)).join(' x ');
    throw new Error(`the scan covers ${mm} mm, more than the ${(MAX_MODEL_VOXELS / 1e6).toFixed(0)} M voxels of 1 mm the models are run on; crop it to the head first`);
  }
  const identity = axes.every((axis, t) => axis === t && !flips[t] && dims[t] === scan.dims[axis]);
  return { scanDims: scan.dims, axes, flips, spacingMm, dims, identity, oriented };
}

/** Scan dims in model axis order (before resampling). */
function reorderedDims(plan: GridPlan): Vec3 {
  return perAxis((t) => plan.scanDims[plan.axes[t]]);
}

/** Source coordinate of output voxel `x` when `n` voxels are resampled to `m` over the same extent. */
function sourceCoordinate(x: number, n: number, m: number): number {
  return ((x + 0.5) * n) / m - 0.5;
}

/**
 * How an image is interpolated onto another grid: linear, cubic (Keys, a = -0.5), or 'bspline'
 * (cubic B-spline interpolation, core/bspline-interp.ts: the sharpest of the three, and the models'
 * images' choice).
 */
export type Interpolation = 'linear' | 'cubic' | 'bspline';

/** Keys' cubic convolution kernel (a = -0.5): interpolates, and reproduces quadratics exactly. */
function keys(t: number): number {
  const x = Math.abs(t);
  if (x <= 1) return 1.5 * x ** 3 - 2.5 * x ** 2 + 1;
  return x < 2 ? -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2 : 0;
}

/** The samples and weights (`taps` per coordinate, flat) that interpolate each coordinate among n samples, edges clamped. */
export interface InterpolationTaps {
  index: Int32Array;
  weight: Float32Array;
  taps: number;
}

/**
 * Taps for sample coordinates `coordinates` (0 = the first sample's centre) along a line of n
 * samples. With 'bspline' the taps weigh the line's B-spline coefficients (bsplineLine), not its
 * samples, and the indices mirror at the edges as the coefficients' filter does.
 */
export function interpolationTaps(coordinates: ArrayLike<number>, n: number, interpolation: Interpolation): InterpolationTaps {
  const taps = interpolation === 'linear' ? 2 : 4;
  const spline = new Float64Array(4);
  const m = coordinates.length;
  const index = new Int32Array(m * taps);
  const weight = new Float32Array(m * taps);
  for (let x = 0; x < m; x++) {
    const c = Math.min(Math.max(coordinates[x], 0), n - 1);
    const lo = Math.floor(c);
    const frac = c - lo;
    if (interpolation === 'bspline') bsplineWeights(frac, spline);
    for (let t = 0; t < taps; t++) {
      const offset = taps === 2 ? t : t - 1;
      index[x * taps + t] = interpolation === 'bspline' ? mirror(lo + offset, n) : Math.min(Math.max(lo + offset, 0), n - 1);
      weight[x * taps + t] = taps === 2 ? (t === 0 ? 1 - frac : frac) : interpolation === 'bspline' ? spline[t] : keys(frac - offset);
    }
  }
  return { index, weight, taps };
}

/** Resampling along one axis from dims[axis] to `m` voxels. */
function resampleAxis(data: Float32Array, dims: Vec3, axis: number, m: number, interpolation: Interpolation): { data: Float32Array; dims: Vec3 } {
  const n = dims[axis];
  const outDims = perAxis((a) => (a === axis ? m : dims[a]));
  if (m === n) return { data, dims: outDims };
  const inStride = [1, dims[0], dims[0] * dims[1]][axis];
  const outStride = [1, outDims[0], outDims[0] * outDims[1]][axis];
  const { index, weight, taps } = interpolationTaps(Array.from({ length: m }, (_, x) => sourceCoordinate(x, n, m)), n, interpolation);
  const out = new Float32Array(outDims[0] * outDims[1] * outDims[2]);
  // every line along `axis` starts at an index with that axis' coordinate 0
  const lines = out.length / m;
  const coefficients = new Float64Array(n);
  for (let line = 0; line < lines; line++) {
    const below = line % inStride;
    const above = Math.floor(line / inStride);
    const inBase = below + above * inStride * n;
    const outBase = below + above * outStride * m;
    for (let k = 0; k < n; k++) coefficients[k] = data[inBase + k * inStride];
    if (interpolation === 'bspline') bsplineLine(coefficients, n);
    for (let x = 0; x < m; x++) {
      let value = 0;
      for (let t = x * taps; t < (x + 1) * taps; t++) value += weight[t] * coefficients[index[t]];
      out[outBase + x * outStride] = value;
    }
  }
  return { data: out, dims: outDims };
}

/** Linear index offsets: for model-grid voxel (x, y, z) of the reordered dims, the scan voxel is start + x*steps[0] + ... */
function reorderSteps(plan: GridPlan): { start: number; steps: number[] } {
  const strides = [1, plan.scanDims[0], plan.scanDims[0] * plan.scanDims[1]];
  let start = 0;
  const steps = plan.axes.map((axis, t) => {
    if (!plan.flips[t]) return strides[axis];
    start += (plan.scanDims[axis] - 1) * strides[axis];
    return -strides[axis];
  });
  return { start, steps };
}

/** Visits every voxel of the reordered grid with its own linear index and the scan's. */
function forEachReordered(plan: GridPlan, visit: (reordered: number, scan: number) => void): void {
  const [nx, ny, nz] = reorderedDims(plan);
  const { start, steps } = reorderSteps(plan);
  let r = 0;
  for (let z = 0; z < nz; z++) {
    for (let y = 0; y < ny; y++) {
      let s = start + y * steps[1] + z * steps[2];
      for (let x = 0; x < nx; x++, r++, s += steps[0]) visit(r, s);
    }
  }
}

/** True when the scan's axes already lie in the model's order and direction (only resampling is left). */
function inModelOrder(plan: GridPlan): boolean {
  return plan.axes.every((axis, t) => axis === t && !plan.flips[t]);
}

/**
 * A scan-grid image on the model grid: reordered, then resampled to 1 mm. A float scan already in
 * the model's axis order is resampled from itself (no full-size copy: a 0.5 mm scan of 92 M voxels
 * would otherwise take 367 MB more, docs/big-scans.md).
 */
export function toModelGrid(data: Float32Array | Uint8Array, plan: GridPlan, interpolation: Interpolation = 'linear'): Float32Array {
  if (plan.identity) return data instanceof Float32Array ? data : Float32Array.from(data);
  let reordered: Float32Array;
  if (inModelOrder(plan) && data instanceof Float32Array) reordered = data;
  else {
    reordered = new Float32Array(data.length);
    forEachReordered(plan, (r, s) => { reordered[r] = data[s]; });
  }
  let current: { data: Float32Array; dims: Vec3 } = { data: reordered, dims: reorderedDims(plan) };
  for (let axis = 0; axis < 3; axis++) current = resampleAxis(current.data, current.dims, axis, plan.dims[axis], interpolation);
  return current.data;
}

/** A binary mask (nonzero = 1) on the model grid: resampled linearly and cut at 0.5, as training labels are. */
export function maskToModelGrid(mask: ArrayLike<number>, plan: GridPlan): Uint8Array {
  const binary = Uint8Array.from(mask, (v) => (v > 0 ? 1 : 0));
  if (plan.identity) return binary;
  return Uint8Array.from(toModelGrid(binary, plan), (v) => (v >= 0.5 ? 1 : 0));
}

/** A model-grid image back on the scan's grid: resampled back (linear), then put back in scan order. */
export function fromModelGrid(data: Float32Array, plan: GridPlan): Float32Array {
  if (plan.identity) return data;
  const back = reorderedDims(plan);
  let current = { data, dims: plan.dims };
  for (let axis = 0; axis < 3; axis++) current = resampleAxis(current.data, current.dims, axis, back[axis], 'linear');
  if (inModelOrder(plan)) return current.data === data ? data.slice() : current.data;
  const out = new Float32Array(current.data.length);
  forEachReordered(plan, (r, s) => { out[s] = current.data[r]; });
  return out;
}

/**
 * The voxel-to-world affine of the model grid: model voxel t sits at scan voxel coordinate
 * s = M t + o (the resampling's coordinate map, mirrored on flipped axes), so it is the scan's
 * affine times [M o; 0 1].
 */
function modelGridAffine(scanAffine: Affine, plan: GridPlan): Affine {
  const map = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]];
  plan.axes.forEach((axis, t) => {
    const n = plan.scanDims[axis];
    const scale = n / plan.dims[t];
    const offset = sourceCoordinate(0, n, plan.dims[t]);
    map[axis][t] = plan.flips[t] ? -scale : scale;
    map[axis][3] = plan.flips[t] ? n - 1 - offset : offset;
  });
  return scanAffine.map((row) => map[0].map((_, c) => row.reduce((sum, v, r) => sum + v * map[r][c], 0)));
}

/** A scan moved onto the model grid, with that grid's affine and spacing. */
export function volumeOnModelGrid(scan: Volume, plan: GridPlan, interpolation: Interpolation = 'linear'): Volume {
  if (plan.identity) return scan;
  const spacingMm = perAxis((t) => (plan.dims[t] === plan.scanDims[plan.axes[t]] ? plan.spacingMm[t] : MODEL_SPACING_MM));
  return { dims: plan.dims, spacingMm, affine: modelGridAffine(scan.affine, plan), data: toModelGrid(scan.data, plan, interpolation), dataType: 'float32' };
}

const AXIS_LETTERS = [['R', 'L'], ['A', 'P'], ['S', 'I']];

/** Orientation code of the scan's array axes (where each points: e.g. 'LAS', 'ASL'). */
function scanOrientation(plan: GridPlan): string {
  const letters = ['', '', ''];
  plan.axes.forEach((axis, t) => {
    const positive = MODEL_AXIS_SIGNS[t] * (plan.flips[t] ? -1 : 1) > 0;
    letters[axis] = AXIS_LETTERS[t][positive ? 0 : 1];
  });
  return letters.join('');
}

/** A one-line note on what was done to reach the model grid, or null when nothing was. */
export function describeModelGrid(plan: GridPlan): string | null {
  if (plan.identity) return null;
  const parts: string[] = [];
  const reordered = plan.axes.some((axis, t) => axis !== t || plan.flips[t]);
  if (reordered) parts.push(`reoriented from ${scanOrientation(plan)} to LAS`);
  if (resamplesScan(plan)) {
    const scanSpacing = [0, 1, 2].map((axis) => plan.spacingMm[plan.axes.indexOf(axis)]);
    parts.push(`resampled from ${scanSpacing.map((s) => Number(s.toFixed(2))).join(' x ')} mm voxels to 1 mm`);
  }
  const recalibrated = coarsestVoxelMm(plan) > 1 + SPACING_TOLERANCE ? ', the map recalibrated for the interpolation (the model marks more on a smoothed scan)' : '';
  return `the scan was ${parts.join(' and ')} (the models' training grid, ${plan.dims.join('x')}); the results are mapped back to its own grid${recalibrated}`;
}

/**
 * A note for a file whose header gives no orientation: its array axes are taken as the training
 * scans' (LAS), and a brain stored otherwise loses much of the accuracy (patient07 stored sagittally
 * and fed as stored: Dice 0.374 against 0.754; a crop turned front-back or upside down: 0.73 ->
 * 0.48-0.54; docs/other-grids.md, docs/crop-inference.md).
 */
export function orientationNote(plan: GridPlan): string | null {
  if (plan.oriented) return null;
  return "the file's header gives no orientation (qform and sform codes 0), so its array axes were taken to point left, anterior and superior (LAS) as in the training scans; if the brain lies otherwise in the array the lesions found will be fewer and less accurate: give the file its orientation first (the DICOM converter, e.g. dcm2niix, writes it)";
}

/** Voxels at least this long (mm) along an axis count as thick slices. */
const THICK_SLICE_MM = 2;

/**
 * A note for a scan acquired in thick slices. Resampled to 1 mm, a lesion's edge is smeared across
 * the slices and the F-beta models mark part of that blur (the map is recalibrated for it, as
 * describeModelGrid says: model/registered-input.ts' coarseScanCut), and small lesions vanish in
 * the blur (docs/other-grids.md, session 33: patient19's lesion F1 0.60-0.67 in 3 mm slices).
 */
export function thickSliceNote(plan: GridPlan): string | null {
  const thickest = Math.max(...plan.spacingMm);
  if (thickest < THICK_SLICE_MM) return null;
  return `its voxels are ${Number(thickest.toFixed(2))} mm long along one axis (thick slices): lesion edges are blurred across the slices and small lesions are found less often than on a 1 mm scan`;
}
