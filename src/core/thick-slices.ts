import type { Vec3 } from './types.ts';
import { interpolationTaps, type InterpolationTaps } from './model-grid.ts';
import { randomInt, randomUniform, type Rng } from './random.ts';

/** One simulated thick-slice acquisition along an axis of a patch. */
export interface ThickSlices {
  axis: 0 | 1 | 2;
  /** Slice thickness, equal to the slice spacing, in voxels (>= 1). */
  thickness: number;
  /** Centre of slice 0 along the axis, in voxels. */
  phase: number;
}

/** `--thick-slices P`: the share of patches that get thick slices, and how thick. */
export interface ThickSliceAugment {
  probability: number;
  thickness: readonly [number, number];
  /** FLAIR (channel 0) always gets the patch's slices; each other channel with this probability. */
  otherChannelProbability: number;
}

/**
 * Clinical 2D FLAIR and T2 come in 2-5 mm slices, and 1.1-1.5 mm slices already cost the 1 mm-trained
 * models much (docs/other-grids.md), hence the default range 1.1-5 mm.
 */
export function thickSliceAugment(probability: number, thickness: readonly [number, number] = [1.1, 5]): ThickSliceAugment {
  if (!(thickness[0] >= 1 && thickness[1] >= thickness[0])) throw new Error(`slice thickness range must be MIN-MAX with 1 <= MIN <= MAX, got ${thickness.join('-')}`);
  return { probability, thickness, otherChannelProbability: 0.5 };
}

/** Thickness log-uniform in the range (as many patches 1.1-1.5 mm as 3.7-5 mm), any axis, any phase. */
export function randomThickSlices(rng: Rng, thickness: readonly [number, number]): ThickSlices {
  const t = Math.exp(randomUniform(rng, Math.log(thickness[0]), Math.log(thickness[1])));
  return { axis: randomInt(rng, 3) as 0 | 1 | 2, thickness: t, phase: randomUniform(rng, 0, t) };
}

/**
 * Simulates a scan acquired in thick slices and brought back to 1 mm, as model-grid.ts brings a real
 * one: each slice holds the mean of what it covers (a box profile; voxels cut by a slice boundary
 * count by their overlap), and each voxel is then interpolated between the slice centres with the
 * cubic (Keys) kernel that model-grid.ts uses on real scans (edges clamped, like there). This is
 * nnU-Net's low-resolution simulation along one axis, with the partial-volume blur of real slices;
 * the label is left as it is, so the model learns the lesion's 1 mm extent from blurred input.
 * Voxels outside the brain (0) stay 0.
 */
export function simulateThickSlices(patch: Float32Array, size: Vec3, slices: ThickSlices): void {
  const { axis, thickness, phase } = slices;
  const n = size[axis];
  const stride = axis === 0 ? 1 : axis === 1 ? size[0] : size[0] * size[1];
  const plan = slicePlan(n, thickness, phase);
  const { index, weight, taps } = plan.taps;
  const lineValues = new Float64Array(n);
  const sliceValues = new Float64Array(plan.slices.length);
  // every line along the axis starts at a voxel whose coordinate on that axis is 0
  for (let base = 0; base < patch.length; base++) {
    if (Math.floor(base / stride) % n !== 0) continue;
    for (let x = 0; x < n; x++) lineValues[x] = patch[base + x * stride];
    plan.slices.forEach((s, j) => {
      let sum = 0;
      for (let q = 0; q < s.voxels.length; q++) sum += s.weights[q] * lineValues[s.voxels[q]];
      sliceValues[j] = sum;
    });
    for (let x = 0; x < n; x++) {
      if (lineValues[x] === 0) continue;
      let value = 0;
      for (let q = x * taps; q < (x + 1) * taps; q++) value += weight[q] * sliceValues[index[q]];
      patch[base + x * stride] = value;
    }
  }
}

interface Slice {
  centre: number;
  voxels: number[];
  /** Overlap of each voxel with the slice, normalised to sum 1 over the voxels inside the patch. */
  weights: number[];
}

/** The slices that overlap a line of n voxels, and for each voxel the four slices its cubic interpolation reads. */
function slicePlan(n: number, thickness: number, phase: number): { slices: Slice[]; taps: InterpolationTaps } {
  if (!(thickness >= 1)) throw new Error(`slice thickness must be at least 1 voxel, got ${thickness}`);
  const half = thickness / 2;
  const slices: Slice[] = [];
  const first = Math.floor((-0.5 - half - phase) / thickness);
  const last = Math.ceil((n - 0.5 + half - phase) / thickness);
  for (let j = first; j <= last; j++) {
    const centre = phase + j * thickness;
    const voxels: number[] = [];
    const weights: number[] = [];
    for (let x = Math.max(0, Math.floor(centre - half)); x <= Math.min(n - 1, Math.ceil(centre + half)); x++) {
      const overlap = Math.min(centre + half, x + 0.5) - Math.max(centre - half, x - 0.5);
      if (overlap > 1e-9) {
        voxels.push(x);
        weights.push(overlap);
      }
    }
    const total = weights.reduce((a, b) => a + b, 0);
    if (voxels.length > 0) slices.push({ centre, voxels, weights: weights.map((w) => w / total) });
  }
  // slices lie `thickness` apart, so voxel x sits at slice coordinate (x - first centre) / thickness
  const taps = interpolationTaps(Array.from({ length: n }, (_, x) => (x - slices[0].centre) / thickness), slices.length, 'cubic');
  return { slices, taps };
}
