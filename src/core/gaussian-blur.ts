import type { Vec3 } from './types.ts';

/** Normalised 1D Gaussian kernel of radius ceil(3 sigma). */
export function gaussianKernel1d(sigmaVox: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigmaVox));
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let t = -radius; t <= radius; t++) {
    const value = Math.exp(-(t * t) / (2 * sigmaVox * sigmaVox));
    kernel[t + radius] = value;
    sum += value;
  }
  for (let t = 0; t < kernel.length; t++) kernel[t] /= sum;
  return kernel;
}

/** Separable 3D Gaussian smoothing (zero outside the volume), sigma in voxels. */
export function gaussianBlur3d(data: ArrayLike<number>, dims: Vec3, sigmaVox: number): Float32Array {
  const kernel = gaussianKernel1d(sigmaVox);
  let current: Float32Array = Float32Array.from(data);
  const strides = [1, dims[0], dims[0] * dims[1]];
  for (let axis = 0; axis < 3; axis++) current = blurAxis(current, dims, axis, strides[axis], kernel);
  return current;
}

function blurAxis(src: Float32Array, dims: Vec3, axis: number, stride: number, kernel: Float32Array): Float32Array {
  const out = new Float32Array(src.length);
  const radius = (kernel.length - 1) / 2;
  const [nx, ny] = dims;
  const length = dims[axis];
  for (let v = 0; v < src.length; v++) {
    const pos = axis === 0 ? v % nx : axis === 1 ? Math.floor(v / nx) % ny : Math.floor(v / (nx * ny));
    let acc = 0;
    const lo = Math.max(-radius, -pos);
    const hi = Math.min(radius, length - 1 - pos);
    for (let t = lo; t <= hi; t++) acc += kernel[t + radius] * src[v + t * stride];
    out[v] = acc;
  }
  return out;
}
