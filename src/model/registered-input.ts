/**
 * Registration before inference, shared by the worker and the CLI: the FLAIR (already on the
 * model's axes at 1 mm, core/model-grid.ts) is registered rigidly to the template (core/registration.ts),
 * every channel and the brain are resampled onto the template's 1 mm grid through the transform
 * (cubic B-spline, as elastix resamples; the brain linear, cut at 0.5), and the fused map goes back onto the scan's model-axes
 * grid through the inverse (trilinear, edges clamped) before model-grid's own map back. A transform
 * within IDENTITY_TOLERANCE of none leaves the scan as it is (the shared cases: untouched).
 */
import { type RegistrationEngine, type RegistrationResult, registerToTemplate } from '../core/registration.ts';
import type { RegistrationTemplate } from '../core/registration-template.ts';
import { resampleMaskRigid, resampleRigid, resampleRigidBSpline, resampleRigidPeak } from '../core/rigid-resample.ts';
import { invertRigid } from '../core/rigid-transform.ts';
import { brainVolumeWarning, fineTextureRatio, flairContrastWarning, interpolatedFlairWarning, MIN_FINE_TEXTURE_RATIO, registrationWarning } from '../core/scan-checks.ts';
import type { Vec3 } from '../core/types.ts';
import { sparsePeaks, type VoxelPeaks } from '../core/voxel-peaks.ts';
import { coarsestVoxelMm, type GridPlan, identityGrid, resamplesScan } from '../core/model-grid.ts';
import { type ModelInput, probabilityOnScan } from './model-input.ts';
import type { Modality, ModelMeta } from './model-meta.ts';

/** A scan narrower than this (mm, on the model's 1 mm axes) along an axis is a crop: used as it lies, not registered. */
export const MIN_REGISTERED_EXTENT_MM = 120;

/** Why a scan of `dims` (1 mm, the model's axes) is not registered (a crop), or null. */
export function cropReason(dims: Vec3): string | null {
  if (Math.min(...dims) >= MIN_REGISTERED_EXTENT_MM) return null;
  return `the scan covers ${dims.join(' x ')} mm, a crop rather than a whole brain (under ${MIN_REGISTERED_EXTENT_MM} mm along an axis), and only a whole brain registers to the template`;
}

/** The template and the engine that registers to it. */
export interface Registration {
  template: RegistrationTemplate;
  engine: RegistrationEngine;
}

/** Where the channels the network saw lie: the scan's model-axes grid, or the template's through `result.transform`. */
export interface Placement {
  result: RegistrationResult;
  /** The scan's model-axes grid (core/model-grid's plan dims). */
  planDims: Vec3;
  /** The grid the network ran on: planDims when the transform counts as none, else the template's model grid. */
  dims: Vec3;
  /** False when the transform counted as none and the network ran on the scan's own channels. */
  moved: boolean;
  /** Dice of the moved brain and the template's brain (1 mm). */
  brainOverlap: number;
}

/** Channels and brain as the network takes them, with their grid. */
export interface PlacedChannels {
  channels: Float32Array[];
  brain: Uint8Array;
  dims: Vec3;
}

/** The FLAIR channel (z-scored, 0 outside the brain) as a positive image for the registration: brain z + 4 (at least 0.01), background 0. */
function registrationImage(flair: Float32Array, brain: Uint8Array): Float32Array {
  return Float32Array.from(flair, (z, v) => (brain[v] ? Math.max(0.01, z + 4) : 0));
}

/** Dice of `brain` on the template's model grid and the template's voxels above 0 (each 2 mm voxel over its eight 1 mm ones). */
export function templateBrainOverlap(brain: Uint8Array, template: RegistrationTemplate): number {
  const [nx, ny, nz] = template.modelDims;
  if (brain.length !== nx * ny * nz) return 0;
  let both = 0;
  let a = 0;
  let b = 0;
  for (let k = 0, v = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      const row = template.dims[0] * ((j >> 1) + template.dims[1] * (k >> 1));
      for (let i = 0; i < nx; i++, v++) {
        const t = template.data[row + (i >> 1)] > 0 ? 1 : 0;
        a += brain[v];
        b += t;
        both += brain[v] & t;
      }
    }
  }
  return a + b === 0 ? 0 : (2 * both) / (a + b);
}

