/**
 * Resampling through a rigid transform between two grids of 1 mm voxels whose voxel (i, j, k) sits
 * at (i, j, k) mm (the model's grid and the template's): each output voxel x reads the source at
 * T(x), trilinear, accumulated in float64 (or by cubic B-spline, or the peak of the voxels trilinear
 * reads). Also the 2 mm block average the registration runs on.
 */
import { bsplineCoefficients, bsplineSampler } from './bspline-interp.ts';
import { applyRigid, type RigidTransform } from './rigid-transform.ts';
import type { Vec3 } from './types.ts';

/** What a sample outside the source reads: 0 (background), or the nearest edge voxel. */
export type OutsideRule = 'zero' | 'clamp';

/**
 * `data` (on `srcDims`) on a grid of `outDims`: output voxel x reads the source at `t`(x), trilinear.
 * Outside the source: 0 with 'zero'; with 'clamp' the position is clamped into the source, so a
 * constant field stays exactly constant (the weights sum to 1 in float64).
 * @example resampleRigid(flair, planDims, [182, 218, 182], transform) // the scan on the template's grid
 */
export function resampleRigid(data: ArrayLike<number>, srcDims: Vec3, outDims: Vec3, t: RigidTransform, outside: OutsideRule = 'zero'): Float32Array {
  const [nx, ny, nz] = srcDims;
  if (data.length !== nx * ny * nz) throw new Error(`resampleRigid: ${data.length} voxels for ${srcDims.join('x')}`);
  return sampleThrough(srcDims, outDims, t, outside, (px, py, pz) => trilinear(data, srcDims, px, py, pz));
}

/**
 * As resampleRigid (outside: 0), by cubic B-spline interpolation (core/bspline-interp.ts), as
 * elastix resamples a registered image: it keeps more fine detail than Keys' kernel.
 */
export function resampleRigidBSpline(data: ArrayLike<number>, srcDims: Vec3, outDims: Vec3, t: RigidTransform): Float32Array {
  const sample = bsplineSampler(bsplineCoefficients(data, srcDims), srcDims);
  return sampleThrough(srcDims, outDims, t, 'zero', sample);
}

/**
 * As resampleRigid with 'clamp', but each output voxel takes the highest of the source voxels that
 * trilinear interpolation reads there (those of non-zero weight) instead of their weighted mean.
 * A lesion's peak survives the move: a one-voxel peak read half a voxel off keeps its value where
 * trilinear halves it. Where t(x) falls on a voxel exactly (a whole-voxel shift) it reads that voxel
 * alone, as trilinear does, so it never widens a map moved by whole voxels.
 * @example resampleRigidPeak(map, templateDims, planDims, invertRigid(transform)) // the lesion filter's confidence on the scan's grid
 */
export function resampleRigidPeak(data: ArrayLike<number>, srcDims: Vec3, outDims: Vec3, t: RigidTransform): Float32Array {
  const [nx, ny, nz] = srcDims;
  if (data.length !== nx * ny * nz) throw new Error(`resampleRigidPeak: ${data.length} voxels for ${srcDims.join('x')}`);
  return sampleThrough(srcDims, outDims, t, 'clamp', (px, py, pz) => cellPeak(data, srcDims, px, py, pz));
}

/** Keys' kernel (a = -0.5): training's cubic patches (core/patch-affine.ts) read with it. */
function keys(d: number): number {
  const x = Math.abs(d);
  if (x <= 1) return 1.5 * x ** 3 - 2.5 * x ** 2 + 1;
  return x < 2 ? -0.5 * x ** 3 + 2.5 * x ** 2 - 4 * x + 2 : 0;
}

/** `data` at the fractional voxel position (px, py, pz), Keys' cubic, 4 x 4 x 4 taps, edges clamped. */
export function sampleCubic(data: ArrayLike<number>, dims: Vec3, px: number, py: number, pz: number): number {
  const [nx, ny, nz] = dims;
  const i0 = Math.floor(px);
  const j0 = Math.floor(py);
  const k0 = Math.floor(pz);
  const wx = [keys(px - i0 + 1), keys(px - i0), keys(px - i0 - 1), keys(px - i0 - 2)];
  const wy = [keys(py - j0 + 1), keys(py - j0), keys(py - j0 - 1), keys(py - j0 - 2)];
  const wz = [keys(pz - k0 + 1), keys(pz - k0), keys(pz - k0 - 1), keys(pz - k0 - 2)];
  let sum = 0;
  for (let c = 0; c < 4; c++) {
    const kk = Math.min(Math.max(k0 - 1 + c, 0), nz - 1) * nx * ny;
    for (let b = 0; b < 4; b++) {
      const jj = kk + Math.min(Math.max(j0 - 1 + b, 0), ny - 1) * nx;
      const w = wz[c] * wy[b];
      for (let a = 0; a < 4; a++) sum += w * wx[a] * data[jj + Math.min(Math.max(i0 - 1 + a, 0), nx - 1)];
    }
  }
  return sum;
}

