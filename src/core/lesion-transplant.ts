import type { Vec3 } from './types.ts';
import { labelComponents } from './components.ts';
import { gaussianBlur3d } from './gaussian-blur.ts';
import { randomNormal, type Rng } from './random.ts';

/** Mean and standard deviation of lesion intensity in one modality, in brain z-score units. */
export interface LesionIntensity {
  mean: number;
  sd: number;
}

/**
 * Real lesions' intensities in the shared cases (docs/method.md section 7), order FLAIR, T1, T2:
 * lesions are bright on FLAIR and T2, about neutral on T1.
 */
export const DEFAULT_LESION_INTENSITY: readonly LesionIntensity[] = [
  { mean: 1.31, sd: 0.45 },
  { mean: -0.14, sd: 0.71 },
  { mean: 0.64, sd: 0.71 },
];

/**
 * Paints the lesions of a donor mask (same space, e.g. masks_mni/) into normalised channels:
 * the donor mask is smoothed (sigma 0.8 voxel) into a blending weight a, restricted to brain, and
 * each donor lesion gets one intensity per modality drawn from N(mean, sd); the voxel becomes
 * (1 - a) x + a * intensity. The new label is the old one or a > 0.5. Returns new arrays.
 */
export function transplantLesions(
  channels: readonly Float32Array[],
  label: Uint8Array,
  brain: Uint8Array,
  donor: ArrayLike<number>,
  dims: Vec3,
  rng: Rng,
  intensity: readonly LesionIntensity[] = DEFAULT_LESION_INTENSITY,
  sigmaVox = 0.8,
): { channels: Float32Array[]; label: Uint8Array } {
  const lesions = labelComponents(donor, dims, 26);
  const alpha = gaussianBlur3d(donor, dims, sigmaVox);
  // Each blurred voxel takes the intensity of the nearest donor lesion: spread labels by max filter.
  const owner = spreadLabels(lesions.labels, dims);
  const draws = channels.map((_, c) => {
    const values = new Float32Array(lesions.count + 1);
    const stats = intensity[Math.min(c, intensity.length - 1)];
    for (let l = 1; l <= lesions.count; l++) values[l] = stats.mean + stats.sd * randomNormal(rng);
    return values;
  });
  const outChannels = channels.map((x) => Float32Array.from(x));
  const outLabel = Uint8Array.from(label);
  for (let v = 0; v < alpha.length; v++) {
    const a = alpha[v];
    if (a <= 1e-3 || !brain[v] || owner[v] === 0) continue;
    for (let c = 0; c < outChannels.length; c++) {
      outChannels[c][v] = (1 - a) * outChannels[c][v] + a * draws[c][owner[v]];
    }
    if (a > 0.5) outLabel[v] = 1;
  }
  return { channels: outChannels, label: outLabel };
}

/** Dilates non-zero labels by two voxels (6-neighbour steps), so blurred rims know their lesion. */
function spreadLabels(labels: Int32Array, dims: Vec3): Int32Array {
  let current = labels;
  const [nx, ny, nz] = dims;
  const steps = [1, -1, nx, -nx, nx * ny, -nx * ny];
  for (let pass = 0; pass < 2; pass++) {
    const next = Int32Array.from(current);
    for (let v = 0; v < current.length; v++) {
      if (current[v] === 0) continue;
      for (const s of steps) {
        const u = v + s;
        if (u >= 0 && u < nx * ny * nz && next[u] === 0) next[u] = current[v];
      }
    }
    current = next;
  }
  return current;
}
