/**
 * The page's state and its pure reducer: the open case, the backend, the run in progress, the
 * last result (probability map, mask, lesions, metrics), the overlay style and the error shown.
 */
import type { LesionFilterRule } from '../../core/lesion-filter.ts';
import type { Vec3 } from '../../core/types.ts';
import type { BackendName } from '../../model/backend.ts';
import type { MirrorMode } from '../../model/mirror-policy.ts';
import { DEFAULT_SPEED, type SpeedPreset } from '../../model/speed-presets.ts';
import type { Modality } from '../../model/model-meta.ts';
import { defaultModelFor, type ModelIndex, type ModelIndexEntry } from '../../model/model-index.ts';
import type { ThresholdOutcome, WorkerErrorKind, WorkerTimings } from '../../worker/protocol.ts';
import type { VoxelPeaks } from '../../core/voxel-peaks.ts';
import { type CaseFiles, scansOf } from '../case-files.ts';

/** The `progress` element's data-state. */
export type RunPhase = 'idle' | 'running' | 'done' | 'error';

export type ViewMode = 'multiplanar' | 'axial' | 'coronal' | 'sagittal' | 'render';

export interface OverlayStyle {
  kind: 'probability' | 'mask';
  colormap: string;
  opacity: number;
  visible: boolean;
  /** The lesions the lesion filter removed, shown as a second layer (blue) so a reader can overrule it. */
  showRemoved: boolean;
}

export interface BackendStatus {
  state: 'starting' | 'ready' | 'failed';
  name: BackendName | null;
  adapter: string;
  fallbacks: string[];
}

/** A shipped model from public/models/index.json (or the tuned one). */
export type ModelEntry = ModelIndexEntry;

/** index.json's defaults: which model a case gets until the user picks one. */
export type ModelDefaults = Pick<ModelIndex, 'defaultModel' | 'defaultsFor'>;

export interface RunSettings {
  threshold: number;
  /** The lesion filter set on the page; null: the model's own defaults. */
  lesionFilter: LesionFilterRule | null;
  overlapFraction: number;
  batchSize: number;
  mirror: MirrorMode;
  speed: SpeedPreset;
  /** Rigid registration to the template before the model (on by default). */
  register: boolean;
}

export interface RunProgress {
  runId: number;
  stage: 'starting' | 'loading-model' | 'segmenting' | 'cancelling';
  done: number;
  total: number;
  /** performance.now() when Segment was pressed. */
  startedAtMs: number;
  /** performance.now() of the first patch report (the ETA's clock). */
  firstPatchAtMs: number | null;
  modelName: string;
  /** What the run did before the model (registration) and its warnings, one per line. */
  notes: string[];
}

/** Times of one run as the page measured them, ms. */
export interface RunTimings {
  worker: WorkerTimings;
  /** Posting the Segment request (small: the scans reached the worker when they were loaded). */
  postMs: number;
  /** From pressing Segment to the worker taking up the request (it may be finishing earlier work). */
  startMs: number;
  /** From the worker posting the result to the page receiving it. */
  transferMs: number;
  /** Building and drawing the overlay in niivue. */
  overlayMs: number | null;
  /** From the result reaching the page to the overlay drawn: React's render, the overlay, one frame. */
  afterResultMs: number | null;
  /** From pressing Segment to the overlay drawn. */
  totalMs: number | null;
}

/** Work done when a case is loaded, before any Segment: moving the scans to the worker, z-scoring. */
export interface CasePreparation {
  caseKey: number;
  /** Posting the scans to the worker (structured clone), ms. */
  uploadMs: number;
  /** Checks and z-scoring in the worker, ms; null until the worker answers. */
  prepareMs: number | null;
}

