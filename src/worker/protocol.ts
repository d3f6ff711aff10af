/**
 * The one message protocol between the app (main thread) and the segmentation worker: two unions
 * discriminated on `type`, each switched on exhaustively by its receiver.
 *
 * The worker keeps the last run's probability map (and the truth mask, when given) so that a new
 * threshold, and later a beta slider, live metrics or fine-tuning, only send small requests.
 */
import type { EvaluationReport } from '../core/evaluate.ts';
import type { ComponentStat, LesionFilterRule } from '../core/lesion-filter.ts';
import type { LesionOverlaps } from '../core/lesion-scores.ts';
import type { LesionRow, LesionTable } from '../core/lesion-table.ts';
import type { ThresholdSweep } from '../core/threshold-sweep.ts';
import type { FusionWindowKind, Volume } from '../core/types.ts';
import type { VoxelPeaks } from '../core/voxel-peaks.ts';
import type { BackendName } from '../model/backend.ts';
import type { HeldOutScores } from '../model/finetune.ts';
import type { MirrorMode } from '../model/mirror-policy.ts';
import type { SpeedPreset } from '../model/speed-presets.ts';
import type { Modality, ModelMeta } from '../model/model-meta.ts';

/** Inference settings of one run. */
export interface SegmentSettings {
  /** Probability at or above which a voxel is lesion. */
  threshold: number;
  overlapFraction: number;
  window: FusionWindowKind;
  bsplineOrder: number;
  /** Patches per network call; halved automatically after the GPU runs out of memory. */
  batchSize: number;
  /** Test-time mirroring (each voxel also predicted flipped left-right): 'auto' on small scans. */
  mirror: MirrorMode;
  /** How the volume is tiled beyond the overlap (src/model/speed-presets.ts); absent: the default, 'fast'. */
  speed?: SpeedPreset;
  /** The lesion filter; null: the model's own defaults (its lesionFilter metadata). */
  lesionFilter: LesionFilterRule | null;
  /** Rigid registration to the template before inference (src/model/registered-input.ts); off when false. */
  register?: boolean;
}

/** What to do when the only WebGPU adapter is a software one (SwiftShader on the CPU). */
export type SoftwareGpuPolicy = 'use' | 'prefer-wasm';

/** Where a shipped model lives. */
export interface ModelRef {
  name: string;
  /** URL of model.json (weights.bin beside it). */
  url: string;
}

/** Where a fine-tuned model lives: the browser's IndexedDB (saved after every pause or stop). */
export const TUNED_MODEL: ModelRef = { name: 'tuned', url: 'indexeddb://lesion-workbench-tuned' };

/** Settings of a fine-tuning run on the loaded scan and its reference mask. */
export interface FinetuneSettings {
  /** Beta of the asymmetric F-beta loss (the beta slider's value). */
  beta: number;
  steps: number;
  learningRate: number;
  /** Patches of the model's size per step (1-2 on a software GPU). */
  batchSize: number;
  /** Held-out precision/recall every this many steps. */
  evalEvery: number;
}

/** Where a fine-tuning run stands. */
export type FinetunePhase = 'starting' | 'running' | 'paused' | 'stopped' | 'done' | 'failed';

/** A fine-tuned model saved in this browser. */
export interface SavedTunedModel {
  savedAtIso: string;
  meta: ModelMeta;
}

/** Mask, lesion table and (with a truth mask) metrics at one threshold, after the lesion filter. */
export interface ThresholdOutcome {
  threshold: number;
  /** The lesions the filter keeps (0/1). */
  mask: Uint8Array;
  /** The lesions the filter removed (0/1), for the "show removed" layer. */
  removed: Uint8Array;
  /** The rule applied, and the model's own (what the controls reset to). */
  rule: LesionFilterRule;
  modelRule: LesionFilterRule;
  /** The kept lesions (with confidences; with a reference, each lesion's verdict and the missed ones). */
  lesions: LesionTable;
  /** The removed lesions, largest first. */
  removedLesions: LesionRow[];
  /** Scores of the kept lesions' mask. */
  metrics: EvaluationReport | null;
  /**
   * Every lesion of the map at this threshold before the filter (index label - 1) and, with a
   * reference, what each shares with it: the page re-scores another rule from these in O(lesions).
   */
  candidates: { stats: ComponentStat[]; overlaps: LesionOverlaps | null; ap: number | null; beta: number };
}

