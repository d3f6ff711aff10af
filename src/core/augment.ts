import type { Vec3 } from './types.ts';
import { randomNormal, type Rng } from './random.ts';

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
