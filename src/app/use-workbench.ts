/**
 * The page's controller hook: owns the state (reducer), the worker, and the user's actions (load
 * files, change roles, segment, cancel, threshold, export). Worker events are switched on
 * exhaustively here.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { Vec3 } from '../core/types.ts';
import type { Modality } from '../model/model-meta.ts';
import { assertNever, isSoftwareAdapter, type WorkerEvent, type WorkerMemory, type WorkerRequest } from '../worker/protocol.ts';
import { caseAfterInput, readCaseInput } from './case-input.ts';
import { DicomWorkerClient } from './dicom-client.ts';
import { type CaseFiles, changeRole, removeFile, scansOf, segmentBlocker, setCaseMessage, withEditedReference } from './case-files.ts';
import { demoCase } from './demo-case.ts';
import { downloadBytes, fileStem, maskNiftiBytes, maskSegBytes, metricsCsv, metricsJson, metricsRecord, probabilityNiftiBytes } from './export.ts';
import { fetchModelIndex, modelRef } from './models.ts';
import type { FileRole } from '../core/file-roles.ts';
import { INITIAL_STATE, type OverlayStyle, type RunSettings, type ViewMode, type WorkbenchState, workbenchReducer } from './state/workbench-state.ts';
import type { UrlOptions } from './url-options.ts';
import { type TuningActions, useTuning } from './use-tuning.ts';
import { crashMessage, type PageEvent, SegmentWorkerClient } from './worker-client.ts';

/**
 * A cancel that the worker has not confirmed within this time stops the worker outright (a batch
 * on a software GPU can take a minute); a fresh worker then gets the case and the last result.
 */
const HARD_CANCEL_MS = 300;

export type ExportKind = 'mask' | 'seg' | 'probability' | 'metrics-json' | 'metrics-csv' | 'reference';

export interface WorkbenchActions {
  loadFiles: (files: File[]) => Promise<void>;
  setRole: (id: string, role: FileRole) => void;
  removeFile: (id: string) => void;
  loadDemo: () => void;
  segment: () => void;
  cancel: () => void;
  selectModel: (name: string) => void;
  setSettings: (settings: Partial<RunSettings>) => void;
  applyThreshold: (threshold: number) => void;
  setOverlayStyle: (style: Partial<OverlayStyle>) => void;
  setView: (view: ViewMode) => void;
  setCutAway: (on: boolean) => void;
  setDisplayScan: (modality: Modality) => void;
  jumpTo: (vox: Vec3) => void;
  overlayDrawn: (runId: number, overlayMs: number) => void;
  dismissError: () => void;
  reportError: (message: string) => void;
  /** Makes `mask` (0/1 on the FLAIR's grid, drawn in the viewer) the case's reference mask. */
  applyEditedReference: (mask: Uint8Array) => void;
  download: (what: ExportKind) => void;
  simulateGpuFailure: (failure: 'device-lost' | 'out-of-memory') => void;
  /** The worker's memory (diagnostics). */
  workerMemory: () => Promise<WorkerMemory | null>;
}

