/**
 * The segmentation worker: holds tfjs, the backend, one cached model and the last probability map,
 * and dispatches the protocol's requests. The work itself lives in src/model and src/core.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../model/backend.ts';
import type { LesionFilterRule } from '../core/lesion-filter.ts';
import { lesionFilterOf } from '../model/model-meta.ts';
import { runMirrorMode } from '../model/mirror-policy.ts';
import { slotPredictor } from '../model/patch-slots.ts';
import { localSlot, type PatchPredictor } from '../model/segment-volume.ts';
import { BackendStartError, type BackendInfo, type DeviceWatch, destroyWebgpuDevice, startBackend, watchDevice } from './backend-session.ts';
import { type PreparedCase, prepareCase } from './case-state.ts';
import { FinetuneRunner } from './finetune-run.ts';
import { dropModel, getModel } from './model-cache.ts';
import { type HeldResult, outcomeAt } from './outcome.ts';
import { defaultPatchWorkers, modelArtifacts, openPatchWorkers, type PatchWorkers } from './patch-workers.ts';
import { assertNever, type ModelRef, type SoftwareGpuPolicy, type WorkerEvent, type WorkerRequest } from './protocol.ts';
import { workerMemory } from './memory-report.ts';
import { CancelledError, checkpoint, errorKind, KindedError, yieldToEvents } from './run-control.ts';
import { type RunOutput, runSegmentation } from './run-segment.ts';
import { postSweep } from './sweep.ts';
import { findTunedModel, importTunedModel, resetTunedModel, tunedModelFiles } from './tuned-store.ts';
import { configureWasmPaths } from './wasm-paths.ts';

const scope = self as unknown as {
  postMessage(message: WorkerEvent, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
};

const state = {
  /** Backends still allowed, in order; a lost device removes its backend. */
  order: [] as BackendName[],
  softwareGpu: 'use' as SoftwareGpuPolicy,
  /** Patch workers asked for (null: the default for this machine's cores). */
  patchWorkerCount: null as number | null,
  backend: null as Promise<BackendInfo> | null,
  /** Extra copies of the model for the wasm and cpu backends, started with the backend. */
  patchWorkers: null as Promise<PatchWorkers | null> | null,
  watch: { lost: null, error: null } as DeviceWatch,
  activeRun: null as number | null,
  cancelled: new Set<number>(),
  prepared: null as PreparedCase | null,
  held: null as HeldResult | null,
  /** The model of the held result. */
  heldModel: '',
};

function post(event: WorkerEvent, transfer: Transferable[] = []): void {
  scope.postMessage(event, transfer);
}

const tuning = new FinetuneRunner(post);

scope.onmessage = (event) => {
  handle(event.data).catch((error: unknown) => {
    post({ type: 'error', runId: null, kind: 'internal', message: (error as Error).message ?? String(error) });
  });
};

async function handle(request: WorkerRequest): Promise<void> {
  switch (request.type) {
    case 'init':
      state.order = request.backendOrder;
      state.softwareGpu = request.softwareGpu;
      state.patchWorkerCount = request.patchWorkers;
      await ensureBackend();
      return;
    case 'load-model':
      return preloadModel(request.model);
    case 'set-case':
      return setCase(request);
    case 'segment':
      return segment(request);
    case 'cancel':
      if (state.activeRun === request.runId) state.cancelled.add(request.runId);
      return;
    case 'threshold':
      return threshold(request.runId, request.threshold, request.lesionFilter);
    case 'restore':
      if (state.prepared) {
        const { dims, spacingMm, truth } = state.prepared;
        state.held = { runId: request.runId, probability: request.probability, peaks: request.peaks, dims, spacingMm, truth, beta: request.beta, modelRule: request.modelRule };
      }
      return;
    case 'finetune-start':
      if (state.activeRun !== null) {
        post({ type: 'finetune-state', phase: 'failed', step: 0, message: 'a segmentation is running: wait for it or cancel it first' });
        return;
      }
      return tuning.start(request, state.prepared, (await ensureBackend()).softwareGpu);
    case 'finetune-control':
      return tuning.control(request.action);
    case 'tuned-model':
      return tunedModel(request.action);
    case 'tuned-import':
      await ensureBackend();
      post({ type: 'tuned-status', saved: await importTunedModel(request.files) });
      return;
    case 'simulate-gpu-failure':
      if (request.failure === 'out-of-memory') state.watch.error = { kind: 'out-of-memory', message: 'simulated: buffer allocation failed' };
      else if (!destroyWebgpuDevice()) post({ type: 'log', line: 'no WebGPU device to lose: the backend is not webgpu' });
      return;
    case 'ping':
      post({ type: 'pong', seq: request.seq });
      return;
    case 'memory':
      await ensureBackend();
      post({ type: 'memory', memory: workerMemory() });
      return;
    default:
      assertNever(request);
  }
}

