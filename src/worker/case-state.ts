/**
 * The case the worker holds: the scans z-scored once when they arrive (model-input's checks and
 * normalisation), so a run only picks the channels its model takes.
 */
import { identityGrid, type GridPlan } from '../core/model-grid.ts';
import type { Vec3, Volume } from '../core/types.ts';
import { assertSameGrid, maskLike, referenceLesions } from '../core/volume.ts';
import { countNonFinite } from '../core/nifti-voxels.ts';
import { prepareModelInput } from '../model/model-input.ts';
import type { Modality } from '../model/model-meta.ts';
import type { CaseVolume, WorkerRequest } from './protocol.ts';

/** A case ready to segment, or the reason it is not. */
export interface PreparedCase {
  caseKey: number;
  dims: Vec3;
  spacingMm: Vec3;
  /** File id per given modality (same ids: nothing to prepare again). */
  ids: Partial<Record<Modality, string>>;
  /** How the scans' grid maps to the model's (core/model-grid.ts); channels and brain are on `grid.dims`. */
  grid: GridPlan;
  /** Z-scored channels of the given modalities, on the model grid. */
  channels: Partial<Record<Modality, Float32Array>>;
  brain: Uint8Array;
  /** The FLAIR > 0 brain on the scans' own grid (results are 0 outside it). */
  scanBrain: Uint8Array;
  /** What the user should know about the scans and the reference (model-input's notes, the reader's notes on the reference). */
  notes: string[];
  /** The scans' part of `notes` (kept while the same scans are reused). */
  scanNotes: string[];
  truth: Volume | null;
  /** Why the scans cannot be segmented (thrown when a run starts), or null. */
  problem: string | null;
}

const MODALITIES: readonly Modality[] = ['flair', 't1', 't2', 't1post'];

/**
 * Prepares the scans of a 'set-case' request, reusing the previous case's channels when the
 * same files are given. Never throws: input problems are kept in `problem`.
 */
export function prepareCase(previous: PreparedCase | null, request: Extract<WorkerRequest, { type: 'set-case' }>): PreparedCase {
  const given = MODALITIES.filter((m) => request.scans[m]);
  const ids = Object.fromEntries(given.map((m) => [m, (request.scans[m] as CaseVolume).id])) as Partial<Record<Modality, string>>;
  const flair = request.scans.flair?.volume;
  const reference = request.truth?.volume;
  const truthNotes = (reference?.notes ?? []).map((note) => `lesion mask: ${note}`);
  const base = {
    caseKey: request.caseKey, ids,
    dims: flair?.dims ?? ([0, 0, 0] as Vec3), spacingMm: flair?.spacingMm ?? ([1, 1, 1] as Vec3),
    // NaN/Inf voxels are not lesion (referenceLesions: only values above 0.5 are); checkTruth refuses an all-NaN mask
    truth: reference ? maskLike(reference, referenceLesions(reference.data)) : null,
  };
  const same = previous !== null && previous.problem === null && given.length === Object.keys(previous.ids).length
    && given.every((m) => previous.ids[m] === ids[m]);
  if (same) return { ...previous, ...base, notes: [...previous.scanNotes, ...truthNotes], problem: checkTruth(flair, reference) };
  try {
    const scans = Object.fromEntries(given.map((m) => [m, (request.scans[m] as CaseVolume).volume]));
    const input = prepareModelInput(scans, { modalities: [...given] });
    const channels = Object.fromEntries(given.map((m, c) => [m, input.channels[c]])) as Partial<Record<Modality, Float32Array>>;
    return {
      ...base, grid: input.grid, channels, brain: input.brain, scanBrain: input.scanBrain,
      notes: [...input.notes, ...truthNotes], scanNotes: input.notes, problem: checkTruth(flair, reference),
    };
  } catch (error) {
    return { ...base, grid: identityGrid(base.dims), channels: {}, brain: new Uint8Array(0), scanBrain: new Uint8Array(0), notes: [], scanNotes: [], problem: (error as Error).message };
  }
}

/** Why the reference cannot be scored against the FLAIR (another grid, no finite voxel), or null. */
function checkTruth(flair: Volume | undefined, truth: Volume | undefined): string | null {
  if (!flair || !truth) return null;
  try {
    assertSameGrid([{ name: 'FLAIR', volume: flair }, { name: 'lesion mask', volume: truth }]);
    if (countNonFinite(truth.data) === truth.data.length) {
      throw new Error(`lesion mask: every voxel (${truth.data.length}) is NaN or infinite: there is no reference to score against`);
    }
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * The channels a model takes, in its order: prepared ones, and blank (0 = the brain mean after
 * z-scoring) ones for modalities not given (the models are trained with modality dropout).
 */
export function channelsFor(prepared: PreparedCase, modalities: readonly Modality[]): { channels: Float32Array[]; missing: Modality[]; ignored: Modality[] } {
  const count = prepared.grid.dims[0] * prepared.grid.dims[1] * prepared.grid.dims[2];
  const missing = modalities.filter((m) => !prepared.channels[m]);
  const ignored = (Object.keys(prepared.channels) as Modality[]).filter((m) => !modalities.includes(m));
  const channels = modalities.map((m) => prepared.channels[m] ?? new Float32Array(count));
  return { channels, missing, ignored };
}
