/**
 * One whole-volume run in the worker: the prepared case's channels for the model, the patch grid
 * with fusion (segment-volume) on the model's grid, and the fused map back on the scans' grid.
 */
import { DEFAULT_SPEED, TILING_PLANS } from '../model/speed-presets.ts';
import type * as tf from '@tensorflow/tfjs';
import type { VoxelPeaks } from '../core/voxel-peaks.ts';
import type { Modality, ModelMeta } from '../model/model-meta.ts';
import { cropReason, describePlacement, mapsOnScan, movedScanCutOf, placeCase } from '../model/registered-input.ts';
import type { PatchPredictor } from '../model/segment-volume.ts';
import { segmentPlanned } from '../model/two-pass.ts';
import { channelsFor, type PreparedCase } from './case-state.ts';
import { browserRegistration } from './elastix-browser.ts';
import type { SegmentSettings } from './protocol.ts';

/** What the run hands back besides the probability map. */
export interface RunOutput {
  /** On the scans' own grid. */
  probability: Float32Array;
  /** A moved scan's peaks, where the lesion filter reads higher confidences (registered-input.ts); null: the probability's own. */
  peaks: VoxelPeaks | null;
  prepareMs: number;
  modelMs: number;
  fusionMs: number;
  patches: number;
  /** Network calls: every patch run, its mirrored copy counted apart. */
  calls: number;
  mirrored: boolean;
  /** Threads that ran the network. */
  threads: number;
  missing: Modality[];
  ignored: Modality[];
  /** What the user should know about the scans (a changed grid, a brain mask that is not a stripped brain). */
  notes: string[];
}

/** Hooks between batches: progress (awaited: it yields so cancel messages get through) and checks. */
export interface RunHooks {
  onProgress: (done: number, total: number) => Promise<void>;
  /** Throws to stop the run (cancel, lost device, GPU error). */
  checkpoint: () => void;
  /** What the run did before the model (the registration's line, then its warnings). */
  onNote?: (note: string) => void;
}

/** An error in the user's input (wrong files), as opposed to a failure of the machinery. */
export class InputError extends Error {}

/** Runs the model over the prepared case (on `predictor` when given); input problems throw InputError. */
export async function runSegmentation(
  model: tf.LayersModel, meta: ModelMeta, prepared: PreparedCase, settings: SegmentSettings, hooks: RunHooks, predictor?: PatchPredictor,
): Promise<RunOutput> {
  if (prepared.problem !== null) throw new InputError(prepared.problem);
  if (!prepared.channels.flair) throw new InputError('a FLAIR scan is required');
  const started = performance.now();
  const { channels, missing, ignored } = channelsFor(prepared, meta.modalities);
  const threads = predictor?.parallel ?? 1;
  // registration off, or its engine or template failing to load: the scan as it lies, with a warning
  // (a crop is not registered: nothing to load)
  const wanted = settings.register !== false && cropReason(prepared.grid.dims) === null;
  const registration = wanted ? await browserRegistration().catch((error: Error) => error) : null;
  const placed = registration instanceof Error
    ? { ...(await placeCase(channels, meta.modalities.indexOf('flair'), prepared.brain, prepared.grid.dims, null, movedScanCutOf(meta), prepared.grid)), reason: registration.message }
    : await placeCase(channels, meta.modalities.indexOf('flair'), prepared.brain, prepared.grid.dims, registration, movedScanCutOf(meta), prepared.grid);
  if (registration instanceof Error) placed.warnings.unshift(`${registration.message}; the scan was segmented as it lies in its array`);
  const warnings = placed.warnings.map((w) => `warning: ${w}`);
  for (const note of [describePlacement(placed), ...warnings]) hooks.onNote?.(note);
  hooks.checkpoint();
  const prepareMs = performance.now() - started;
  const plan = TILING_PLANS[settings.speed ?? DEFAULT_SPEED];
  const { probability, timings } = await segmentPlanned(model, placed.channels, placed.dims, placed.brain, {
    patchSize: meta.patchSize,
    overlapFraction: settings.overlapFraction,
    window: settings.window,
    bsplineOrder: settings.bsplineOrder,
    batchSize: settings.batchSize,
    mirror: settings.mirror,
    mirrorGrid: plan.mirrorGrid,
    predictor,
    onProgress: async (done, total) => {
      hooks.checkpoint();
      await hooks.onProgress(done, total);
      hooks.checkpoint();
    },
    shouldCancel: () => {
      hooks.checkpoint();
      return false;
    },
  }, plan.twoPass);
  // normaliseFusion (core) has already refused NaN/Inf
  const t0 = performance.now();
  const onScan = mapsOnScan(placed, probability, prepared.grid, prepared.scanBrain);
  const fusionMs = timings.otherMs + performance.now() - t0;
  return {
    probability: onScan.probability, peaks: onScan.peaks, prepareMs, modelMs: timings.modelMs, fusionMs, patches: timings.patches, calls: timings.calls, mirrored: timings.mirrored, threads, missing, ignored,
    // the registration's line stays under the progress bar (run-note); its warnings also go to the notice
    notes: [...warnings, ...prepared.notes],
  };
}