export interface SegmentationResult {
  runId: number;
  caseKey: number;
  modelName: string;
  /** The model's training beta (its F-beta metric). */
  beta: number;
  backend: BackendName;
  probability: Float32Array;
  /** A moved scan's peaks for the lesion filter (core/voxel-peaks.ts), kept to re-seed a restarted worker. */
  peaks: VoxelPeaks | null;
  outcome: ThresholdOutcome;
  timings: RunTimings;
  missing: Modality[];
  ignored: Modality[];
  /** What the user should know about the scans (a changed grid, a brain mask that is not a stripped brain). */
  notes: string[];
}

export interface WorkbenchState {
  caseFiles: CaseFiles | null;
  casePreparation: CasePreparation | null;
  backend: BackendStatus;
  models: ModelEntry[];
  modelDefaults: ModelDefaults | null;
  selectedModel: string | null;
  /** The user picked the model: a new case keeps it instead of getting its default (e.g. the FLAIR-only model). */
  modelChosen: boolean;
  settings: RunSettings;
  /**
   * The threshold is the F-beta optimum against the open scan's reference (not the user's own
   * choice): it does not carry over to another scan, which starts again from DEFAULT_THRESHOLD.
   */
  thresholdFromReference: boolean;
  run: RunProgress | null;
  /** The id of the last run started (null before any): tells a finished run from the one before it. */
  lastRunId: number | null;
  phase: RunPhase;
  result: SegmentationResult | null;
  error: { message: string; kind: WorkerErrorKind | 'file' | 'page' } | null;
  /** Non-error information about the last action (e.g. blank channels, cancelled). */
  notice: string | null;
  /** The last finished run's notes from before the model (its registration line, its warnings). */
  runNotes: string[];
  overlay: OverlayStyle;
  view: ViewMode;
  /** The 3D view cuts away what lies between the camera and the crosshair. */
  cutAway: boolean;
  /** The loaded scan the viewer shows under the overlay (FLAIR when that one is not loaded). */
  displayScan: Modality;
  /** Where the viewer's crosshair should go (nonce: jump again to the same place). */
  jump: { vox: Vec3; nonce: number } | null;
}

/** The models' decision threshold (probability >= 0.5 is lesion) until the user or a reference sets another. */
export const DEFAULT_THRESHOLD = 0.5;

export const INITIAL_STATE: WorkbenchState = {
  caseFiles: null,
  casePreparation: null,
  backend: { state: 'starting', name: null, adapter: '', fallbacks: [] },
  models: [],
  modelDefaults: null,
  selectedModel: null,
  modelChosen: false,
  settings: { threshold: DEFAULT_THRESHOLD, lesionFilter: null, overlapFraction: 0.5, batchSize: 4, mirror: 'auto', speed: DEFAULT_SPEED, register: true },
  thresholdFromReference: false,
  run: null,
  phase: 'idle',
  result: null,
  error: null,
  notice: null,
  runNotes: [],
  lastRunId: null,
  overlay: { kind: 'probability', colormap: 'warm', opacity: 0.8, visible: true, showRemoved: false },
  view: 'multiplanar',
  cutAway: false,
  displayScan: 'flair',
  jump: null,
};

