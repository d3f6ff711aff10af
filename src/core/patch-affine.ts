/**
 * Spatial augmentation of training patches: a random rotation and isotropic scaling about the patch
 * centre, sampled from the whole volume with trilinear interpolation (as nnU-Net's spatial
 * transform, milder: the scans here are registered to MNI space, so large rotations never occur).
 */
import type { Vec3 } from './types.ts';
import { randomUniform, type Rng } from './random.ts';
import { bsplineCoefficients, bsplineSampler } from './bspline-interp.ts';
import { sampleCubic } from './rigid-resample.ts';

export interface AffineAugment {
  /** Share of patches that are rotated and scaled; the rest are cut out as they are. */
  probability: number;
  /** Each of the three rotation angles is uniform in +-this many degrees. */
  maxRotationDeg: number;
  /** Isotropic zoom factor range: above 1 the patch covers more of the volume (anatomy shrinks). */
  scaleRange: readonly [number, number];
  /**
   * Share of the resampled patches read with Keys' cubic kernel (as registration resamples a scan)
   * instead of trilinearly; their centre is also moved by up to half a voxel per axis, so the
   * model sees every sub-voxel phase of an interpolated scan. 0 (the default) is trilinear only.
   */
  cubicProbability?: number;
}

export const DEFAULT_AFFINE: AffineAugment = { probability: 0.3, maxRotationDeg: 15, scaleRange: [0.85, 1.2] };

/**
 * `--augment resample`: most patches resampled, half of those by the cubic kernel, so the model
 * does not over-mark a scan that was turned or registered (an interpolated scan is smoother).
 */
export const RESAMPLE_AFFINE: AffineAugment = { probability: 0.6, maxRotationDeg: 15, scaleRange: [0.9, 1.1], cubicProbability: 0.5 };

/** Row-major 3x3 matrix taking an output offset (voxels from the patch centre, along i, j, k) to a source offset. */
export type Mat3 = readonly number[];

function multiply(a: Mat3, b: Mat3): number[] {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return out;
}

/** Rotation by `radians` about axis 0 (i), 1 (j) or 2 (k). */
export function axisRotation(axis: 0 | 1 | 2, radians: number): number[] {
  const c = Math.cos(radians);
  const s = Math.sin(radians);
  const [p, q] = axis === 0 ? [1, 2] : axis === 1 ? [2, 0] : [0, 1];
  const m = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  m[3 * p + p] = c;
  m[3 * p + q] = -s;
  m[3 * q + p] = s;
  m[3 * q + q] = c;
  return m;
}

/** A random rotation-and-scale matrix, or null (no spatial change) with probability 1 - `probability`. */
export function randomAffine(rng: Rng, options: AffineAugment): Mat3 | null {
  if (rng() >= options.probability) return null;
  const max = (options.maxRotationDeg * Math.PI) / 180;
  const rotation = multiply(multiply(axisRotation(2, randomUniform(rng, -max, max)), axisRotation(1, randomUniform(rng, -max, max))),
    axisRotation(0, randomUniform(rng, -max, max)));
  const scale = randomUniform(rng, options.scaleRange[0], options.scaleRange[1]);
  return rotation.map((x) => x * scale);
}

/**
 * Samples a patch of `size` voxels whose centre lies at voxel coordinate `centre` (may be fractional)
 * and whose voxel offsets o map to the source position centre + m * o. Trilinear interpolation; positions
 * outside the volume read 0 (as outside the brain). With the identity matrix and a centre at
 * start + (size - 1) / 2 this equals cutting the box out of the volume. With `kernel` 'cubic',
 * Keys' cubic convolution (sampleCubic) instead of trilinear; with 'bspline', cubic B-spline
 * interpolation (core/bspline-interp.ts; its coefficients cost a pass over the whole volume).
 */
export function resamplePatch(data: Float32Array, dims: Vec3, centre: readonly number[], size: Vec3, m: Mat3,
  kernel: 'linear' | 'cubic' | 'bspline' = 'linear'): Float32Array {
  const [nx, ny, nz] = dims;
  if (data.length !== nx * ny * nz) throw new Error(`volume data has ${data.length} voxels, expected ${nx}*${ny}*${nz}`);
  const spline = kernel === 'bspline' ? bsplineSampler(bsplineCoefficients(data, dims), dims) : null;
  const out = new Float32Array(size[0] * size[1] * size[2]);
  const half = size.map((s) => (s - 1) / 2);
  const at = (i: number, j: number, k: number) =>
    i < 0 || j < 0 || k < 0 || i >= nx || j >= ny || k >= nz ? 0 : data[i + nx * (j + ny * k)];
  let p = 0;
  for (let c = 0; c < size[2]; c++) {
    const oz = c - half[2];
    for (let b = 0; b < size[1]; b++) {
      const oy = b - half[1];
      for (let a = 0; a < size[0]; a++, p++) {
        const ox = a - half[0];
        const x = centre[0] + m[0] * ox + m[1] * oy + m[2] * oz;
        const y = centre[1] + m[3] * ox + m[4] * oy + m[5] * oz;
        const z = centre[2] + m[6] * ox + m[7] * oy + m[8] * oz;
        if (kernel !== 'linear') {
          const inside = x >= 0 && y >= 0 && z >= 0 && x <= nx - 1 && y <= ny - 1 && z <= nz - 1;
          out[p] = !inside ? 0 : spline ? spline(x, y, z) : sampleCubic(data, dims, x, y, z);
          continue;
        }
        const i = Math.floor(x);
        const j = Math.floor(y);
        const k = Math.floor(z);
        const fx = x - i;
        const fy = y - j;
        const fz = z - k;
        const c00 = at(i, j, k) * (1 - fx) + at(i + 1, j, k) * fx;
        const c10 = at(i, j + 1, k) * (1 - fx) + at(i + 1, j + 1, k) * fx;
        const c01 = at(i, j, k + 1) * (1 - fx) + at(i + 1, j, k + 1) * fx;
        const c11 = at(i, j + 1, k + 1) * (1 - fx) + at(i + 1, j + 1, k + 1) * fx;
        out[p] = (c00 * (1 - fy) + c10 * fy) * (1 - fz) + (c01 * (1 - fy) + c11 * fy) * fz;
      }
    }
  }
  return out;
}

/** Thresholds an interpolated binary label at 0.5 in place, so the label stays 0/1. */
export function binarize(label: Float32Array): Float32Array {
  for (let v = 0; v < label.length; v++) label[v] = label[v] >= 0.5 ? 1 : 0;
  return label;
}
