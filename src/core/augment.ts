import type { Vec3 } from './types.ts';
import { randomNormal, type Rng } from './random.ts';
import { gaussianBlur3d } from './gaussian-blur.ts';
import { DEFAULT_AFFINE, RESAMPLE_AFFINE, type AffineAugment } from './patch-affine.ts';

/** Mirrors a patch (i fastest) along i in place: left-right in RAS/MNI-aligned scans. */
export function flipAlongI(patch: Float32Array, size: Vec3): void {
  const [si] = size;
  for (let row = 0; row < patch.length; row += si) {
    for (let a = row, b = row + si - 1; a < b; a++, b--) {
      const t = patch[a];
      patch[a] = patch[b];
      patch[b] = t;
    }
  }
}

/** Extrinsic intensity augmentation of one normalised channel: x * scale + shift + noise. */
export interface IntensityJitter {
  scaleSd: number;
  shiftSd: number;
  noiseSd: number;
}

/**
 * The shift is wide because z-scoring inside the brain does not align tissues across scans: the
 * FLAIR white-matter mode lies at z 0.09 in patient07 and 0.46 in patient19 (lesion load and
 * atrophy move the brain mean), so a held-out scan's tissues can sit 0.4 sd away from both.
 */
export const DEFAULT_JITTER: IntensityJitter = { scaleSd: 0.15, shiftSd: 0.25, noiseSd: 0.05 };

/** Applies a random scale and shift to the brain voxels (non-zero) of a patch, plus Gaussian noise. */
export function jitterIntensity(patch: Float32Array, jitter: IntensityJitter, rng: Rng): void {
  const scale = 1 + jitter.scaleSd * randomNormal(rng);
  const shift = jitter.shiftSd * randomNormal(rng);
  for (let v = 0; v < patch.length; v++) {
    if (patch[v] === 0) continue; // outside the brain stays 0, as at inference
    patch[v] = patch[v] * scale + shift + (jitter.noiseSd > 0 ? jitter.noiseSd * randomNormal(rng) : 0);
  }
}

/**
 * Gamma augmentation of the brain voxels (non-zero) of one channel, as nnU-Net's gamma transform with
 * retained statistics: rescale to [0, 1] over the patch, raise to `gamma`, map back to the range,
 * then restore the original mean and sd, so only the shape of the intensity curve changes.
 */
export function gammaIntensity(patch: Float32Array, gamma: number): void {
  let min = Infinity;
  let max = -Infinity;
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (const x of patch) {
    if (x === 0) continue;
    min = Math.min(min, x);
    max = Math.max(max, x);
    n++;
    sum += x;
    sumSq += x * x;
  }
  if (n < 2 || max - min < 1e-6) return;
  const moments = (s: number, s2: number) => {
    const mean = s / n;
    return { mean, sd: Math.sqrt(Math.max(s2 / n - mean * mean, 0)) };
  };
  const before = moments(sum, sumSq);
  const curve = (x: number) => min + (max - min) * ((x - min) / (max - min)) ** gamma;
  let curvedSum = 0;
  let curvedSumSq = 0;
  for (const x of patch) {
    if (x === 0) continue;
    const y = curve(x);
    curvedSum += y;
    curvedSumSq += y * y;
  }
  const after = moments(curvedSum, curvedSumSq);
  const gain = after.sd > 1e-9 ? before.sd / after.sd : 1;
  for (let v = 0; v < patch.length; v++) {
    if (patch[v] !== 0) patch[v] = (curve(patch[v]) - after.mean) * gain + before.mean;
  }
}

/** Gaussian blur of one channel inside the brain: voxels outside (0) stay 0. */
export function blurInBrain(patch: Float32Array, size: Vec3, sigmaVox: number): void {
  const blurred = gaussianBlur3d(patch, size, sigmaVox);
  for (let v = 0; v < patch.length; v++) if (patch[v] !== 0) patch[v] = blurred[v];
}

/** The augmentations beyond flip and jitter (`--augment strong`), each drawn per patch or channel. */
export interface StrongAugment {
  affine: AffineAugment;
  gammaProbability: number;
  gammaRange: readonly [number, number];
  blurProbability: number;
  blurSigmaVox: readonly [number, number];
}

/** nnU-Net's probabilities, milder geometry (see DEFAULT_AFFINE). */
export const DEFAULT_STRONG: StrongAugment = {
  affine: DEFAULT_AFFINE, gammaProbability: 0.3, gammaRange: [0.7, 1.5], blurProbability: 0.15, blurSigmaVox: [0.5, 1],
};

/** `--augment resample`: DEFAULT_STRONG with most patches resampled, half of them cubic (RESAMPLE_AFFINE). */
export const RESAMPLE_STRONG: StrongAugment = { ...DEFAULT_STRONG, affine: RESAMPLE_AFFINE };