/** Times of one run measured in the worker, ms. */
export interface WorkerTimings {
  /** Model load (0 when cached). */
  loadMs: number;
  /** Blank channels for missing modalities and checks at run time (z-scoring happens at 'set-case'). */
  prepareMs: number;
  /** Network calls, including moving patches to and from the device. */
  modelMs: number;
  /** The patch grid, B-spline fusion and progress reports (copying patches into the batch is model time). */
  fusionMs: number;
  /** Threshold, lesion table and metrics. */
  outcomeMs: number;
  patches: number;
  /** Network calls: every patch run, its mirrored copy counted apart. */
  calls: number;
  /** Whether test-time mirroring ran. */
  mirrored: boolean;
  /** Threads that ran the network: this worker and its patch workers. */
  threads: number;
  /** performance.timeOrigin + performance.now() when the worker took up the request (epoch ms). */
  startedAtEpochMs: number;
  /** performance.timeOrigin + performance.now() when the result was posted (epoch ms). */
  postedAtEpochMs: number;
}

/** What a worker error is about, so the app can word it and decide what stays usable. */
export type WorkerErrorKind = 'input' | 'model' | 'backend' | 'device-lost' | 'out-of-memory' | 'internal';

/** A scan or mask of the case with the id of its file (unchanged ids are not prepared again). */
export interface CaseVolume {
  id: string;
  volume: Volume;
}

/** The worker's memory as tfjs and the browser report it (src/worker/memory-report.ts); bytes. */
export interface WorkerMemory {
  backend: string | null;
  numTensors: number;
  numDataBuffers: number;
  numBytes: number;
  /** WebGL/WebGPU texture and buffer bytes where the backend counts them, else null. */
  gpuBytes: number | null;
  /** The wasm backend's linear memory (it only grows), else null. */
  wasmHeapBytes: number | null;
  /** The worker's used JS heap (Chromium's performance.memory), else null. */
  jsHeapBytes: number | null;
}

/** App -> worker. */
export type WorkerRequest =
  | {
      type: 'init';
      /** Backends to try in order (the first that starts is used). */
      backendOrder: BackendName[];
      /** 'prefer-wasm': skip a software-only WebGPU adapter (SwiftShader) for wasm. */
      softwareGpu: SoftwareGpuPolicy;
      /** Patch workers on the wasm and cpu backends (more cores for a run); null: one per extra core, at most 3. */
      patchWorkers: number | null;
    }
  | {
      /** Loads (and caches) a model ahead of the first run. */
      type: 'load-model';
      model: ModelRef;
    }
  | {
      /**
       * The open case: sent when files are loaded or roles change, so that Segment moves no scans.
       * The worker checks and z-scores the scans here (answer: 'case-ready' or an input error).
       */
      type: 'set-case';
      caseKey: number;
      scans: Partial<Record<Modality, CaseVolume>>;
      truth: CaseVolume | null;
    }
  | {
      type: 'segment';
      runId: number;
      /** The case the run is for (must be the last one set). */
      caseKey: number;
      model: ModelRef;
      settings: SegmentSettings;
    }
  | { type: 'cancel'; runId: number }
  | { type: 'threshold'; runId: number; threshold: number; lesionFilter: LesionFilterRule | null }
  | {
      /** Re-seeds a fresh worker (after a forced stop) with the last result, for new thresholds. */
      type: 'restore';
      runId: number;
      probability: Float32Array;
      /** The result's peaks (null: none). */
      peaks: VoxelPeaks | null;
      beta: number;
      /** The model's lesion-filter defaults. */
      modelRule: LesionFilterRule;
    }
  | {
      /**
       * Fine-tunes `model` on the case's scans and reference mask in the worker, on the inference
       * backend; from then on the tuned weights are TUNED_MODEL (the shipped model is reloaded
       * from its files when chosen again).
       */
      type: 'finetune-start';
      caseKey: number;
      model: ModelRef;
      settings: FinetuneSettings;
    }
  | { type: 'finetune-control'; action: 'pause' | 'resume' | 'stop' }
  | {
      /** 'query': is a tuned model saved? 'export': send its files; 'reset': delete it. */
      type: 'tuned-model';
      action: 'query' | 'export' | 'reset';
    }
  | {
      /** A model.json and its weights file (downloaded earlier) to load as the tuned model. */
      type: 'tuned-import';
      files: File[];
    }
  | {
      /**
       * Rehearses a GPU failure (the ?debug page and the e2e tests): 'device-lost' destroys the
       * WebGPU device for real; 'out-of-memory' reports an out-of-memory error at the next batch.
       */
      type: 'simulate-gpu-failure';
      failure: 'device-lost' | 'out-of-memory';
    }
  /** The page's watchdog (src/app/worker-watchdog.ts): answered with 'pong' between any two steps of work. */
  | { type: 'ping'; seq: number }
  /** Diagnostics (the ?debug line, the soak test): answered with 'memory'. */
  | { type: 'memory' };

