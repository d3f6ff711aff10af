/**
 * Scans as they come, made from a registered case: the head turned and shifted in the array (the
 * affine left as it is, as an unregistered scan stores a tilted head), intensities scaled and
 * offset, a smooth multiplicative bias field, Rician noise. Masks are moved with the same
 * transform (linear, lesion where >= 0.5), so a variant is scored against its own truth.
 */
import { axisRotation, type Mat3, resamplePatch } from './patch-affine.ts';
import { createRng, randomNormal } from './random.ts';
import type { Modality, Volume } from './types.ts';

/** A rigid move of the head in the array: rotations (degrees, about the array centre) and a shift (mm). */
export interface RigidMove {
  rotateDeg: readonly [number, number, number];
  shiftMm: readonly [number, number, number];
}

function multiply(a: Mat3, b: Mat3): number[] {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return out;
}

/**
 * The volume with its content turned about the array centre and shifted (voxel axes; spacing is
 * taken into account for the shift only, so use it on isotropic scans). `mask`: lesion where the
 * interpolated value >= 0.5 (always trilinear). An image is read trilinearly, or by cubic B-spline
 * with `kernel` 'bspline' (sharper, as elastix resamples), its background left 0 where trilinear's is.
 */
export function moveInArray(volume: Volume, move: RigidMove, mask: boolean, kernel: 'linear' | 'bspline' = 'linear'): Volume {
  const r = move.rotateDeg.map((d) => (d * Math.PI) / 180);
  // output offset o maps to source position centre + R^T o - shift: the content turns by R, moves by shift
  const rotation = multiply(multiply(axisRotation(2, r[2]), axisRotation(1, r[1])), axisRotation(0, r[0]));
  const inverse = [0, 3, 6, 1, 4, 7, 2, 5, 8].map((i) => rotation[i]);
  const centre = volume.dims.map((d, a) => (d - 1) / 2 - move.shiftMm[a] / volume.spacingMm[a]);
  const data = resamplePatch(volume.data, volume.dims, centre, volume.dims, inverse);
  if (!mask && kernel === 'bspline') {
    // the spline rings past a skull-stripped brain's edge into the background: 0 stays 0 where trilinear reads only 0
    const spline = resamplePatch(volume.data, volume.dims, centre, volume.dims, inverse, 'bspline');
    for (let v = 0; v < data.length; v++) if (data[v] !== 0) data[v] = spline[v];
  }
  if (mask) for (let v = 0; v < data.length; v++) data[v] = data[v] >= 0.5 ? 1 : 0;
  return { ...volume, data, dataType: mask ? 'uint8' : 'float32' };
}

/** A value per modality (scale or offset): `all` for a modality not named. */
export interface PerModality {
  all: number;
  byModality: Partial<Record<Modality, number>>;
}

const VARIANT_MODALITIES: readonly Modality[] = ['flair', 't1', 't2', 't1post'];

/**
 * `--scale` / `--offset` as given: one number for every scan ("3.7"), or a value per modality
 * ("flair=3.7,t1=0.02,t2=1200"; a modality left out gets `neutral`), as scanners give each
 * sequence units of its own. Throws a one-line Error naming `what` on anything else.
 *
 * @example parsePerModality('flair=2,t2=0.5', 1, '--scale') // { all: 1, byModality: { flair: 2, t2: 0.5 } }
 */
export function parsePerModality(text: string, neutral: number, what: string): PerModality {
  const bad = (why: string) => new Error(`${what} must be a number or MODALITY=NUMBER,... (flair, t1, t2, t1post), got '${text}': ${why}`);
  if (!text.includes('=')) {
    const all = Number(text);
    if (text.trim() === '' || !Number.isFinite(all)) throw bad('not a number');
    return { all, byModality: {} };
  }
  const byModality: Partial<Record<Modality, number>> = {};
  for (const part of text.split(',')) {
    const [name, value, extra] = part.split('=').map((x) => x.trim());
    const modality = name.toLowerCase() as Modality;
    if (extra !== undefined || !VARIANT_MODALITIES.includes(modality)) throw bad(`'${part}' names no modality`);
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(n)) throw bad(`'${part}' has no number`);
    if (modality in byModality) throw bad(`${modality} given twice`);
    byModality[modality] = n;
  }
  return { all: neutral, byModality };
}

/** The value for a scan of `modality` (null: a file whose name names none). */
export function valueFor(values: PerModality, modality: Modality | null): number {
  return (modality && values.byModality[modality]) ?? values.all;
}

/** Intensities scaled and offset: a scanner's units instead of the preprocessed ones (0 stays 0 outside the head). */
export function rescaleIntensity(volume: Volume, scale: number, offset: number): Volume {
  const data = Float32Array.from(volume.data, (x) => (x === 0 ? 0 : x * scale + offset));
  return { ...volume, data, dataType: 'float32' };
}

/**
 * A smooth multiplicative bias field of +-`amplitude` (0.3: +-30%): the product of one cosine
 * period's half along each axis with a random phase, as a receive coil's falloff.
 */
export function biasField(volume: Volume, amplitude: number, seed: number): Volume {
  const rng = createRng(seed);
  const [nx, ny, nz] = volume.dims;
  const phase = [rng(), rng(), rng()].map((u) => u * 2 * Math.PI);
  const along = (n: number, p: number) => Float64Array.from({ length: n }, (_, i) => Math.cos(Math.PI * (i / n) + p));
  const fx = along(nx, phase[0]);
  const fy = along(ny, phase[1]);
  const fz = along(nz, phase[2]);
  const data = new Float32Array(volume.data.length);
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, v++) data[v] = volume.data[v] * (1 + amplitude * (fx[i] + fy[j] + fz[k]) / 3);
    }
  }
  return { ...volume, data, dataType: 'float32' };
}

/**
 * Rician noise: the magnitude of the signal plus complex Gaussian noise of `sigmaFraction` x the
 * mean of the voxels above 0 (only inside the head: outside stays 0, as the skull-stripped input).
 */
export function ricianNoise(volume: Volume, sigmaFraction: number, seed: number): Volume {
  const rng = createRng(seed);
  let sum = 0;
  let n = 0;
  for (const x of volume.data) if (x > 0) { sum += x; n++; }
  const sigma = sigmaFraction * (n ? sum / n : 1);
  const data = Float32Array.from(volume.data, (x) => {
    if (x === 0) return 0;
    const re = x + sigma * randomNormal(rng);
    const im = sigma * randomNormal(rng);
    return Math.hypot(re, im);
  });
  return { ...volume, data, dataType: 'float32' };
}
