/**
 * Patch weighting windows for fusion: separable B-spline (the method's default), Gaussian (nnU-Net)
 * and uniform ('mean'). A 1D profile is sampled at voxel centres and normalised to a maximum of 1;
 * the 3D window is the product of three profiles with a small floor.
 */
import type { FusionWindowKind, Vec3 } from './types.ts';

/** B-spline orders supported: 0 box, 1 hat, 2 quadratic, 3 cubic. */
export type BSplineOrder = 0 | 1 | 2 | 3;

/**
 * The centred cardinal B-spline of `order` at `x` (support |x| < (order + 1) / 2, integral 1):
 * - 0: 1 for |x| < 1/2 (1/2 at |x| = 1/2)
 * - 1: 1 - |x| for |x| < 1
 * - 2: 3/4 - x^2 for |x| < 1/2; (|x| - 3/2)^2 / 2 for 1/2 <= |x| < 3/2
 * - 3: 2/3 - x^2 + |x|^3 / 2 for |x| < 1; (2 - |x|)^3 / 6 for 1 <= |x| < 2
 */
export function cardinalBSpline(x: number, order: BSplineOrder): number {
  const t = Math.abs(x);
  switch (order) {
    case 0:
      return t < 0.5 ? 1 : t === 0.5 ? 0.5 : 0;
    case 1:
      return t < 1 ? 1 - t : 0;
    case 2:
      return t < 0.5 ? 0.75 - t * t : t < 1.5 ? 0.5 * (t - 1.5) ** 2 : 0;
    case 3:
      return t < 1 ? 2 / 3 - t * t + 0.5 * t ** 3 : t < 2 ? (2 - t) ** 3 / 6 : 0;
  }
}

/**
 * 1D B-spline window of `n` voxels: the centred cardinal B-spline of `order` stretched so that its
 * support (-(order+1)/2, (order+1)/2) spans the patch, sampled at voxel centres and divided by the
 * largest sample (so the maximum is exactly 1). Voxel i sits at u = (i + 0.5) / n in (0, 1), i.e. at
 * x = (u - 1/2) * (order + 1) on the spline.
 *
 * Worked example, n = 4, order 1 (hat on (-1, 1)): u = 1/8, 3/8, 5/8, 7/8 -> x = -3/4, -1/4, 1/4, 3/4
 * -> 1 - |x| = 1/4, 3/4, 3/4, 1/4 -> / 0.75 = 1/3, 1, 1, 1/3.
 * Order 2, n = 4: x = -9/8, -3/8, 3/8, 9/8 -> 9/128, 39/64, 39/64, 9/128 -> 3/26, 1, 1, 3/26.
 */
export function bsplineWindow1d(n: number, order: number): Float32Array {
  requirePositiveInt('window length', n);
  const o = requireOrder(order);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    values[i] = cardinalBSpline(((i + 0.5) / n - 0.5) * (o + 1), o);
  }
  return normaliseToMaxOne(values);
}

/**
 * 1D Gaussian window of `n` voxels, centred between the middle voxels ((n - 1) / 2, so it is
 * symmetric; nnU-Net centres at floor(n / 2)), sigma = sigmaFraction * n (nnU-Net: n / 8), maximum 1:
 * g(i) = exp(-(i - (n - 1) / 2)^2 / (2 sigma^2)) / g_max.
 * Worked example, n = 8 (sigma = 1): i - 3.5 = -3.5 ... 3.5; g(3) = g(4) = 1,
 * g(0) = exp(-3.5^2 / 2) / exp(-0.5^2 / 2) = exp(-6) ~ 2.5e-3.
 */
export function gaussianWindow1d(n: number, sigmaFraction = 1 / 8): Float32Array {
  requirePositiveInt('window length', n);
  if (!(sigmaFraction > 0 && Number.isFinite(sigmaFraction))) {
    throw new Error(`sigmaFraction must be a positive number, got ${sigmaFraction}`);
  }
  const sigmaVox = sigmaFraction * n;
  const centre = (n - 1) / 2;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = Math.exp(-((i - centre) ** 2) / (2 * sigmaVox * sigmaVox));
  return normaliseToMaxOne(values);
}

/**
 * 3D fusion window for a patch of `size` voxels, i fastest: w(i, j, k) = b(i) b(j) b(k) with b the
 * 1D profile of `kind` ('bspline' of `order`, 'gaussian' with sigma = size / 8, 'mean' = all ones),
 * then every value below `floor` raised to `floor`, so each voxel covered by some patch gets a
 * positive total weight (nnU-Net replaces zeros by the minimum, "otherwise we may end up with nans").
 *
 * Example: a cubic (order 3) window of 64^3 has corner weight ~(7.6e-6)^3, raised to 1e-3.
 * @param floor in (0, 1]; default 1e-3.
 */
export function fusionWindow(
  kind: FusionWindowKind,
  size: Vec3,
  order = 2,
  floor = 1e-3,
): Float32Array {
  if (!(floor > 0 && floor <= 1)) throw new Error(`window floor must be in (0, 1], got ${floor}`);
  const profile = (n: number): Float32Array => {
    switch (kind) {
      case 'bspline':
        return bsplineWindow1d(n, order);
      case 'gaussian':
        return gaussianWindow1d(n);
      case 'mean':
        requirePositiveInt('window length', n);
        return new Float32Array(n).fill(1);
      default:
        throw new Error(`unknown fusion window kind '${String(kind satisfies never)}'`);
    }
  };
  const [bx, by, bz] = [profile(size[0]), profile(size[1]), profile(size[2])];
  const w = new Float32Array(size[0] * size[1] * size[2]);
  let p = 0;
  for (let k = 0; k < bz.length; k++) {
    for (let j = 0; j < by.length; j++) {
      const bjk = by[j] * bz[k];
      for (let i = 0; i < bx.length; i++) {
        const v = bx[i] * bjk;
        w[p++] = v < floor ? floor : v;
      }
    }
  }
  return w;
}

function normaliseToMaxOne(values: Float64Array): Float32Array {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  if (!(max > 0)) throw new Error('window has no positive sample');
  return Float32Array.from(values, (v) => v / max);
}

function requireOrder(order: number): BSplineOrder {
  if (order !== 0 && order !== 1 && order !== 2 && order !== 3) {
    throw new Error(`B-spline order must be 0, 1, 2 or 3, got ${order}`);
  }
  return order;
}

function requirePositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got ${value}`);
  }
}