function trilinear(data: ArrayLike<number>, dims: Vec3, px: number, py: number, pz: number): number {
  const [nx, ny, nz] = dims;
  const sxy = nx * ny;
  const i0 = Math.floor(px);
  const j0 = Math.floor(py);
  const k0 = Math.floor(pz);
  const fx = px - i0;
  const fy = py - j0;
  const fz = pz - k0;
  let sum = 0;
  for (let c = 0; c < 8; c++) {
    const ii = i0 + (c & 1);
    const jj = j0 + ((c >> 1) & 1);
    const kk = k0 + ((c >> 2) & 1);
    const w = ((c & 1) ? fx : 1 - fx) * ((c & 2) ? fy : 1 - fy) * ((c & 4) ? fz : 1 - fz);
    if (w === 0 || ii < 0 || jj < 0 || kk < 0 || ii >= nx || jj >= ny || kk >= nz) continue;
    sum += w * data[ii + nx * jj + sxy * kk];
  }
  return sum;
}

/** The highest of the (up to eight) voxels of non-zero trilinear weight at (px, py, pz), a position inside the grid. */
function cellPeak(data: ArrayLike<number>, dims: Vec3, px: number, py: number, pz: number): number {
  const [nx, ny] = dims;
  const i0 = Math.floor(px);
  const j0 = Math.floor(py);
  const k0 = Math.floor(pz);
  const di = px > i0 ? 1 : 0;
  const dj = py > j0 ? 1 : 0;
  const dk = pz > k0 ? 1 : 0;
  let peak = -Infinity;
  for (let c = 0; c <= dk; c++) {
    for (let b = 0; b <= dj; b++) {
      const row = nx * (j0 + b) + nx * ny * (k0 + c);
      for (let a = 0; a <= di; a++) peak = Math.max(peak, data[row + i0 + a]);
    }
  }
  return peak;
}

/** Visits every output voxel x with its source position t(x) (clamped, or skipped outside the source) and stores what `sample` gives. */
function sampleThrough(srcDims: Vec3, outDims: Vec3, t: RigidTransform, outside: OutsideRule, sample: (x: number, y: number, z: number) => number): Float32Array {
  const [nx, ny, nz] = srcDims;
  const out = new Float32Array(outDims[0] * outDims[1] * outDims[2]);
  const origin = applyRigid(t, [0, 0, 0]);
  const m = t.matrix;
  const clamp = outside === 'clamp';
  let v = 0;
  for (let k = 0; k < outDims[2]; k++) {
    for (let j = 0; j < outDims[1]; j++) {
      let x = origin[0] + m[1] * j + m[2] * k;
      let y = origin[1] + m[4] * j + m[5] * k;
      let z = origin[2] + m[7] * j + m[8] * k;
      for (let i = 0; i < outDims[0]; i++, v++, x += m[0], y += m[3], z += m[6]) {
        let px = x;
        let py = y;
        let pz = z;
        if (clamp) {
          px = Math.min(Math.max(px, 0), nx - 1);
          py = Math.min(Math.max(py, 0), ny - 1);
          pz = Math.min(Math.max(pz, 0), nz - 1);
        } else if (px <= -1 || py <= -1 || pz <= -1 || px >= nx || py >= ny || pz >= nz) {
          continue;
        }
        out[v] = sample(px, py, pz);
      }
    }
  }
  return out;
}

/** A binary mask through `t`: resampled linearly and cut at 0.5 (as the model grid's masks are). */
export function resampleMaskRigid(mask: ArrayLike<number>, srcDims: Vec3, outDims: Vec3, t: RigidTransform): Uint8Array {
  return Uint8Array.from(resampleRigid(Uint8Array.from(mask as ArrayLike<number>, (x) => (x > 0 ? 1 : 0)), srcDims, outDims, t), (x) => (x >= 0.5 ? 1 : 0));
}

/**
 * The mean of each 2x2x2 block (a trailing odd voxel dropped): block (a, b, c) is centred at
 * (2a + 0.5, 2b + 0.5, 2c + 0.5) mm of the 1 mm grid.
 */
export function blockAverage2(data: ArrayLike<number>, dims: Vec3): { data: Float32Array; dims: Vec3 } {
  const half: Vec3 = [Math.floor(dims[0] / 2), Math.floor(dims[1] / 2), Math.floor(dims[2] / 2)];
  if (half.some((n) => n < 1)) throw new Error(`a ${dims.join('x')} image is too small to register`);
  const out = new Float32Array(half[0] * half[1] * half[2]);
  const sxy = dims[0] * dims[1];
  let v = 0;
  for (let c = 0; c < half[2]; c++) {
    for (let b = 0; b < half[1]; b++) {
      for (let a = 0; a < half[0]; a++, v++) {
        let sum = 0;
        for (let q = 0; q < 8; q++) sum += data[(2 * a + (q & 1)) + dims[0] * (2 * b + ((q >> 1) & 1)) + sxy * (2 * c + ((q >> 2) & 1))];
        out[v] = sum / 8;
      }
    }
  }
  return { data: out, dims: half };
}
