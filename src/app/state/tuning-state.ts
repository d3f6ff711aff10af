/**
 * The page's state for beta tuning and fine-tuning, and its pure reducer: the beta slider, a manual
 * threshold override, the threshold sweep of each model run on the open scan (for live metrics and
 * side-by-side PR curves), and the fine-tuning run (loss curve, held-out scores, saved model).
 */
import type { ThresholdSweep } from '../../core/threshold-sweep.ts';
import type { HeldOutScores } from '../../model/finetune.ts';
import type { FinetunePhase, SavedTunedModel } from '../../worker/protocol.ts';

/** One model's sweep on the open scan. */
export interface ModelSweep {
  modelName: string;
  runId: number;
  sweep: ThresholdSweep;
}

export interface FinetuneView {
  /** Runs started on this page (1 for the first). */
  run: number;
  phase: FinetunePhase | 'idle';
  step: number;
  steps: number;
  /** Loss per step, index step - 1. */
  losses: number[];
  evals: { step: number; scores: HeldOutScores }[];
  message: string | null;
}

export interface TuningState {
  beta: number;
  /** True after the threshold slider moved: beta no longer picks the threshold. */
  manual: boolean;
  /** Sweeps of the models run on the scan `scanId` (the FLAIR's file id), by model name. */
  scanId: string | null;
  sweeps: Record<string, ModelSweep>;
  /** Models still to run for a comparison, in order. */
  compareQueue: string[];
  finetune: FinetuneView;
  saved: SavedTunedModel | null;
}

export const INITIAL_FINETUNE: FinetuneView = { run: 0, phase: 'idle', step: 0, steps: 0, losses: [], evals: [], message: null };

export const INITIAL_TUNING: TuningState = {
  beta: 1.5, manual: false, scanId: null, sweeps: {}, compareQueue: [], finetune: INITIAL_FINETUNE, saved: null,
};

export type TuningAction =
  | { type: 'beta'; beta: number }
  | { type: 'manual'; manual: boolean }
  | { type: 'sweep'; scanId: string; entry: ModelSweep }
  | { type: 'compare'; queue: string[] }
  | { type: 'finetune-state'; phase: FinetunePhase; step: number; message: string | null }
  | { type: 'finetune-step'; step: number; steps: number; loss: number }
  | { type: 'finetune-eval'; step: number; scores: HeldOutScores }
  | { type: 'tuned-status'; saved: SavedTunedModel | null };

export function tuningReducer(state: TuningState, action: TuningAction): TuningState {
  switch (action.type) {
    case 'beta':
      return { ...state, beta: action.beta, manual: false };
    case 'manual':
      return { ...state, manual: action.manual };
    case 'sweep': {
      const sweeps = state.scanId === action.scanId ? state.sweeps : {};
      return { ...state, scanId: action.scanId, sweeps: { ...sweeps, [action.entry.modelName]: action.entry } };
    }
    case 'compare':
      return { ...state, compareQueue: action.queue };
    case 'finetune-state': {
      const fresh = action.phase === 'starting';
      const base = fresh ? { ...INITIAL_FINETUNE, run: state.finetune.run + 1 } : state.finetune;
      return { ...state, finetune: { ...base, phase: action.phase, step: action.step, message: action.message } };
    }
    case 'finetune-step': {
      const losses = state.finetune.losses.slice(0, action.step - 1);
      losses[action.step - 1] = action.loss;
      return { ...state, finetune: { ...state.finetune, step: action.step, steps: action.steps, losses } };
    }
    case 'finetune-eval':
      return { ...state, finetune: { ...state.finetune, evals: [...state.finetune.evals, { step: action.step, scores: action.scores }] } };
    case 'tuned-status':
      return { ...state, saved: action.saved };
  }
}
