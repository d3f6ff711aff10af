/** Intensity normalisation of skull-stripped scans: brain mask and z-score over the brain. */
import type { Vec3, Volume } from './types.ts';

/** A field of view at least this wide (mm) on every side holds a whole head, not a crop of a brain. */
const WHOLE_HEAD_MM = 120;
/** A brain fills about half to two thirds of its bounding box; FLAIR > 0 over more of a whole-head view is not a stripped brain. */
const STRIPPED_MAX_FRACTION = 0.8;

/**
 * A warning when the brain mask (FLAIR > 0) cannot be a skull-stripped brain: it covers more than
 * 80% of a whole-head field of view (noise background, skull and scalp kept). Crops of a brain
 * (under 120 mm on a side) are never flagged. Null when the scan looks skull-stripped.
 */
export function skullStripNote(brain: Uint8Array, dims: Vec3, spacingMm: Vec3): string | null {
  const extent = dims.map((d, axis) => d * spacingMm[axis]);
  if (extent.some((mm) => mm < WHOLE_HEAD_MM)) return null;
  let inside = 0;
  for (let v = 0; v < brain.length; v++) inside += brain[v];
  const fraction = inside / brain.length;
  if (fraction <= STRIPPED_MAX_FRACTION) return null;
  return `FLAIR is above 0 in ${(100 * fraction).toFixed(0)}% of its ${extent.map((mm) => mm.toFixed(0)).join(' x ')} mm field of view, ` +
    'so it does not look skull-stripped: the models take FLAIR > 0 as the brain and were trained on skull-stripped scans, ' +
    'so skull, scalp and background may be marked; strip the skull first (e.g. with SynthStrip, HD-BET or brainchop)';
}

/**
 * Brain mask of a skull-stripped scan: 1 where the voxel value is above `threshold`, else 0 (NaN is 0).
 * @example brainMaskFrom(flair) // FLAIR > 0
 */
export function brainMaskFrom(volume: Volume, threshold = 0): Uint8Array {
  const { data } = volume;
  const brain = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) brain[i] = data[i] > threshold ? 1 : 0;
  return brain;
}

/**
 * Z-scores `volume` over the brain: (x - mean) / sd with mean and population sd (divide by N) of the
 * voxels where `brain` is nonzero, computed in float64; voxels outside the brain are 0. No clipping.
 * `name` names the image in error messages.
 *
 * Throws if `brain` does not match the volume's size, is empty, has NaN/Inf inside, or the
 * brain is constant (sd 0).
 * @example zscoreInBrain(flair, brainMaskFrom(flair), 'FLAIR')
 */
export function zscoreInBrain(volume: Volume, brain: Uint8Array, name = 'image'): Float32Array {
  const { data } = volume;
  if (brain.length !== data.length) {
    throw new Error(`brain mask has ${brain.length} voxels but ${name} has ${data.length}`);
  }
  let count = 0;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    if (brain[i]) {
      count++;
      sum += data[i];
    }
  }
  if (count === 0) {
    throw new Error(
      `empty brain: no brain voxel in ${name} (none above the threshold, 0 by default); ` +
        'is it a non-empty skull-stripped scan?',
    );
  }
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < data.length; i++) {
    if (brain[i]) squares += (data[i] - mean) ** 2;
  }
  const sd = Math.sqrt(squares / count);
  if (!Number.isFinite(mean) || !Number.isFinite(sd)) {
    throw new Error(`${name} has NaN/Inf voxels inside the brain; replace them and retry`);
  }
  if (sd === 0) {
    throw new Error(`${name} is constant inside the brain (sd 0); it cannot be z-scored`);
  }
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = brain[i] ? (data[i] - mean) / sd : 0;
  return out;
}
