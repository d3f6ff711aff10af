import { assertFinite } from '../core/nifti-io.ts';
import { describeModelGrid, fromModelGrid, orientationNote, planModelGrid, thickSliceNote, volumeOnModelGrid, type GridPlan } from '../core/model-grid.ts';
import { brainMaskFrom, skullStripNote, zscoreInBrain } from '../core/normalize.ts';
import type { Volume } from '../core/types.ts';
import { assertSameGrid } from '../core/volume.ts';
import type { Modality, ModelMeta } from './model-meta.ts';

export const MODALITY_LABELS: Readonly<Record<Modality, string>> = { flair: 'FLAIR', t1: 'T1', t2: 'T2', t1post: 'T1 post-contrast' };

/**
 * The network's input on the model's grid (core/model-grid.ts: the scans reordered to the training
 * data's axes and resampled to 1 mm where they are not already): normalised channels in the model's
 * order, the brain, and what was dropped or blank.
 */
export interface ModelInput {
  /** How the scans' grid maps to the model's (`grid.dims` is the channels' size). */
  grid: GridPlan;
  channels: Float32Array[];
  brain: Uint8Array;
  /** The FLAIR > 0 brain on the scans' own grid (`brain` itself when the grids are one). */
  scanBrain: Uint8Array;
  /** Given modalities the model does not use. */
  ignored: Modality[];
  /** Modalities the model takes that were not given: fed as 0 (the brain mean after z-scoring). */
  missing: Modality[];
  /** What the user should know about the scans: a changed grid, a brain mask that is not a stripped brain. */
  notes: string[];
}

/**
 * Checks and normalises scans for a model: FLAIR is required, all scans must share one grid and be
 * finite; they are moved to the model's grid, and each used modality is z-scored inside the
 * FLAIR > 0 brain there. Models are trained with modality dropout, so a missing T1/T2 is given as a
 * blank (0) channel.
 */
export function prepareModelInput(scans: Partial<Record<Modality, Volume>>, meta: Pick<ModelMeta, 'modalities'>): ModelInput {
  const flair = scans.flair;
  if (!flair) throw new Error('a FLAIR scan is required');
  const given = (Object.keys(scans) as Modality[]).filter((m) => scans[m]);
  assertSameGrid(given.map((m) => ({ name: MODALITY_LABELS[m], volume: scans[m] as Volume })));
  for (const m of given) assertFinite(scans[m] as Volume, MODALITY_LABELS[m]);
  const grid = planModelGrid(flair);
  const flairOnGrid = volumeOnModelGrid(flair, grid);
  const brain = brainMaskFrom(flairOnGrid);
  const channels = meta.modalities.map((m) => {
    const scan = scans[m];
    // cubic: linear interpolation smooths, and the models over-mark slightly smoothed scans (README)
    return scan ? zscoreInBrain(volumeOnModelGrid(scan, grid, 'cubic'), brain, MODALITY_LABELS[m]) : new Float32Array(brain.length);
  });
  return {
    grid,
    channels,
    brain,
    scanBrain: grid.identity ? brain : brainMaskFrom(flair),
    ignored: given.filter((m) => !meta.modalities.includes(m)),
    missing: meta.modalities.filter((m) => !scans[m]),
    notes: [orientationNote(grid), describeModelGrid(grid), thickSliceNote(grid), skullStripNote(brain, grid.dims, flairOnGrid.spacingMm)].filter((n): n is string => n !== null),
  };
}

/**
 * A probability map of the model's grid on the scans' own grid: mapped back (linear), and 0 outside
 * the FLAIR > 0 brain of the scan (`scanBrain`), as on the model grid.
 */
export function probabilityOnScan(probability: Float32Array, grid: GridPlan, scanBrain: Uint8Array): Float32Array {
  if (grid.identity) return probability;
  const out = fromModelGrid(probability, grid);
  for (let v = 0; v < out.length; v++) if (!scanBrain[v]) out[v] = 0;
  return out;
}

/** A binary mask from a probability map: 1 where p >= threshold. */
export function thresholdProbability(probability: Float32Array, threshold: number): Uint8Array {
  const mask = new Uint8Array(probability.length);
  for (let v = 0; v < probability.length; v++) mask[v] = probability[v] >= threshold ? 1 : 0;
  return mask;
}