/** Starts (once) the first usable backend of the order and announces it. */
function ensureBackend(): Promise<BackendInfo> {
  state.backend ??= (async () => {
    configureWasmPaths();
    try {
      const info = await startBackend(state.order, state.softwareGpu);
      state.watch = watchDevice((message) => onDeviceLost(info.name, message));
      post({ type: 'backend-ready', backend: info.name, adapter: info.adapter, fallbacks: info.fallbacks });
      startPatchWorkers(info.name);
      return info;
    } catch (error) {
      const fallbacks = error instanceof BackendStartError ? error.fallbacks : [];
      post({ type: 'backend-failed', message: (error as Error).message, fallbacks });
      state.backend = null;
      throw error;
    }
  })();
  return state.backend;
}

/**
 * On the wasm and cpu backends, which compute on one thread, starts the patch workers (in the
 * background: the first run waits for them). A GPU backend needs none.
 */
function startPatchWorkers(backend: BackendName): void {
  const count = state.patchWorkerCount ?? defaultPatchWorkers(navigator.hardwareConcurrency || 1);
  if ((backend !== 'wasm' && backend !== 'cpu') || count === 0 || state.patchWorkers) return;
  state.patchWorkers = openPatchWorkers(count, backend).catch(() => null);
}

/** The run's predictor: the patch workers and this worker together, or undefined (this worker alone). */
async function patchPredictor(model: tf.LayersModel): Promise<{ predictor?: PatchPredictor; workers: PatchWorkers | null }> {
  const workers = state.patchWorkers ? await state.patchWorkers : null;
  if (!workers || workers.size === 0) return { workers: null };
  const slots = workers.slots(await modelArtifacts(model));
  return { predictor: slotPredictor([...slots, localSlot(model)]), workers };
}

/** A lost device: forget its backend and model, and move to the next backend of the order. */
function onDeviceLost(lost: BackendName, message: string): void {
  state.order = state.order.filter((b) => b !== lost);
  state.backend = null;
  dropModel();
  const next = state.order[0];
  post({
    type: 'device-lost', lost,
    message: `the ${lost} device was lost (${message})` +
      (next ? `; switching to ${next}: press Segment to run again` : '; no other backend is left: reload the page'),
  });
  if (next) ensureBackend().catch(() => undefined);
}

/** Checks and z-scores the new case's scans now, so that Segment starts from prepared channels. */
function setCase(request: Extract<WorkerRequest, { type: 'set-case' }>): void {
  const t0 = performance.now();
  const reused = state.prepared;
  state.prepared = prepareCase(state.prepared, request);
  const prepareMs = state.prepared.channels === reused?.channels ? 0 : performance.now() - t0;
  if (state.held) {
    // a new truth mask re-scores the held result; new scans make it stale
    const sameScans = state.held.dims.every((d, a) => d === state.prepared!.dims[a]) && reused?.channels === state.prepared.channels;
    const truthChanged = state.held?.truth !== state.prepared.truth;
    state.held = sameScans ? { ...state.held, truth: state.prepared.truth } : null;
    if (state.held && truthChanged) postSweep(state.held, state.heldModel, post);
  }
  post({ type: 'case-ready', caseKey: request.caseKey, prepareMs, problem: state.prepared.problem, notes: state.prepared.notes });
}

async function preloadModel(model: ModelRef): Promise<void> {
  if (state.activeRun !== null) return;
  try {
    await ensureBackend();
    // a run that started meanwhile has its own model: a preload now would replace it mid-run
    if (state.activeRun !== null) return;
    post({ type: 'model-loading', runId: null, name: model.name });
    const loaded = await getModel(model);
    post({ type: 'model-ready', runId: null, name: model.name, meta: loaded.meta, loadMs: loaded.loadMs, cached: loaded.cached });
  } catch (error) {
    post({ type: 'error', runId: null, kind: 'model', message: (error as Error).message });
  }
}

