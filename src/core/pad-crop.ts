import type { Vec3 } from './types.ts';

/**
 * Zero-pads a volume at the high end of each axis to at least `minDims` (volumes smaller than a
 * patch, e.g. a 64^3 crop with 96^3 patches), an image or a brain mask. Returns the input unchanged
 * when no axis is short.
 */
export function padToAtLeast<T extends Float32Array | Uint8Array>(data: T, dims: Vec3, minDims: Vec3): { data: T; dims: Vec3 } {
  const out: Vec3 = [Math.max(dims[0], minDims[0]), Math.max(dims[1], minDims[1]), Math.max(dims[2], minDims[2])];
  if (out[0] === dims[0] && out[1] === dims[1] && out[2] === dims[2]) return { data, dims };
  const padded = (data instanceof Uint8Array ? new Uint8Array(out[0] * out[1] * out[2]) : new Float32Array(out[0] * out[1] * out[2])) as T;
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      const src = dims[0] * (j + dims[1] * k);
      padded.set(data.subarray(src, src + dims[0]), out[0] * (j + out[1] * k));
    }
  }
  return { data: padded, dims: out };
}

/** The inverse of padToAtLeast: keeps the low corner of size `dims`. */
export function cropToDims(data: Float32Array, fromDims: Vec3, dims: Vec3): Float32Array {
  if (fromDims[0] === dims[0] && fromDims[1] === dims[1] && fromDims[2] === dims[2]) return data;
  const out = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      const src = fromDims[0] * (j + fromDims[1] * k);
      out.set(data.subarray(src, src + dims[0]), dims[0] * (j + dims[1] * k));
    }
  }
  return out;
}