export type WorkbenchAction =
  | { type: 'case-loaded'; caseFiles: CaseFiles; keepResult: boolean; notice?: string }
  | { type: 'case-sent'; caseKey: number; uploadMs: number }
  | { type: 'case-ready'; caseKey: number; prepareMs: number; notes: string[] }
  | { type: 'error'; message: string; kind: NonNullable<WorkbenchState['error']>['kind'] }
  | { type: 'dismiss-error' }
  | { type: 'backend-ready'; name: BackendName; adapter: string; fallbacks: string[] }
  | { type: 'backend-failed'; message: string; fallbacks: string[] }
  | { type: 'device-lost'; message: string }
  | { type: 'models-loaded'; models: ModelEntry[]; defaults: ModelDefaults | null }
  | { type: 'select-model'; name: string }
  | { type: 'default-model' }
  | { type: 'settings'; settings: Partial<RunSettings>; fromReference?: boolean }
  | { type: 'run-started'; runId: number; modelName: string; atMs: number }
  | { type: 'model-loading'; runId: number }
  | { type: 'progress'; runId: number; done: number; total: number; atMs: number }
  | { type: 'run-note'; runId: number; note: string }
  | { type: 'cancelling'; runId: number }
  | { type: 'cancelled'; runId: number }
  | { type: 'run-failed'; runId: number; message: string; kind: WorkerErrorKind }
  | { type: 'result'; result: SegmentationResult }
  | { type: 'overlay-drawn'; runId: number; overlayMs: number; afterResultMs: number; totalMs: number }
  | { type: 'thresholded'; outcome: ThresholdOutcome }
  | { type: 'overlay-style'; style: Partial<OverlayStyle> }
  | { type: 'view'; view: ViewMode }
  | { type: 'cut-away'; on: boolean }
  | { type: 'display-scan'; modality: Modality }
  | { type: 'jump'; vox: Vec3 };

/** The reducer: every transition of the page state. */
export function workbenchReducer(state: WorkbenchState, action: WorkbenchAction): WorkbenchState {
  switch (action.type) {
    case 'case-loaded': {
      const resetThreshold = !action.keepResult && state.thresholdFromReference;
      return withDefaultModel({
        ...state, caseFiles: action.caseFiles, error: null, notice: action.notice ?? null,
        settings: resetThreshold ? { ...state.settings, threshold: DEFAULT_THRESHOLD } : state.settings,
        thresholdFromReference: resetThreshold ? false : state.thresholdFromReference,
        result: action.keepResult && state.result ? { ...state.result, caseKey: action.caseFiles.key } : null,
        phase: action.keepResult ? state.phase : state.run ? state.phase : 'idle', jump: null,
      });
    }
    case 'case-sent':
      // the same case sent again (to a restarted worker) keeps its first upload and preparation times
      if (state.casePreparation?.caseKey === action.caseKey) return state;
      return { ...state, casePreparation: { caseKey: action.caseKey, uploadMs: action.uploadMs, prepareMs: null } };
    case 'case-ready': {
      const prep = state.casePreparation;
      if (!prep || prep.caseKey !== action.caseKey || prep.prepareMs !== null) return state;
      // the scans' notes (a changed grid, no skull-stripping) are worth knowing before a run
      const notice = [state.notice, ...sentences(action.notes)].filter(Boolean).join(' ') || null;
      return { ...state, casePreparation: { ...prep, prepareMs: action.prepareMs }, notice };
    }
    case 'error':
      return { ...state, error: { message: action.message, kind: action.kind } };
    case 'dismiss-error':
      return { ...state, error: null };
    case 'backend-ready':
      return { ...state, backend: { state: 'ready', name: action.name, adapter: action.adapter, fallbacks: action.fallbacks } };
    case 'backend-failed':
      return { ...state, backend: { state: 'failed', name: null, adapter: '', fallbacks: action.fallbacks }, error: { message: action.message, kind: 'backend' } };
    case 'device-lost':
      return {
        ...state, backend: { ...state.backend, state: 'starting' },
        error: { message: action.message, kind: 'device-lost' },
      };
    case 'models-loaded':
      return withDefaultModel({ ...state, models: action.models, modelDefaults: action.defaults ?? state.modelDefaults });
    case 'select-model':
      return { ...state, selectedModel: action.name, modelChosen: true };
    case 'default-model':
      return withDefaultModel({ ...state, modelChosen: false });
    case 'settings':
      return {
        ...state, settings: { ...state.settings, ...action.settings },
        thresholdFromReference: action.settings.threshold === undefined ? state.thresholdFromReference : action.fromReference === true,
      };
    case 'run-started':
      return {
        ...state, phase: 'running', error: null, notice: null, lastRunId: action.runId,
        run: { runId: action.runId, stage: 'starting', done: 0, total: 0, startedAtMs: action.atMs, firstPatchAtMs: null, modelName: action.modelName, notes: [] },
      };
    default:
      return runReducer(state, action);
  }
}

