import { countNonFinite, zeroNonFinite } from '../core/nifti-voxels.ts';
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
  /**
   * What the user should know about the scans: the readers' notes on each file (prefixed "FLAIR: "),
   * NaN voxels read as 0, a changed grid, a brain mask that is not a stripped brain.
   */
  notes: string[];
}

/**
 * Checks and normalises scans for a model: FLAIR is required and all scans must share one grid; NaN
 * and Inf voxels count as background (0, as readNifti reads them, with a note; a scan with no finite
 * voxel is refused). The scans are moved to the model's grid, and each used modality is z-scored
 * inside the FLAIR > 0 brain there. Models are trained with modality dropout, so a missing T1/T2 is
 * given as a blank (0) channel.
 */
export function prepareModelInput(inputScans: Partial<Record<Modality, Volume>>, meta: Pick<ModelMeta, 'modalities'>): ModelInput {
  if (!inputScans.flair) throw new Error('a FLAIR scan is required');
  const given = (Object.keys(inputScans) as Modality[]).filter((m) => inputScans[m]);
  assertSameGrid(given.map((m) => ({ name: MODALITY_LABELS[m], volume: inputScans[m] as Volume })));
  const readNotes: string[] = [];
  const scans: Partial<Record<Modality, Volume>> = {};
  for (const m of given) {
    const { volume, notes } = finiteScan(inputScans[m] as Volume, MODALITY_LABELS[m]);
    scans[m] = volume;
    readNotes.push(...notes.map((note) => `${MODALITY_LABELS[m]}: ${note}`));
  }
  const flair = scans.flair as Volume;
  const grid = planModelGrid(flair);
  const flairOnGrid = volumeOnModelGrid(flair, grid);
  const brain = brainMaskFrom(flairOnGrid);
  const channels = meta.modalities.map((m) => {
    const scan = scans[m];
    // B-spline: the sharpest interpolation; the models over-mark smoothed scans (docs/robustness.md)
    return scan ? zscoreInBrain(volumeOnModelGrid(scan, grid, 'bspline'), brain, MODALITY_LABELS[m]) : new Float32Array(brain.length);
  });
  return {
    grid,
    channels,
    brain,
    scanBrain: grid.identity ? brain : brainMaskFrom(flair),
    ignored: given.filter((m) => !meta.modalities.includes(m)),
    missing: meta.modalities.filter((m) => !scans[m]),
    notes: [...readNotes, orientationNote(grid), describeModelGrid(grid), thickSliceNote(grid), skullStripNote(brain, grid.dims, flairOnGrid.spacingMm)].filter((n): n is string => n !== null),
  };
}

/** `volume` with NaN/Inf voxels as 0 (a copy, only when it has any) and its notes; throws naming `label` when none is finite. */
function finiteScan(volume: Volume, label: string): { volume: Volume; notes: readonly string[] } {
  const notes = volume.notes ?? [];
  if (countNonFinite(volume.data) === 0) return { volume, notes };
  const data = volume.data.slice();
  try {
    return { volume: { ...volume, data }, notes: [...notes, zeroNonFinite(data) as string] };
  } catch (error) {
    throw new Error(`${label}: ${(error as Error).message}`);
  }
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