/**
 * Registers the case (channels on the model-axes grid `dims`, `flairIndex` the FLAIR's) and moves
 * it onto the template's grid; throws a one-line Error when the engine fails.
 */
export async function registerChannels(
  channels: readonly Float32Array[], flairIndex: number, brain: Uint8Array, dims: Vec3, registration: Registration,
): Promise<{ placed: PlacedChannels; placement: Placement }> {
  const { template, engine } = registration;
  const result = await registerToTemplate(template, registrationImage(channels[flairIndex], brain), dims, engine);
  const sameGrid = dims.every((d, a) => d === template.modelDims[a]);
  if (result.identity && sameGrid) {
    return { placed: { channels: [...channels], brain, dims }, placement: { result, planDims: dims, dims, moved: false, brainOverlap: templateBrainOverlap(brain, template) } };
  }
  const moved = resampleMaskRigid(brain, dims, template.modelDims, result.transform);
  const out = channels.map((c) => {
    const r = resampleRigidBSpline(c, dims, template.modelDims, result.transform);
    for (let v = 0; v < r.length; v++) if (!moved[v]) r[v] = 0;
    return r;
  });
  const placement = { result, planDims: dims, dims: template.modelDims, moved: true, brainOverlap: templateBrainOverlap(moved, template) };
  return { placed: { channels: out, brain: moved, dims: template.modelDims }, placement };
}

/**
 * The probability a moved (resampled) scan's map must reach to count as 0.5. The model marks more on
 * an interpolated scan than on the scans it was trained on (docs/robustness.md), so a moved scan's
 * map is recalibrated: its odds divided by 0.6 / 0.4, which takes 0.6 to 0.5 and keeps 0 and 1.
 * Chosen by Dice, leave one case out over the shared cases' turned variants: patient19's chose 0.6,
 * patient07's 0.6-0.65 (docs/robustness.md).
 */
export const MOVED_SCAN_CUT = 0.6;

/**
 * The cut the map of a scan whose longest voxel side is `coarsestMm` gets (model-grid's
 * coarsestVoxelMm: the model grid interpolated it): none (0.5) at 1 mm, rising to the moved scans'
 * cut at 1.5 mm, that up to 3 mm, then 0.1 more a millimetre to +0.2 at 5 mm and no further. The
 * model marks more of a lesion's blur the coarser the scan. Before, only scans whose model grid
 * differed from the template's (3 and 5 mm slices, but not 1.5 or 2 mm) were recalibrated, as moved
 * scans. Chosen on the shared cases in 1.5, 2, 3 and 5 mm slices, leave one case out
 * (docs/other-grids.md, session 33): by Dice, patient19 chooses 0.7 at 1.5 mm, 0.5 at 2 mm, 0.8
 * at 3 mm and 0.8-0.85 at 5 mm, patient07 0.8, 0.7, 0.85 and 0.95 or more; at 3 mm patient19's
 * lesion F1 falls 0.04 a tenth of cut above 0.6 (chosen by Dice and lesion F1 together, 0.6).
 * @example coarseScanCut(1) // 0.5: not recalibrated
 * @example coarseScanCut(5) // 0.8
 */
export function coarseScanCut(coarsestMm: number, movedScanCut = MOVED_SCAN_CUT): number {
  const toMoved = Math.min(1, Math.max(0, (coarsestMm - 1) / 0.5));
  const thicker = 0.1 * Math.min(2, Math.max(0, coarsestMm - 3));
  return Math.min(0.95, 0.5 + (movedScanCut - 0.5) * toMoved + thicker);
}

/** The model's own moved-scan cut (its metadata, chosen on its own maps), else MOVED_SCAN_CUT. */
export function movedScanCutOf(meta: Pick<ModelMeta, 'movedScanCut'>): number {
  const cut = meta.movedScanCut?.cut;
  return typeof cut === 'number' && cut > 0 && cut < 1 ? cut : MOVED_SCAN_CUT;
}

/** `p` with its odds divided by cut / (1 - cut): cut becomes 0.5, 0 and 1 stay, the order stays. */
export function recalibrateOdds(p: number, cut: number): number {
  if (p <= 0 || p >= 1) return p;
  const odds = (p / (1 - p)) * ((1 - cut) / cut);
  return odds / (1 + odds);
}

