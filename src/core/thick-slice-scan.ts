import type { Vec3, Volume } from './types.ts';

/**
 * A 1 mm scan as if acquired in slices `thickness` voxels thick along `axis`, for measuring the
 * engine on thick-slice scans (README, "Scans on other grids"; training simulates them per patch in
 * thick-slices.ts). Every `thickness` consecutive slices become one slice holding their mean, the
 * partial-volume blur of a thick slice; for a mask, a slice voxel is lesion where at least half of
 * the voxels it covers are (for 3 slices their majority). The affine gets the thick spacing and its
 * origin moves to the centre of the first group, so each thick voxel lies at the mean position of the
 * voxels it averages. A last group shorter than `thickness` is dropped. The result has no source
 * header, so a written file takes its geometry from the new affine.
 *
 * @example thickSliceScan(flair, 2, 3, false) // 182x218x182 at 1 mm -> 182x218x60 at 1x1x3 mm
 */
export function thickSliceScan(volume: Volume, axis: 0 | 1 | 2, thickness: number, isMask: boolean): Volume {
  if (!Number.isInteger(thickness) || thickness < 1) throw new Error(`slice thickness must be a whole number of voxels, got ${thickness}`);
  const groups = Math.floor(volume.dims[axis] / thickness);
  if (groups < 1) throw new Error(`the scan has ${volume.dims[axis]} voxels along axis ${axis}, fewer than one ${thickness}-voxel slice`);
  const dims = volume.dims.map((d, a) => (a === axis ? groups : d)) as unknown as Vec3;
  const [nx, ny] = volume.dims;
  const srcStride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  let out = 0;
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++, out++) {
        const first = [i, j, k];
        first[axis] *= thickness;
        const base = first[0] + nx * (first[1] + ny * first[2]);
        let sum = 0;
        for (let s = 0; s < thickness; s++) sum += volume.data[base + s * srcStride];
        const mean = sum / thickness;
        data[out] = isMask ? (mean >= 0.5 ? 1 : 0) : mean;
      }
    }
  }
  const centre = (thickness - 1) / 2;
  const affine = volume.affine.map((row) => row.map((x, c) => (c === axis ? x * thickness : c === 3 ? x + row[axis] * centre : x)));
  const spacingMm = volume.spacingMm.map((s, a) => (a === axis ? s * thickness : s)) as unknown as Vec3;
  return { dims, spacingMm, affine, data, dataType: isMask ? 'uint8' : 'float32' };
}
