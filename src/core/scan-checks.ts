/**
 * Checks that a scan is like the ones the models were trained on (skull-stripped FLAIR that
 * registers to the template), each a warning the page and the CLI show before the result, or null.
 * Thresholds measured on the shared cases and their variants (docs/registration.md).
 */
import type { Vec3 } from './types.ts';

/** (p99 - p50) / (p50 - p1) of the intensities inside the brain above which the "FLAIR" has bright CSF. */
export const BRIGHT_CSF_RATIO = 1.5;
/** A FLAIR > 0 volume above this (mL) holds more than a brain (1.1-1.5 L stripped): skull and scalp. */
export const MAX_BRAIN_ML = 2500;
/** A moved brain that overlaps the template's brain (Dice) less than this did not register. */
export const MIN_BRAIN_OVERLAP = 0.75;
/** A rotation above this (degrees) is beyond a head's tilt in a scanner: more likely a failed registration. */
export const MAX_PLAUSIBLE_ROTATION_DEG = 30;
/**
 * A FLAIR whose fine-texture ratio (fineTextureRatio) is below this looks interpolated: the shared
 * cases and their bias, noise and scanner-unit variants read 1.78-1.99, the same scans shifted half a
 * voxel by cubic B-spline 1.41-1.50, linearly 0.92-0.93, turned linearly 1.25-1.53 (docs/robustness.md).
 */
export const MIN_FINE_TEXTURE_RATIO = 1.6;

/** The value at fraction `p` of the sorted values. */
function quantile(sorted: Float32Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(p * sorted.length)))];
}

/**
 * The upper tail of the brain's intensities against the lower, (p99 - p50) / (p50 - p1): in FLAIR
 * CSF is dark and only lesions are bright (0.37 and 0.50 on the shared cases), in T2 CSF is the
 * brightest tissue (2.7 and 2.6). Invariant to scale and offset. NaN on an empty or flat brain.
 */
export function brightTailRatio(data: ArrayLike<number>, brain: Uint8Array): number {
  let n = 0;
  for (let v = 0; v < brain.length; v++) n += brain[v] ? 1 : 0;
  const values = new Float32Array(n);
  for (let v = 0, w = 0; v < brain.length; v++) if (brain[v]) values[w++] = data[v];
  values.sort();
  const median = quantile(values, 0.5);
  return (quantile(values, 0.99) - median) / (median - quantile(values, 0.01));
}

/** A warning when the FLAIR's contrast is a T2's (CSF bright), or null. */
export function flairContrastWarning(data: ArrayLike<number>, brain: Uint8Array): string | null {
  const ratio = brightTailRatio(data, brain);
  if (!(ratio > BRIGHT_CSF_RATIO)) return null;
  return `the FLAIR does not look like a FLAIR: its brightest voxels are a large part of the brain (bright-tail ratio ${ratio.toFixed(1)}, a FLAIR's is under ${BRIGHT_CSF_RATIO}), as CSF is in a T2; the models would mark CSF as lesion. Check that the file given as FLAIR is the FLAIR`;
}

/** A warning when FLAIR > 0 holds more than a brain (skull and scalp kept), or null. */
export function brainVolumeWarning(brain: Uint8Array, spacingMm: Vec3): string | null {
  let n = 0;
  for (let v = 0; v < brain.length; v++) n += brain[v] ? 1 : 0;
  const ml = (n * spacingMm[0] * spacingMm[1] * spacingMm[2]) / 1000;
  if (ml <= MAX_BRAIN_ML) return null;
  return `FLAIR > 0 covers ${(ml / 1000).toFixed(1)} L, more than a brain (1.1-1.5 L): the scan does not look skull-stripped, and the models, trained on stripped brains, may mark skull and scalp; strip the skull first (e.g. with SynthStrip or HD-BET)`;
}

/** A warning when the registration's result fits the template poorly or turned the head implausibly far, or null. */
export function registrationWarning(brainOverlap: number, rotationDeg: number): string | null {
  if (brainOverlap >= MIN_BRAIN_OVERLAP && rotationDeg <= MAX_PLAUSIBLE_ROTATION_DEG) return null;
  return `the registration to the template looks wrong (the brain overlaps the template's by ${(100 * brainOverlap).toFixed(0)}%, rotation ${rotationDeg.toFixed(0)}°): the lesions found may be fewer and misplaced; check the scan (a whole brain, skull-stripped), or run with registration off`;
}

/**
 * How much of a scan's detail lies at the finest scale its grid holds: E[(second difference)^2] /
 * E[(first difference)^2] along each axis of `checkAxes`, averaged, over the brain voxels whose six
 * neighbours are brain (so the brain's edge does not count). Uncorrelated noise reads 3, its two-voxel
 * mean along an axis 2 there. Interpolating a scan between its voxels removes the finest scale first,
 * while scale, offset, contrast and a smooth bias change the ratio little. NaN without such a voxel
 * or an axis.
 */
export function fineTextureRatio(data: ArrayLike<number>, brain: Uint8Array, dims: Vec3, checkAxes: readonly boolean[] = [true, true, true]): number {
  const [nx, ny, nz] = dims;
  const strides = [1, nx, nx * ny];
  const first = [0, 0, 0];
  const second = [0, 0, 0];
  for (let k = 1; k < nz - 1; k++) {
    for (let j = 1; j < ny - 1; j++) {
      for (let i = 1, v = 1 + nx * (j + ny * k); i < nx - 1; i++, v++) {
        if (!brain[v] || !brain[v - 1] || !brain[v + 1] || !brain[v - nx] || !brain[v + nx] || !brain[v - nx * ny] || !brain[v + nx * ny]) continue;
        for (let a = 0; a < 3; a++) {
          const s = strides[a];
          first[a] += (data[v + s] - data[v]) ** 2;
          second[a] += (data[v + s] - 2 * data[v] + data[v - s]) ** 2;
        }
      }
    }
  }
  const ratios = [0, 1, 2].filter((a) => checkAxes[a] && first[a] > 0).map((a) => second[a] / first[a]);
  return ratios.length === 0 ? NaN : ratios.reduce((sum, r) => sum + r, 0) / ratios.length;
}

/**
 * A warning when the FLAIR looks interpolated (its fine-texture ratio under MIN_FINE_TEXTURE_RATIO):
 * the models mark more lesion on a smoothed scan. `recalibrated`: its map was recalibrated for it.
 */
export function interpolatedFlairWarning(ratio: number, recalibrated: boolean): string | null {
  if (!(ratio < MIN_FINE_TEXTURE_RATIO)) return null;
  const done = recalibrated
    ? 'its map was recalibrated as a scan registration moved is, which takes back part of it'
    : 'raise the threshold if the lesions look too many';
  return `the FLAIR looks interpolated, as a scan resampled after it was acquired (fine-texture ratio ${ratio.toFixed(2)}; the training scans read 1.8-2.0, scans resampled between their voxels under ${MIN_FINE_TEXTURE_RATIO}): the models mark more lesion on smoothed scans (patient07 shifted half a voxel: 2.0-3.2 mL marked, 1.6 mL as shared); ${done}. Give the scan as it was acquired if you have it`;
}
