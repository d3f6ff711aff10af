/**
 * Cubic B-spline interpolation (Unser 1999; Thévenaz, Blu and Unser 2000), as elastix and ITK
 * resample a registered image (FinalBSplineInterpolator, order 3) and scipy.ndimage does (order 3).
 * The image is first turned into B-spline coefficients by a recursive filter along each axis
 * (mirror boundaries), so the spline passes through every voxel; sampling then weighs 4 x 4 x 4
 * coefficients. Against Keys' cubic convolution it keeps more of the image's fine detail: a scan
 * moved by half a voxel keeps 97% of a 4-voxel wave's amplitude (Keys 88%, trilinear 71%).
 */
import type { Vec3 } from './types.ts';

/** The cubic B-spline's pole, sqrt(3) - 2. */
const POLE = Math.sqrt(3) - 2;
/** Past this many taps the causal start's geometric sum is below 1e-9 of a voxel. */
const HORIZON = Math.ceil(Math.log(1e-9) / Math.log(Math.abs(POLE)));

/** Turns one line of samples (in place, float64) into its B-spline coefficients, mirror boundaries. */
export function bsplineLine(c: Float64Array, n: number): void {
  if (n < 2) return;
  const z = POLE;
  const gain = (1 - z) * (1 - 1 / z);
  for (let k = 0; k < n; k++) c[k] *= gain;
  // causal start: the mirrored line's geometric sum (exact when the line is shorter than the horizon)
  if (HORIZON < n) {
    let zn = z;
    let sum = c[0];
    for (let k = 1; k < HORIZON; k++, zn *= z) sum += zn * c[k];
    c[0] = sum;
  } else {
    let zn = z;
    const iz = 1 / z;
    let z2n = z ** (n - 1);
    let sum = c[0] + z2n * c[n - 1];
    z2n *= z2n * iz;
    for (let k = 1; k <= n - 2; k++, zn *= z, z2n *= iz) sum += (zn + z2n) * c[k];
    c[0] = sum / (1 - zn * zn);
  }
  for (let k = 1; k < n; k++) c[k] += z * c[k - 1];
  c[n - 1] = (z / (z * z - 1)) * (z * c[n - 2] + c[n - 1]);
  for (let k = n - 2; k >= 0; k--) c[k] = z * (c[k + 1] - c[k]);
}

/**
 * The cubic B-spline coefficients of `data` on `dims` (x fastest), so that bsplineSampler at voxel
 * centres gives the data back.
 * @example const coeffs = bsplineCoefficients(flair, [182, 218, 182]);
 */
export function bsplineCoefficients(data: ArrayLike<number>, dims: Vec3): Float32Array {
  const [nx, ny, nz] = dims;
  if (data.length !== nx * ny * nz) throw new Error(`bsplineCoefficients: ${data.length} voxels for ${dims.join('x')}`);
  const out = Float32Array.from(data);
  const strides = [1, nx, nx * ny];
  for (let axis = 0; axis < 3; axis++) {
    const n = dims[axis];
    const stride = strides[axis];
    const line = new Float64Array(n);
    const lines = out.length / n;
    for (let l = 0; l < lines; l++) {
      const below = l % stride;
      const base = below + Math.floor(l / stride) * stride * n;
      for (let k = 0; k < n; k++) line[k] = out[base + k * stride];
      bsplineLine(line, n);
      for (let k = 0; k < n; k++) out[base + k * stride] = line[k];
    }
  }
  return out;
}

/** Index i mirrored into 0..n-1 (about the first and last samples, as the coefficients' filter assumes). */
export function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let m = Math.abs(i) % period;
  if (m >= n) m = period - m;
  return m;
}

/** The four cubic B-spline weights (into `w`) for a sample t (0..1) past the second of four coefficients. */
export function bsplineWeights(t: number, w: Float64Array): void {
  const u = 1 - t;
  w[0] = (u * u * u) / 6;
  w[1] = 2 / 3 - t * t + (t * t * t) / 2;
  w[2] = 2 / 3 - u * u + (u * u * u) / 2;
  w[3] = (t * t * t) / 6;
}

/** A sampler of the spline of `coeffs` (bsplineCoefficients) at fractional voxel positions. */
export function bsplineSampler(coeffs: Float32Array, dims: Vec3): (px: number, py: number, pz: number) => number {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const wx = new Float64Array(4);
  const wy = new Float64Array(4);
  const wz = new Float64Array(4);
  const ix = new Int32Array(4);
  const iy = new Int32Array(4);
  const iz = new Int32Array(4);
  return (px, py, pz) => {
    const i0 = Math.floor(px);
    const j0 = Math.floor(py);
    const k0 = Math.floor(pz);
    bsplineWeights(px - i0, wx);
    bsplineWeights(py - j0, wy);
    bsplineWeights(pz - k0, wz);
    for (let a = 0; a < 4; a++) {
      ix[a] = mirror(i0 - 1 + a, nx);
      iy[a] = mirror(j0 - 1 + a, ny) * nx;
      iz[a] = mirror(k0 - 1 + a, nz) * sxy;
    }
    let sum = 0;
    for (let c = 0; c < 4; c++) {
      for (let b = 0; b < 4; b++) {
        const row = iz[c] + iy[b];
        const w = wz[c] * wy[b];
        sum += w * (wx[0] * coeffs[row + ix[0]] + wx[1] * coeffs[row + ix[1]] + wx[2] * coeffs[row + ix[2]] + wx[3] * coeffs[row + ix[3]]);
      }
    }
    return sum;
  };
}