async function segment(request: Extract<WorkerRequest, { type: 'segment' }>): Promise<void> {
  const startedAtEpochMs = performance.timeOrigin + performance.now();
  const { runId } = request;
  if (state.activeRun !== null || tuning.busy) {
    const what = tuning.busy ? 'fine-tuning is running: pause or stop it first' : 'a segmentation is already running';
    post({ type: 'error', runId, kind: 'internal', message: what });
    return;
  }
  state.activeRun = runId;
  let runBackend: BackendInfo | null = null;
  let runWatch: DeviceWatch | null = null;
  try {
    const prepared = state.prepared;
    if (!prepared || prepared.caseKey !== request.caseKey) throw new KindedError('internal', 'the scans of this case have not reached the worker; load them again');
    const backend = await ensureBackend();
    runBackend = backend;
    post({ type: 'model-loading', runId, name: request.model.name });
    const loaded = await getModel(request.model).catch((error: Error) => {
      throw new KindedError('model', error.message);
    });
    post({ type: 'model-ready', runId, name: request.model.name, meta: loaded.meta, loadMs: loaded.loadMs, cached: loaded.cached });
    const watch = state.watch;
    runWatch = watch;
    watch.error = null;
    // one patch per batch on a software GPU: progress and cancel checks every patch, not every few minutes
    const hardwareGpu = (backend.name === 'webgpu' || backend.name === 'webgl') && !backend.softwareGpu;
    const mirror = runMirrorMode(request.settings.mirror, hardwareGpu);
    const settings = { ...request.settings, mirror, ...(backend.softwareGpu ? { batchSize: 1 } : {}) };
    const { predictor, workers } = await patchPredictor(loaded.model);
    const out = await runSegmentation(loaded.model, loaded.meta, prepared, settings, {
      onProgress: async (done, total) => {
        post({ type: 'progress', runId, done, total });
        await yieldToEvents();
      },
      checkpoint: () => checkpoint(state.cancelled.has(runId), watch),
      onNote: (note) => post({ type: 'run-note', runId, note }),
    }, predictor).finally(() => workers?.end());
    state.held = {
      runId, probability: out.probability, peaks: out.peaks, dims: prepared.dims, spacingMm: prepared.spacingMm, truth: prepared.truth, beta: loaded.meta.beta,
      modelRule: lesionFilterOf(loaded.meta),
    };
    postResult(state.held, request.settings.threshold, request.settings.lesionFilter, backend, loaded.loadMs, out, startedAtEpochMs);
    state.heldModel = request.model.name;
    postSweep(state.held, request.model.name, post);
  } catch (error) {
    const kind = errorKind(error, state.watch.lost !== null);
    if (error instanceof CancelledError) post({ type: 'cancelled', runId });
    else post({ type: 'error', runId, kind, message: (error as Error).message });
    // a lost WebGL context also moves on to the next backend (a lost WebGPU device already has,
    // through its device watch)
    if (kind === 'device-lost' && runBackend && !runWatch?.lost && state.order.includes(runBackend.name)) {
      onDeviceLost(runBackend.name, (error as Error).message);
    }
  } finally {
    state.activeRun = null;
    state.cancelled.delete(runId);
  }
}

/** Thresholds the new map, posts it with its timings; the worker keeps its own copy of the map. */
function postResult(held: HeldResult, thresholdValue: number, rule: LesionFilterRule | null, backend: BackendInfo, loadMs: number, out: RunOutput, startedAtEpochMs: number): void {
  const t0 = performance.now();
  const outcome = outcomeAt(held, thresholdValue, rule);
  const outcomeMs = performance.now() - t0;
  const probability = held.probability.slice();
  const peaks = held.peaks ? { index: held.peaks.index.slice(), value: held.peaks.value.slice() } : null;
  post({
    type: 'result', runId: held.runId, backend: backend.name, probability, peaks, outcome,
    timings: {
      loadMs, prepareMs: out.prepareMs, modelMs: out.modelMs, fusionMs: out.fusionMs,
      outcomeMs, patches: out.patches, calls: out.calls, mirrored: out.mirrored, threads: out.threads, startedAtEpochMs, postedAtEpochMs: performance.timeOrigin + performance.now(),
    },
    missing: out.missing, ignored: out.ignored, notes: out.notes,
  }, [probability.buffer, ...(peaks ? [peaks.index.buffer, peaks.value.buffer] : []), outcome.mask.buffer, outcome.removed.buffer]);
}

async function threshold(runId: number, value: number, rule: LesionFilterRule | null): Promise<void> {
  if (!state.held) {
    post({ type: 'error', runId, kind: 'input', message: 'no segmentation to threshold yet: press Segment first' });
    return;
  }
  const outcome = outcomeAt(state.held, value, rule);
  post({ type: 'thresholded', runId, outcome }, [outcome.mask.buffer, outcome.removed.buffer]);
}

/** The saved tuned model: report it, send its files, or delete it. */
async function tunedModel(action: 'query' | 'export' | 'reset'): Promise<void> {
  try {
    if (action === 'query') {
      post({ type: 'tuned-status', saved: await findTunedModel() });
    } else if (action === 'export') {
      await ensureBackend();
      const files = await tunedModelFiles();
      post({ type: 'tuned-files', ...files }, [files.weights]);
    } else {
      await resetTunedModel();
      post({ type: 'tuned-status', saved: null });
    }
  } catch (error) {
    post({ type: 'error', runId: null, kind: 'model', message: `tuned model: ${(error as Error).message}` });
  }
}