/** A map on the grid the network ran on, back on the scan's model-axes grid (geometry only: a constant stays that constant). */
export function mapFromPlacement(probability: Float32Array, placement: Placement): Float32Array {
  if (!placement.moved) return probability;
  return resampleRigid(probability, placement.dims, placement.planDims, invertRigid(placement.result.transform), 'clamp');
}

/**
 * A map on the grid the network ran on, back on the scan's model-axes grid by the peak of the voxels
 * trilinear reads (core/rigid-resample.ts): where the lesion filter reads a lesion's confidence.
 * The trilinear map back lowers a small lesion's peak (a 2-voxel lesion read half a voxel off loses
 * up to half of it), so the filter would judge a moved scan's small lesions on values the network
 * never gave them (docs/robustness.md, session 31).
 */
export function peakFromPlacement(probability: Float32Array, placement: Placement): Float32Array {
  if (!placement.moved) return probability;
  return resampleRigidPeak(probability, placement.dims, placement.planDims, invertRigid(placement.result.transform));
}

/** The result's line on what was done: "registered to the template: rotation 10.9°, shift 10.1 mm (8 s)". */
export function describePlacement(placed: Pick<PlacedCase, 'placement' | 'reason'>): string {
  const { placement } = placed;
  if (!placement) return `not registered (${placed.reason})`;
  const { result } = placement;
  const found = `rotation ${result.rotationDeg.toFixed(1)}°, shift ${result.shiftMm.toFixed(1)} mm`;
  if (!placement.moved) return `registered: ${found}, within 1° and 1 mm of the template, so the scan was used as it is (${result.seconds.toFixed(0)} s)`;
  return `registered: ${found}; the scan was moved onto the template for the model and the results mapped back onto its own grid, ` +
    `recalibrated for the resampling (${result.seconds.toFixed(0)} s)`;
}

/** A case as the network takes it, what was done to get there and how its map goes back. */
export interface PlacedCase extends PlacedChannels {
  /** Null when registration was off or failed. */
  placement: Placement | null;
  /** Why it is null ('registration off', or the failure). */
  reason: string;
  /** What the user must know before reading the result: a poor or failed registration, a FLAIR unlike a FLAIR, no skull-stripping. */
  warnings: string[];
  /** The fused map (on `dims`) on the scan's model-axes grid, 0 outside its brain. */
  back: (probability: Float32Array) => Float32Array;
  /**
   * The fused map on the scan's model-axes grid as the lesion filter reads confidences from it (its
   * peaks kept, peakFromPlacement; recalibrated and 0 outside the brain as back's); null when the
   * network ran on the scan's own grid, where the map itself serves.
   */
  peakBack: ((probability: Float32Array) => Float32Array) | null;
}

/**
 * The case (channels on the model-axes grid, 1 mm; `flairIndex` the FLAIR's) registered and moved
 * onto the template when `registration` is given, with the scan's checks. Never throws for a failed
 * registration: the case is then used as it lies, with a warning. A whole brain's FLAIR that looks
 * interpolated (scan-checks' fineTextureRatio; not judged when the model grid resampled it,
 * the plan `grid`, model-grid's resamplesScan) gets a warning, and once registered its map the moved
 * scans' recalibration even where the scan was not moved: the model marks more on any smoothed scan
 * (docs/robustness.md, session 32). A scan the model grid interpolated (voxels over 1 mm: thick
 * slices) gets a recalibration always, registered or not, its cut rising with the voxels' length
 * (coarseScanCut; docs/other-grids.md, session 33).
 */
