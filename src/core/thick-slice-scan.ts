import type { Vec3, Volume } from './types.ts';

/**
 * The 1 mm slices a thick slice covers and how much of each: thick slice g spans [g t, (g + 1) t)
 * in units of source slices, so with t = 1.5 slice 0 covers all of source slice 0 and half of 1.
 */
function sliceWeights(group: number, thickness: number): { slice: number; weight: number }[] {
  const from = group * thickness;
  const to = from + thickness;
  const weights = [];
  for (let s = Math.floor(from); s < to; s++) {
    const weight = Math.min(to, s + 1) - Math.max(from, s);
    if (weight > 1e-9) weights.push({ slice: s, weight: weight / thickness });
  }
  return weights;
}

/**
 * A 1 mm scan as if acquired in slices `thickness` voxels thick along `axis` (whole or fractional:
 * 1.5 makes 1.5 mm slices), for measuring the engine on thick-slice scans (README, "Scans on other
 * grids"; training simulates them per patch in thick-slices.ts). Each thick slice holds the mean of
 * the 1 mm slices it covers, weighted by how much of each it covers: the partial-volume blur of a
 * thick slice. For a mask, a thick voxel is lesion where lesion covers at least half of it (for 3
 * slices their majority, for 2 either). The affine gets the thick spacing and its origin moves to
 * the centre of the first thick slice, so each thick voxel lies at the centre of what it covers. A
 * last thick slice that would run past the scan is dropped. The result has no source header, so a
 * written file takes its geometry from the new affine.
 *
 * @example thickSliceScan(flair, 2, 3, false) // 182x218x182 at 1 mm -> 182x218x60 at 1x1x3 mm
 */
export function thickSliceScan(volume: Volume, axis: 0 | 1 | 2, thickness: number, isMask: boolean): Volume {
  if (!(Number.isFinite(thickness) && thickness >= 1)) throw new Error(`slice thickness must be at least one voxel, got ${thickness}`);
  const groups = Math.floor(volume.dims[axis] / thickness + 1e-9);
  if (groups < 1) throw new Error(`the scan has ${volume.dims[axis]} voxels along axis ${axis}, fewer than one ${thickness}-voxel slice`);
  const dims = volume.dims.map((d, a) => (a === axis ? groups : d)) as unknown as Vec3;
  const [nx, ny] = volume.dims;
  const srcStride = axis === 0 ? 1 : axis === 1 ? nx : nx * ny;
  const weights = Array.from({ length: groups }, (_, g) => sliceWeights(g, thickness));
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  let out = 0;
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++, out++) {
        const position = [i, j, k];
        const group = position[axis];
        position[axis] = 0;
        const base = position[0] + nx * (position[1] + ny * position[2]);
        let mean = 0;
        for (const { slice, weight } of weights[group]) mean += weight * volume.data[base + slice * srcStride];
        data[out] = isMask ? (mean >= 0.5 - 1e-6 ? 1 : 0) : mean;
      }
    }
  }
  // thick slice 0 spans source positions -0.5 .. thickness - 0.5 (voxel centres at whole numbers)
  const centre = (thickness - 1) / 2;
  const affine = volume.affine.map((row) => row.map((x, c) => (c === axis ? x * thickness : c === 3 ? x + row[axis] * centre : x)));
  const spacingMm = volume.spacingMm.map((s, a) => (a === axis ? s * thickness : s)) as unknown as Vec3;
  return { dims, spacingMm, affine, data, dataType: isMask ? 'uint8' : 'float32' };
}
