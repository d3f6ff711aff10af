/** Small helpers on the plain Volume model: sizes, indexing, grid comparison, derived volumes. */
import type { Vec3, Volume } from './types.ts';

/** Number of voxels in a grid of `dims` (i * j * k). */
export function voxelCount(dims: Vec3): number {
  return dims[0] * dims[1] * dims[2];
}

/**
 * Linear index of voxel (i, j, k) in Volume.data (i varies fastest). No bounds check.
 * @example voxelIndex([4, 3, 2], 1, 2, 1) // 1 + 4 * (2 + 3 * 1) = 21
 */
export function voxelIndex(dims: Vec3, i: number, j: number, k: number): number {
  return i + dims[0] * (j + dims[1] * k);
}

/** Largest absolute difference between two affines' entries (mm for the translation column). */
function maxAffineDifference(a: Volume, b: Volume): number {
  let worst = 0;
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(a.affine[r][c] - b.affine[r][c]));
  }
  return worst;
}

/**
 * True when `a` and `b` share one voxel grid: equal dims and every affine entry within `tolMm`.
 */
export function sameGrid(a: Volume, b: Volume, tolMm = 1e-3): boolean {
  return a.dims.every((d, axis) => d === b.dims[axis]) && maxAffineDifference(a, b) <= tolMm;
}

/**
 * Throws unless every volume is on the grid of the first (see sameGrid), naming the two files, e.g.
 * "FLAIR.nii.gz (182x218x182) and T1.nii.gz (182x218x181) are not on the same voxel grid: ...".
 */
export function assertSameGrid(volumes: readonly { name: string; volume: Volume }[], tolMm = 1e-3): void {
  const [first, ...rest] = volumes;
  for (const other of rest) {
    if (sameGrid(first.volume, other.volume, tolMm)) continue;
    const a = first.volume;
    const b = other.volume;
    const sameDims = a.dims.every((d, axis) => d === b.dims[axis]);
    const why = sameDims
      ? `their affines differ by up to ${maxAffineDifference(a, b).toPrecision(3)} mm`
      : 'their dimensions differ';
    throw new Error(
      `${first.name} (${a.dims.join('x')}) and ${other.name} (${b.dims.join('x')}) are not on the same ` +
        `voxel grid: ${why}; resample or co-register them to one grid first`,
    );
  }
}

/**
 * Volume of one voxel in millilitres (mm^3 / 1000).
 * @example voxelVolumeMl([1, 1, 3]) // 0.003
 */
export function voxelVolumeMl(spacingMm: Vec3): number {
  return (spacingMm[0] * spacingMm[1] * spacingMm[2]) / 1000;
}

/**
 * A reference lesion mask as 0/1: lesion where the value is above 0.5, as training reads its labels.
 * Binary and labelled masks (0/1, 0/255, one label per lesion) keep every lesion; a mask resampled
 * with interpolation (fractions in 0-1, as FSL's and ANTs' linear resampling leave it) is cut at one
 * half instead of being taken dilated.
 * @example referenceLesions([0, 0.3, 0.7, 1, 255, 4]) // Uint8Array [0, 0, 1, 1, 1, 1]
 */
export function referenceLesions(data: ArrayLike<number>): Uint8Array {
  const lesions = new Uint8Array(data.length);
  for (let v = 0; v < data.length; v++) if (data[v] > 0.5) lesions[v] = 1;
  return lesions;
}

/**
 * A new volume on the grid of `volume` (dims, spacing, affine and sourceHeader shared) holding `data`:
 * a Uint8Array (copied to Float32Array, dataType 'uint8') for masks, or a Float32Array (used as is,
 * dataType 'float32') for probabilities.
 */
export function maskLike(volume: Volume, data: Uint8Array | Float32Array): Volume {
  const count = voxelCount(volume.dims);
  if (data.length !== count) {
    throw new Error(`mask has ${data.length} voxels but the volume ${volume.dims.join('x')} has ${count}`);
  }
  const isMask = data instanceof Uint8Array;
  return {
    dims: volume.dims,
    spacingMm: volume.spacingMm,
    affine: volume.affine,
    data: isMask ? Float32Array.from(data) : data,
    dataType: isMask ? 'uint8' : 'float32',
    sourceHeader: volume.sourceHeader,
  };
}
