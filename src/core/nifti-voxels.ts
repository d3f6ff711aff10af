/**
 * From a file's stored voxels to the float32 values a Volume holds: byte order, scl_slope/scl_inter,
 * a scaling that overflows float32 (refused, named as such), and NaN/Inf voxels (read as 0 with a note
 * giving their count; refused when no voxel is finite). Pure; used by nifti-io.ts.
 */
import { HOST_LITTLE_ENDIAN, swapBytes } from './nifti-header.ts';
import { scalingOverflowMessage } from './nifti-checks.ts';
import type { RawNifti } from './nifti-stream.ts';

/** The number of NaN and +-Infinity values in `data`. */
export function countNonFinite(data: ArrayLike<number>): number {
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x - x !== 0) bad++;
  }
  return bad;
}

/**
 * Sets the NaN and +-Infinity voxels of `data` to 0 (background), in place, as other tools treat NaN
 * after preprocessing. Returns a note giving their count, or null when there were none; throws when
 * no voxel is finite, e.g. "every voxel (32768) is NaN or infinite: there is no image to read".
 * @example zeroNonFinite(Float32Array.of(1, NaN, 3)) // "1 of its 3 voxels are NaN or infinite; ..."
 */
export function zeroNonFinite(data: Float32Array): string | null {
  let bad = 0;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x - x !== 0) {
      data[i] = 0;
      bad++;
    }
  }
  if (bad === 0) return null;
  if (bad === data.length) throw new Error(`every voxel (${bad}) is NaN or infinite: there is no image to read`);
  return `${bad} of its ${data.length} voxels are NaN or infinite; they were read as 0 (background)`;
}

/**
 * The real values of a file's voxels as float32, and notes. `raw.image` is reused (byte-swapped in
 * place) when the file holds float32 voxels.
 */
export function voxelValues(raw: RawNifti): { data: Float32Array; scaled: boolean; notes: string[] } {
  const { type, count } = raw.plan;
  const { slope, inter } = raw.scaling;
  if (raw.littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(raw.image, type.bytes);
  const stored = new type.array(raw.image.buffer as ArrayBuffer, raw.image.byteOffset, count);
  const scaled = slope !== 1 || inter !== 0;
  // TypedArray.set converts natively; the scaling loop then only touches a Float32Array.
  const data = stored instanceof Float32Array ? stored : new Float32Array(count);
  if (data !== stored) data.set(stored);
  let overflow = 0;
  let storedMax = 0;
  const tooBig = (s: number): void => {
    overflow++;
    storedMax = Math.max(storedMax, Math.abs(s));
  };
  if (scaled) {
    // 8- and 16-bit integers are exact in float32; wider types scale from the stored values.
    const source = stored.BYTES_PER_ELEMENT >= 4 && stored !== data ? stored : data;
    for (let i = 0; i < count; i++) {
      const s = source[i];
      data[i] = s * slope + inter;
      const y = data[i];
      if (y - y !== 0 && s - s === 0) tooBig(s);
    }
    if (overflow > 0) throw new Error(scalingOverflowMessage(slope, inter, storedMax));
  } else if (stored instanceof Float64Array) {
    for (let i = 0; i < count; i++) {
      const y = data[i];
      if (y - y !== 0 && stored[i] - stored[i] === 0) tooBig(stored[i]);
    }
    if (overflow > 0) {
      throw new Error(`${overflow} float64 voxels (up to ${storedMax}) are beyond float32's range (3.4e38), which the workbench reads images as; rescale the image`);
    }
  }
  const nonFinite = zeroNonFinite(data);
  return { data, scaled, notes: nonFinite ? [nonFinite] : [] };
}