export function useWorkbench(url: UrlOptions): {
  state: WorkbenchState; actions: WorkbenchActions; tuning: ReturnType<typeof useTuning>['tuning']; tuningActions: TuningActions;
  /** The run in progress is the demo's automatic first run, which loading files interrupts. */
  autoRunning: boolean;
  /** DICOM conversion in progress ("Converting DICOM: series 2 of 5 (...)"), or null. */
  converting: string | null;
} {
  const [state, dispatch] = useReducer(workbenchReducer, INITIAL_STATE, (initial) => ({
    ...initial, caseFiles: demoCase(), settings: { ...initial.settings, mirror: url.mirror, speed: url.speed },
  }));
  const stateRef = useRef(state);
  stateRef.current = state;
  const clientRef = useRef<SegmentWorkerClient | null>(null);
  const runRef = useRef({ nextId: 1, startedAtMs: 0, resultAtMs: 0, postMs: 0, flairId: '' as string | null, cancelTimer: 0, betaByModel: new Map<string, number>(), autoRunId: 0 });
  const tuningBusy = useRef(false);
  const tuningEvents = useRef<(event: Extract<WorkerEvent, { type: 'sweep' | `finetune-${string}` | `tuned-${string}` }>) => void>(() => undefined);

  /**
   * The case last given to sendCase. A fresh worker gets this one, not stateRef's: loading files
   * restarts the worker and sends the new case before React has rendered it into stateRef.
   */
  const sentCaseRef = useRef<CaseFiles | null>(state.caseFiles);

  /** Sends the case's scans to the worker (it z-scores them at once) and notes the upload time. */
  const sendCase = useCallback((caseFiles: CaseFiles | null) => {
    sentCaseRef.current = caseFiles;
    const client = clientRef.current;
    if (!client) return;
    const message = setCaseMessage(caseFiles);
    const uploadMs = client.post(message);
    dispatch({ type: 'case-sent', caseKey: message.caseKey, uploadMs });
  }, []);

  const onEvent = useCallback((event: PageEvent) => {
    const run = runRef.current;
    switch (event.type) {
      case 'backend-ready':
        dispatch({ type: 'backend-ready', name: event.backend, adapter: event.adapter, fallbacks: event.fallbacks });
        for (const line of event.fallbacks) console.info(`[worker] ${line}`);
        return;
      case 'backend-failed':
        dispatch({ type: 'backend-failed', message: `No compute backend could start: ${event.message}`, fallbacks: event.fallbacks });
        return;
      case 'case-ready':
        dispatch({ type: 'case-ready', caseKey: event.caseKey, prepareMs: event.prepareMs, notes: event.notes });
        // a case without a FLAIR is explained next to the Segment button instead
        if (event.problem && scansOf(stateRef.current.caseFiles).flair && event.caseKey === stateRef.current.caseFiles?.key) {
          dispatch({ type: 'error', kind: 'input', message: `These scans cannot be segmented: ${event.problem}` });
        }
        return;
      case 'model-loading':
        if (event.runId !== null) dispatch({ type: 'model-loading', runId: event.runId });
        return;
      case 'model-ready':
        run.betaByModel.set(event.name, event.meta.beta);
        console.info(`[worker] model ${event.name} ${event.cached ? 'cached' : `loaded in ${event.loadMs.toFixed(0)} ms`}`);
        return;
      case 'run-note':
        dispatch({ type: 'run-note', runId: event.runId, note: event.note });
        return;
      case 'progress':
        dispatch({ type: 'progress', runId: event.runId, done: event.done, total: event.total, atMs: performance.now() });
        return;
      case 'result': {
        run.resultAtMs = performance.now();
        const transferMs = performance.timeOrigin + run.resultAtMs - event.timings.postedAtEpochMs;
        const current = stateRef.current;
        if (scansOf(current.caseFiles).flair?.id !== run.flairId) {
          dispatch({ type: 'cancelled', runId: event.runId });
          return;
        }
        dispatch({
          type: 'result',
          result: {
            runId: event.runId, caseKey: current.caseFiles?.key ?? 0, modelName: current.run?.modelName ?? '',
            beta: run.betaByModel.get(current.run?.modelName ?? '') ?? 1.5,
            backend: event.backend, probability: event.probability, peaks: event.peaks, outcome: event.outcome,
            timings: {
              worker: event.timings, postMs: run.postMs, transferMs, overlayMs: null, afterResultMs: null, totalMs: null,
              startMs: event.timings.startedAtEpochMs - performance.timeOrigin - run.startedAtMs,
            },
            missing: event.missing, ignored: event.ignored, notes: event.notes,
          },
        });
        return;
      }
      case 'thresholded':
        dispatch({ type: 'thresholded', outcome: event.outcome });
        return;
      case 'cancelled':
        window.clearTimeout(run.cancelTimer);
        dispatch({ type: 'cancelled', runId: event.runId });
        return;
      case 'error': {
        const current = stateRef.current;
        let message = event.message;
        if (event.kind === 'out-of-memory') {
          const batchSize = Math.max(1, Math.floor(current.settings.batchSize / 2));
          dispatch({ type: 'settings', settings: { batchSize } });
          message = `The GPU ran out of memory (${event.message}). Press Segment to run again with ${batchSize} patch${batchSize > 1 ? 'es' : ''} per batch; ` +
            'if it fails again, close other GPU-heavy tabs or open the page with ?backend=cpu.';
        }
        if (event.runId !== null && current.run?.runId === event.runId) dispatch({ type: 'run-failed', runId: event.runId, message, kind: event.kind });
        else dispatch({ type: 'error', message, kind: event.kind });
        return;
      }
      case 'device-lost':
        dispatch({ type: 'device-lost', message: `GPU problem: ${event.message}` });
        return;
      case 'log':
        console.info(`[worker] ${event.line}`);
        return;
      case 'sweep':
      case 'finetune-step':
      case 'finetune-eval':
      case 'finetune-state':
      case 'tuned-status':
      case 'tuned-files':
        tuningEvents.current(event);
        return;
      default:
        assertNever(event);
    }
  }, []);

  useEffect(() => {
    const client = new SegmentWorkerClient(onEvent, (what, restarted) => {
      const message = crashMessage(what, restarted);
      window.clearTimeout(runRef.current.cancelTimer);
      const run = stateRef.current.run;
      dispatch(run ? { type: 'run-failed', runId: run.runId, message, kind: 'internal' } : { type: 'error', message, kind: 'internal' });
      if (tuningBusy.current) tuningEvents.current({ type: 'finetune-state', phase: 'failed', step: 0, message }); // it died with the worker
    }, (started) => {
      // a new worker (first start, or after a hard cancel) gets the backend order, the case, the
      // chosen model and the last result
      clientRef.current = started;
      started.post({ type: 'init', backendOrder: url.backendOrder, softwareGpu: url.softwareGpu, patchWorkers: url.patchWorkers });
      const { result, selectedModel } = stateRef.current;
      sendCase(sentCaseRef.current);
      if (selectedModel) started.post({ type: 'load-model', model: modelRef(import.meta.env.BASE_URL, selectedModel) });
      if (result) started.post({ type: 'restore', runId: result.runId, probability: result.probability, peaks: result.peaks, beta: result.beta, modelRule: result.outcome.modelRule });
      started.post({ type: 'tuned-model', action: 'query' });
    }, url.watchdogMs);
    clientRef.current = client;
    if (url.invalidBackend !== null) {
      dispatch({ type: 'error', kind: 'page', message: `Unknown ?backend=${url.invalidBackend}: use webgpu, webgl, wasm or cpu. Choosing automatically instead.` });
    }
    fetchModelIndex(import.meta.env.BASE_URL)
      .then((index) => dispatch({ type: 'models-loaded', models: index.models, defaults: index }))
      .catch((error: Error) => dispatch({ type: 'error', kind: 'model', message: error.message }));
    return () => {
      client.dispose();
      clientRef.current = null;
    };
  }, [onEvent, sendCase, url]);

  /** Applies a new case; keeps the result when the FLAIR stayed, and re-scores it if the mask changed. */
  const applyCase = useCallback((next: CaseFiles, notice?: string) => {
    const current = stateRef.current;
    const before = scansOf(current.caseFiles);
    const after = scansOf(next);
    const keepResult = before.flair !== null && before.flair.id === after.flair?.id;
    dispatch({ type: 'case-loaded', caseFiles: next, keepResult, notice });
    sendCase(next);
    if (keepResult && current.result && before.truth?.id !== after.truth?.id) {
      // the worker keeps the result for the same scans and re-scores it against the new mask
      clientRef.current?.post({ type: 'threshold', runId: current.result.runId, threshold: current.settings.threshold, lesionFilter: current.settings.lesionFilter });
    }
  }, [sendCase]);

  const [converting, setConverting] = useState<string | null>(null);
  const dicomRef = useRef<DicomWorkerClient | null>(null);
  useEffect(() => () => dicomRef.current?.dispose(), []);
  const loadFiles = useCallback(async (files: File[]) => {
    if (files.length === 0) return;
    let input: Awaited<ReturnType<typeof readCaseInput>>;
    try {
      input = await readCaseInput(files, (dicomRef.current ??= new DicomWorkerClient()), setConverting);
    } catch (error) {
      return dispatch({ type: 'error', kind: 'file', message: `The DICOM files could not be converted: ${(error as Error).message.replace(/\.$/, '')}. The scans already loaded are kept.` });
    } finally {
      setConverting(null);
    }
    const running = stateRef.current.run;
    if (input.volumes.length > 0 && running && running.runId === runRef.current.autoRunId) {
      // the demo's automatic run gives way to the user's files
      dispatch({ type: 'cancelled', runId: running.runId });
      clientRef.current?.restart();
    }
    const { next, message } = caseAfterInput(stateRef.current.caseFiles, input);
    if (next) applyCase(next);
    if (message) dispatch({ type: 'error', kind: 'file', message });
  }, [applyCase]);

  const segment = useCallback(() => {
    const current = stateRef.current;
    const client = clientRef.current;
    const blocker = segmentBlocker(current.caseFiles);
    if (blocker) return dispatch({ type: 'error', kind: 'input', message: blocker });
    if (!client || current.run) return;
    if (!current.selectedModel) return dispatch({ type: 'error', kind: 'model', message: 'No model is available: the model list did not load.' });
    const runId = runRef.current.nextId++;
    const atMs = performance.now();
    dispatch({ type: 'run-started', runId, modelName: current.selectedModel, atMs });
    runRef.current.startedAtMs = atMs;
    runRef.current.flairId = scansOf(current.caseFiles).flair?.id ?? null;
    runRef.current.postMs = client.post({
      type: 'segment', runId, caseKey: current.caseFiles?.key ?? 0, model: modelRef(import.meta.env.BASE_URL, current.selectedModel),
      settings: { ...current.settings, window: 'bspline', bsplineOrder: 2 },
    });
  }, []);

  const cancel = useCallback(() => {
    const run = stateRef.current.run;
    const client = clientRef.current;
    if (!run || !client) return;
    client.post({ type: 'cancel', runId: run.runId });
    dispatch({ type: 'cancelling', runId: run.runId });
    window.clearTimeout(runRef.current.cancelTimer);
    runRef.current.cancelTimer = window.setTimeout(() => {
      if (stateRef.current.run?.runId !== run.runId) return;
      dispatch({ type: 'cancelled', runId: run.runId });
      client.restart();
    }, HARD_CANCEL_MS);
  }, []);

  const applyThreshold = useCallback((threshold: number) => {
    dispatch({ type: 'settings', settings: { threshold } });
    const result = stateRef.current.result;
    if (result) clientRef.current?.post({ type: 'threshold', runId: result.runId, threshold, lesionFilter: stateRef.current.settings.lesionFilter });
  }, []);

  const download = useCallback((what: ExportKind) => {
    const { result, caseFiles, backend } = stateRef.current;
    const { flair, truth } = scansOf(caseFiles);
    if (!flair || !caseFiles) return;
    const stem = fileStem(caseFiles.isDemo ? 'demo' : caseFiles.title);
    try {
      if (what === 'reference') {
        if (!truth) return;
        // > 0 is lesion, as the metrics and the drawing layer read a reference
        const mask = Uint8Array.from(truth.volume.data, (x) => (x > 0 ? 1 : 0));
        return downloadBytes(maskNiftiBytes(flair.volume, mask), `${stem}_reference_mask.nii.gz`, 'application/gzip');
      }
      if (!result) return;
      if (what === 'mask') return downloadBytes(maskNiftiBytes(flair.volume, result.outcome.mask), `${stem}_lesion_mask.nii.gz`, 'application/gzip');
      if (what === 'seg') return downloadBytes(maskSegBytes(flair, result.outcome.mask, result.modelName), `${stem}_lesion_seg.dcm`, 'application/dicom');
      if (what === 'probability') return downloadBytes(probabilityNiftiBytes(flair.volume, result.probability), `${stem}_lesion_probability.nii.gz`, 'application/gzip');
      const { worker, ...page } = result.timings;
      const { postedAtEpochMs: _posted, patches: _patches, ...workerMs } = worker;
      const timingsMs = Object.fromEntries(Object.entries({ ...workerMs, ...page }).filter((e): e is [string, number] => typeof e[1] === 'number'));
      const record = metricsRecord({
        caseTitle: caseFiles.title, model: result.modelName, backend: backend.name ?? result.backend,
        threshold: result.outcome.threshold, flair: flair.volume, lesions: result.outcome.lesions,
        evaluation: result.outcome.metrics, timingsMs, lesionFilter: { ...result.outcome.rule, removed: result.outcome.removedLesions.length },
      });
      if (what === 'metrics-json') return downloadBytes(metricsJson(record), `${stem}_metrics.json`, 'application/json');
      return downloadBytes(metricsCsv(record), `${stem}_metrics.csv`, 'text/csv');
    } catch (error) {
      dispatch({ type: 'error', kind: 'page', message: `Export failed: ${(error as Error).message}` });
    }
  }, []);

  const actions = useMemo<WorkbenchActions>(() => ({
    loadFiles,
    setRole: (id, role) => {
      const current = stateRef.current.caseFiles;
      if (current) applyCase(changeRole(current, id, role));
    },
    removeFile: (id) => {
      const current = stateRef.current.caseFiles;
      if (current) applyCase(removeFile(current, id));
    },
    loadDemo: () => applyCase(demoCase()),
    segment,
    cancel,
    selectModel: (name) => dispatch({ type: 'select-model', name }),
    setSettings: (settings) => dispatch({ type: 'settings', settings }),
    applyThreshold,
    setOverlayStyle: (style) => dispatch({ type: 'overlay-style', style }),
    setView: (view) => dispatch({ type: 'view', view }),
    setCutAway: (on) => dispatch({ type: 'cut-away', on }),
    setDisplayScan: (modality) => dispatch({ type: 'display-scan', modality }),
    jumpTo: (vox) => dispatch({ type: 'jump', vox }),
    overlayDrawn: (runId, overlayMs) => {
      const now = performance.now();
      dispatch({ type: 'overlay-drawn', runId, overlayMs, afterResultMs: now - runRef.current.resultAtMs, totalMs: now - runRef.current.startedAtMs });
    },
    dismissError: () => dispatch({ type: 'dismiss-error' }),
    reportError: (message) => dispatch({ type: 'error', kind: 'page', message }),
    applyEditedReference: (mask) => {
      const current = stateRef.current.caseFiles;
      if (!current) return;
      try {
        applyCase(withEditedReference(current, mask, `${fileStem(current.isDemo ? 'demo' : current.title)}_reference_edited.nii.gz`));
      } catch (error) {
        dispatch({ type: 'error', kind: 'page', message: `The edited mask could not be used: ${(error as Error).message}` });
      }
    },
    download,
    simulateGpuFailure: (failure) => void clientRef.current?.post({ type: 'simulate-gpu-failure', failure }),
    workerMemory: async () => (clientRef.current ? clientRef.current.memory() : null),
  }), [loadFiles, applyCase, segment, cancel, applyThreshold, download]);

  // on first open the demo is segmented at once, so that its metrics are live (not on a software
  // GPU or the plain-JS backend, where it takes minutes: there the user presses Segment)
  const { backend, selectedModel, caseFiles, result, run } = state;
  useEffect(() => {
    const r = runRef.current;
    if (r.autoRunId !== 0 || backend.state !== 'ready' || !selectedModel || !caseFiles?.isDemo || result || run) return;
    if (backend.name === 'cpu' || isSoftwareAdapter(backend.adapter)) return;
    r.autoRunId = r.nextId;
    segment();
  }, [backend, selectedModel, caseFiles, result, run, segment]);

  // the selected model (the user's, or the case's default) loads in the worker ahead of Segment
  useEffect(() => {
    if (selectedModel) clientRef.current?.post({ type: 'load-model', model: modelRef(import.meta.env.BASE_URL, selectedModel) });
  }, [selectedModel]);

  const post = useCallback((request: WorkerRequest) => void clientRef.current?.post(request), []);
  const { tuning, tuningActions, onTuningEvent } = useTuning({ state, dispatch, post, segment, selectModel: actions.selectModel });
  tuningEvents.current = onTuningEvent;
  tuningBusy.current = ['starting', 'running', 'paused'].includes(tuning.finetune.phase);
  const autoRunning = run !== null && run.runId === runRef.current.autoRunId;
  return { state, actions, tuning, tuningActions, autoRunning, converting };
}