export async function placeCase(
  channels: readonly Float32Array[], flairIndex: number, brain: Uint8Array, dims: Vec3, registration: Registration | null, movedScanCut = MOVED_SCAN_CUT,
  grid: Pick<GridPlan, 'dims' | 'scanDims' | 'axes' | 'spacingMm'> = identityGrid(dims),
): Promise<PlacedCase> {
  // a brain mask that holds skull and background says nothing of the FLAIR's contrast
  const unstripped = brainVolumeWarning(brain, [1, 1, 1]);
  const warnings = [unstripped ?? flairContrastWarning(channels[flairIndex], brain)].filter((w): w is string => w !== null);
  const coarseCut = coarseScanCut(coarsestVoxelMm(grid), movedScanCut);
  const coarse = coarseCut > 0.5;
  const cut = Math.max(movedScanCut, coarseCut);
  const recalibrated = (out: Float32Array, by = cut) => {
    for (let v = 0; v < out.length; v++) out[v] = brain[v] ? recalibrateOdds(out[v], by) : 0;
    return out;
  };
  // a scan the model grid interpolated keeps its recalibration (coarseCut) wherever the network runs
  const asLies = (p: Float32Array) => (coarse ? recalibrated(Float32Array.from(p), coarseCut) : p);
  const asItLies = (reason: string): PlacedCase => ({ channels: [...channels], brain, dims, placement: null, reason, warnings, back: asLies, peakBack: null });
  const crop = cropReason(dims);
  if (crop) return asItLies(crop);
  // a scan the model grid resampled (thick slices, 0.5 mm voxels) is smoothed by that, with notes of its own: not judged
  const texture = resamplesScan(grid) ? Number.NaN : fineTextureRatio(channels[flairIndex], brain, dims);
  const interpolated = texture < MIN_FINE_TEXTURE_RATIO;
  const unregistered = (reason: string, why: string[]): PlacedCase => {
    const smooth = interpolatedFlairWarning(texture, false);
    return { ...asItLies(reason), warnings: [...why, ...(smooth ? [smooth] : []), ...warnings] };
  };
  if (!registration) return unregistered('registration off', []);
  let registered: Awaited<ReturnType<typeof registerChannels>>;
  try {
    registered = await registerChannels(channels, flairIndex, brain, dims, registration);
  } catch (error) {
    const reason = (error as Error).message;
    return unregistered(reason, [`${reason}; the scan was segmented as it lies in its array, and if the head is turned or shifted there the lesions found will be fewer and less accurate`]);
  }
  const { placed, placement } = registered;
  const poor = registrationWarning(placement.brainOverlap, placement.result.rotationDeg);
  const smooth = interpolatedFlairWarning(texture, true);
  // a scan used as it is keeps its map, unless it came interpolated or in thick slices (the model marks more on it, as on a moved scan)
  const back = (p: Float32Array) => (placement.moved ? recalibrated(mapFromPlacement(p, placement)) : interpolated ? recalibrated(Float32Array.from(p)) : asLies(p));
  const peakBack = placement.moved ? (p: Float32Array) => recalibrated(peakFromPlacement(p, placement)) : null;
  return { ...placed, placement, reason: '', warnings: [poor, smooth, ...warnings].filter((w): w is string => w !== null), back, peakBack };
}

/** The fused map on the scans' own grid, and where the lesion filter reads higher confidences (null: the map's own). */
export interface MapsOnScan {
  probability: Float32Array;
  peaks: VoxelPeaks | null;
}

/**
 * The fused map (on the grid the network ran on) on the scans' grid `grid`, 0 outside `scanBrain`,
 * with a moved scan's peaks (peakBack's map where it exceeds the probability; core/voxel-peaks.ts).
 */
export function mapsOnScan(placed: Pick<PlacedCase, 'back' | 'peakBack'>, fused: Float32Array, grid: GridPlan, scanBrain: Uint8Array): MapsOnScan {
  const probability = probabilityOnScan(placed.back(fused), grid, scanBrain);
  const peaks = placed.peakBack ? sparsePeaks(probabilityOnScan(placed.peakBack(fused), grid, scanBrain), probability) : null;
  return { probability, peaks };
}

/** A placed ModelInput (the CLI's): the channels in the model's order. */
export interface PlacedInput extends PlacedCase {
  input: ModelInput;
}

/** placeCase for a prepared ModelInput whose channels follow `modalities` (FLAIR among them). */
export async function placeModelInput(
  input: ModelInput, modalities: readonly Modality[], registration: Registration | null, movedScanCut = MOVED_SCAN_CUT,
): Promise<PlacedInput> {
  const flairIndex = modalities.indexOf('flair');
  if (flairIndex < 0) throw new Error('the model takes no FLAIR: a case cannot be registered without one');
  return { input, ...(await placeCase(input.channels, flairIndex, input.brain, input.grid.dims, registration, movedScanCut, input.grid)) };
}