/** Worker -> app. */
export type WorkerEvent =
  | {
      type: 'backend-ready';
      backend: BackendName;
      /** Human description of the adapter, e.g. "google swiftshader (fallback adapter)". */
      adapter: string;
      /** One line per backend skipped on the way, with the reason. */
      fallbacks: string[];
    }
  | { type: 'backend-failed'; message: string; fallbacks: string[] }
  | {
      type: 'case-ready';
      caseKey: number;
      /** Time spent checking and z-scoring the new scans, ms (0 when they were already prepared). */
      prepareMs: number;
      /** Why these scans cannot be segmented (NaN voxels, empty brain, ...), or null. */
      problem: string | null;
      /** What the user should know before segmenting: a changed grid, a brain mask that is not a stripped brain. */
      notes: string[];
    }
  | { type: 'model-loading'; runId: number | null; name: string }
  | { type: 'model-ready'; runId: number | null; name: string; meta: ModelMeta; loadMs: number; cached: boolean }
  | { type: 'progress'; runId: number; done: number; total: number }
  /** What the run did before the model (registered, with the rotation found, or not) and its warnings, as they happen. */
  | { type: 'run-note'; runId: number; note: string }
  | {
      type: 'result';
      runId: number;
      backend: BackendName;
      probability: Float32Array;
      /** A moved scan's peaks, where the lesion filter reads higher confidences (core/voxel-peaks.ts); null: none. */
      peaks: VoxelPeaks | null;
      outcome: ThresholdOutcome;
      timings: WorkerTimings;
      /** Modalities the model takes that were fed as blank channels. */
      missing: Modality[];
      /** Given modalities the model does not use. */
      ignored: Modality[];
      /** What the user should know about the scans: a changed grid (reoriented, resampled), a brain mask that is not a stripped brain. */
      notes: string[];
    }
  | { type: 'thresholded'; runId: number; outcome: ThresholdOutcome }
  | {
      /** Every metric at every threshold of the run's map against the reference (after 'result' or a new mask). */
      type: 'sweep';
      runId: number;
      /** The model whose map it is. */
      modelName: string;
      sweep: ThresholdSweep;
    }
  | { type: 'finetune-step'; step: number; steps: number; loss: number; ms: number }
  | { type: 'finetune-eval'; step: number; scores: HeldOutScores }
  | { type: 'finetune-state'; phase: FinetunePhase; step: number; message: string | null }
  | { type: 'tuned-status'; saved: SavedTunedModel | null }
  | {
      /** The tuned model as tfjs files (model.json text and the weights), for a download. */
      type: 'tuned-files';
      modelJson: string;
      weights: ArrayBuffer;
    }
  | { type: 'cancelled'; runId: number }
  | { type: 'error'; runId: number | null; kind: WorkerErrorKind; message: string }
  | {
      type: 'device-lost';
      lost: BackendName;
      message: string;
    }
  | { type: 'log'; line: string }
  | { type: 'pong'; seq: number }
  | { type: 'memory'; memory: WorkerMemory };

/**
 * Whether an adapter description (the backend-ready event's `adapter`) names a GPU emulated on the
 * CPU (SwiftShader, llvmpipe): the worker passes such a GPU over for wasm, the page does not segment
 * the demo on open there.
 */
export function isSoftwareAdapter(adapter: string): boolean {
  return /swiftshader|fallback adapter|llvmpipe|software/i.test(adapter);
}

/** Compile-time exhaustiveness check for switches over the unions above. */
export function assertNever(value: never): never {
  throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
