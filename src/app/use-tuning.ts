/**
 * Beta tuning, model comparison and fine-tuning on the page: the tuning reducer, the worker events
 * that feed it, and the user's commands. Live metrics come from the worker's threshold sweep (O(1)
 * per slider move); the worker re-thresholds the mask, lesion table and exports once a move settles.
 */
import { type Dispatch, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { LesionFilterRule } from '../core/lesion-filter.ts';
import { bestOperatingPoint } from '../core/operating-point.ts';
import type { FinetuneSettings, WorkerEvent, WorkerRequest } from '../worker/protocol.ts';
import { TUNED_MODEL } from '../worker/protocol.ts';
import { scansOf } from './case-files.ts';
import { downloadBytes } from './export.ts';
import { modelRef } from './models.ts';
import { INITIAL_TUNING, type ModelSweep, type TuningState, tuningReducer } from './state/tuning-state.ts';
import type { WorkbenchAction, WorkbenchState } from './state/workbench-state.ts';

/** The worker re-thresholds once the sliders have been still this long. */
const SETTLE_MS = 150;

/** Fine-tuning defaults: one patch per step (the worker uses 16^3 patches on a software GPU). */
export const FINETUNE_DEFAULTS: Omit<FinetuneSettings, 'beta'> = { steps: 20, learningRate: 5e-4, batchSize: 1, evalEvery: 5 };

const TUNED_ENTRY = { name: TUNED_MODEL.name, title: 'Fine-tuned in this browser' };

export interface TuningActions {
  setBeta: (beta: number) => void;
  /** The lesion filter's minimums (null: the model's defaults): the page's numbers follow at once, the mask once the controls settle. */
  setLesionFilter: (rule: LesionFilterRule | null) => void;
  setThreshold: (threshold: number) => void;
  compareModels: () => void;
  startFinetune: (settings: Omit<FinetuneSettings, 'beta'>) => void;
  controlFinetune: (action: 'pause' | 'resume' | 'stop') => void;
  downloadTuned: () => void;
  importTuned: (files: File[]) => void;
  resetTuned: () => void;
}

interface Deps {
  state: WorkbenchState;
  dispatch: Dispatch<WorkbenchAction>;
  post: (request: WorkerRequest) => void;
  segment: () => void;
  selectModel: (name: string) => void;
}

/** The sweep of the shown result, when the worker has sent it. */
export function currentSweep(state: WorkbenchState, tuning: TuningState): ModelSweep | null {
  const result = state.result;
  const entry = result ? tuning.sweeps[result.modelName] : undefined;
  if (!result || !entry || entry.runId !== result.runId || tuning.scanId !== scansOf(state.caseFiles).flair?.id) return null;
  return entry;
}

export function useTuning({ state, dispatch, post, segment, selectModel }: Deps) {
  const [tuning, tuningDispatch] = useReducer(tuningReducer, INITIAL_TUNING);
  const ref = useRef({ state, tuning, settleTimer: 0 });
  ref.current.state = state;
  ref.current.tuning = tuning;

  /** Moves the threshold now on the page; the worker follows once the slider settles. */
  const previewThreshold = useCallback((threshold: number, fromReference: boolean) => {
    // the sweep's edges lie in (0, 1); only "predict nothing" (Infinity) needs bringing into range
    const t = Math.min(Math.max(threshold, Number.MIN_VALUE), 1 - 2 ** -40);
    dispatch({ type: 'settings', settings: { threshold: t }, fromReference });
    window.clearTimeout(ref.current.settleTimer);
    ref.current.settleTimer = window.setTimeout(() => {
      const result = ref.current.state.result;
      if (result) post({ type: 'threshold', runId: result.runId, threshold: t, lesionFilter: ref.current.state.settings.lesionFilter });
    }, SETTLE_MS);
  }, [dispatch, post]);

  const onTuningEvent = useCallback((event: Extract<WorkerEvent, { type: 'sweep' | `finetune-${string}` | `tuned-${string}` }>) => {
    switch (event.type) {
      case 'sweep': {
        // the result itself may not have reached the page state yet: the event names its model
        const scanId = scansOf(ref.current.state.caseFiles).flair?.id;
        if (!scanId) return;
        tuningDispatch({ type: 'sweep', scanId, entry: { modelName: event.modelName, runId: event.runId, sweep: event.sweep } });
        if (!ref.current.tuning.manual) previewThreshold(bestOperatingPoint(event.sweep, ref.current.tuning.beta).threshold, true);
        return;
      }
      case 'finetune-state':
        tuningDispatch({ type: 'finetune-state', phase: event.phase, step: event.step, message: event.message });
        return;
      case 'finetune-step':
        tuningDispatch({ type: 'finetune-step', step: event.step, steps: event.steps, loss: event.loss });
        return;
      case 'finetune-eval':
        tuningDispatch({ type: 'finetune-eval', step: event.step, scores: event.scores });
        return;
      case 'tuned-status':
        tuningDispatch({ type: 'tuned-status', saved: event.saved });
        return;
      case 'tuned-files':
        downloadBytes(new TextEncoder().encode(event.modelJson), 'model.json', 'application/json');
        downloadBytes(new Uint8Array(event.weights), 'tuned.weights.bin', 'application/octet-stream');
        return;
    }
  }, [previewThreshold]);

  // the tuned model is a choice in the model list while one exists
  const hasTuned = tuning.saved !== null || ['starting', 'running', 'paused'].includes(tuning.finetune.phase);
  useEffect(() => {
    const listed = state.models.some((m) => m.name === TUNED_ENTRY.name);
    if (state.models.length === 0 || listed === hasTuned) return;
    const models = hasTuned ? [...state.models, TUNED_ENTRY] : state.models.filter((m) => m.name !== TUNED_ENTRY.name);
    dispatch({ type: 'models-loaded', models, defaults: null });
  }, [state.models, hasTuned, dispatch]);

  // a comparison runs the queued models one after another: select the next one, and segment once
  // the rendered page state holds that selection (segment reads it; a microtask would still see the
  // previous model and run it again)
  const [comparing, setComparing] = useState<string | null>(null);
  useEffect(() => {
    const [next, ...rest] = tuning.compareQueue;
    if (next === undefined || comparing !== null || state.run || !state.result || tuning.sweeps[state.result.modelName]?.runId !== state.result.runId) return;
    tuningDispatch({ type: 'compare', queue: rest });
    selectModel(next);
    setComparing(next);
  }, [tuning.compareQueue, tuning.sweeps, comparing, state.run, state.result, selectModel]);
  useEffect(() => {
    if (comparing === null || state.selectedModel !== comparing || state.run) return;
    setComparing(null);
    segment();
  }, [comparing, state.selectedModel, state.run, segment]);

  const actions = useMemo<TuningActions>(() => ({
    setBeta: (beta) => {
      tuningDispatch({ type: 'beta', beta });
      const entry = currentSweep(ref.current.state, { ...ref.current.tuning, beta });
      if (entry) previewThreshold(bestOperatingPoint(entry.sweep, beta).threshold, true);
    },
    setLesionFilter: (rule) => {
      dispatch({ type: 'settings', settings: { lesionFilter: rule } });
      window.clearTimeout(ref.current.settleTimer);
      ref.current.settleTimer = window.setTimeout(() => {
        const { result, settings } = ref.current.state;
        if (result) post({ type: 'threshold', runId: result.runId, threshold: settings.threshold, lesionFilter: rule });
      }, SETTLE_MS);
    },
    setThreshold: (threshold) => {
      tuningDispatch({ type: 'manual', manual: true });
      previewThreshold(threshold, false);
    },
    compareModels: () => {
      const { models, result } = ref.current.state;
      const done = new Set(Object.keys(ref.current.tuning.sweeps));
      const queue = models.map((m) => m.name).filter((name) => !done.has(name) && name !== result?.modelName);
      tuningDispatch({ type: 'compare', queue });
      if (!result) segment();
    },
    startFinetune: (settings) => {
      const { caseFiles, selectedModel } = ref.current.state;
      if (!caseFiles || !selectedModel) return;
      post({
        type: 'finetune-start', caseKey: caseFiles.key, model: modelRef(import.meta.env.BASE_URL, selectedModel),
        settings: { ...settings, beta: ref.current.tuning.beta },
      });
      dispatch({ type: 'select-model', name: TUNED_MODEL.name });
    },
    controlFinetune: (action) => post({ type: 'finetune-control', action }),
    downloadTuned: () => post({ type: 'tuned-model', action: 'export' }),
    importTuned: (files) => post({ type: 'tuned-import', files }),
    resetTuned: () => {
      post({ type: 'tuned-model', action: 'reset' });
      // back to the case's default model
      dispatch({ type: 'default-model' });
    },
  }), [previewThreshold, post, dispatch, segment, selectModel]);

  return { tuning, tuningActions: actions, onTuningEvent };
}