/** Transitions of a run in progress and of the result. */
function runReducer(state: WorkbenchState, action: WorkbenchAction): WorkbenchState {
  const current = state.run;
  const isCurrent = (runId: number) => current !== null && current.runId === runId;
  switch (action.type) {
    case 'model-loading':
      return isCurrent(action.runId) ? { ...state, run: { ...current!, stage: 'loading-model' } } : state;
    case 'progress':
      if (!isCurrent(action.runId) || current!.stage === 'cancelling') return state;
      return {
        ...state,
        run: { ...current!, stage: 'segmenting', done: action.done, total: action.total, firstPatchAtMs: current!.firstPatchAtMs ?? action.atMs },
      };

    case 'run-note':
      return isCurrent(action.runId) ? { ...state, run: { ...current!, notes: [...current!.notes, action.note] } } : state;

    case 'cancelling':
      return isCurrent(action.runId) ? { ...state, run: { ...current!, stage: 'cancelling' } } : state;
    case 'cancelled':
      if (!isCurrent(action.runId)) return state;
      return { ...state, run: null, phase: state.result ? 'done' : 'idle', notice: 'Segmentation cancelled.' };
    case 'run-failed':
      if (!isCurrent(action.runId)) return state;
      return { ...state, run: null, phase: 'error', error: { message: action.message, kind: action.kind } };
    case 'result':
      if (!isCurrent(action.result.runId)) return state;
      return { ...state, run: null, phase: 'done', result: action.result, notice: runNotice(action.result), runNotes: current?.notes ?? [] };
    case 'overlay-drawn': {
      const result = state.result;
      if (!result || result.runId !== action.runId || result.timings.totalMs !== null) return state;
      return { ...state, result: { ...result, timings: { ...result.timings, overlayMs: action.overlayMs, afterResultMs: action.afterResultMs, totalMs: action.totalMs } } };
    }
    case 'thresholded':
      // settings.threshold stays the user's latest choice: an answer to an earlier slider step
      // must not move the slider back
      if (!state.result) return state;
      return { ...state, result: { ...state.result, outcome: action.outcome } };
    case 'overlay-style':
      return { ...state, overlay: { ...state.overlay, ...action.style } };
    case 'view':
      return { ...state, view: action.view };
    case 'cut-away':
      return { ...state, cutAway: action.on };
    case 'display-scan':
      return { ...state, displayScan: action.modality };
    case 'jump':
      return { ...state, jump: { vox: action.vox, nonce: (state.jump?.nonce ?? 0) + 1 } };
    default:
      return state;
  }
}

/** The case's default model (by its modalities and its FLAIR's voxel size) unless the user chose one. */
function withDefaultModel(state: WorkbenchState): WorkbenchState {
  if (state.modelChosen || !state.modelDefaults) return state;
  const { scans, flair } = scansOf(state.caseFiles);
  return { ...state, selectedModel: defaultModelFor(state.modelDefaults, Object.keys(scans) as Modality[], flair?.volume.spacingMm) };
}

/** What the user should know about how the run used the scans: blank channels, a changed grid. */
function runNotice(result: SegmentationResult): string | null {
  const lines: string[] = [];
  if (result.missing.length > 0) {
    const names = result.missing.map((m) => m.toUpperCase()).join(', ');
    lines.push(`No ${names} given: the model ran with blank ${result.missing.length > 1 ? 'channels for them' : 'channel for it'} (less accurate than with every modality).`);
  }
  lines.push(...sentences(result.notes));
  return lines.length > 0 ? lines.join(' ') : null;
}

/** Notes as sentences: capitalised, with a full stop. */
function sentences(notes: readonly string[]): string[] {
  return notes.map((note) => `${note[0].toUpperCase()}${note.slice(1)}.`);
}
