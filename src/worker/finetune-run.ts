/**
 * The worker's fine-tuning: one resumable session on the open case (src/model/finetune.ts), driven
 * by 'finetune-start' and 'finetune-control', posting steps, held-out scores and its phase. The
 * tuned weights become TUNED_MODEL in the model cache and are saved in IndexedDB at every pause,
 * stop and end.
 */
import type * as tf from '@tensorflow/tfjs';
import { maskToModelGrid } from '../core/model-grid.ts';
import { createFinetuneSession, disposeFinetuneSession, type FinetuneSession, runFinetune } from '../model/finetune.ts';
import type { ModelMeta } from '../model/model-meta.ts';
import { channelsFor, type PreparedCase } from './case-state.ts';
import { cacheModelAs, getModel } from './model-cache.ts';
import { type FinetunePhase, TUNED_MODEL, type WorkerEvent, type WorkerRequest } from './protocol.ts';
import { yieldToEvents } from './run-control.ts';
import { saveTunedModel } from './tuned-store.ts';

interface Active {
  session: FinetuneSession;
  model: tf.LayersModel;
  meta: ModelMeta;
  /** Set by pause/stop; read between steps. */
  request: 'pause' | 'stop' | null;
  running: boolean;
}

/** Patch edge for fine-tuning on a software GPU (a multiple of 16 fits every preset's poolings). */
const SOFTWARE_GPU_PATCH = 16;

/** Fine-tuning state of the worker: at most one session. */
export class FinetuneRunner {
  private active: Active | null = null;

  constructor(private readonly post: (event: WorkerEvent) => void) {}

  /** True while training steps are being run (segmenting must wait). */
  get busy(): boolean {
    return this.active?.running ?? false;
  }

  /**
   * Starts a new session on `prepared` (a running or paused one is stopped first). On a software GPU
   * it trains on single 16^3 patches: a step at 32^3 takes minutes on SwiftShader.
   */
  async start(request: Extract<WorkerRequest, { type: 'finetune-start' }>, prepared: PreparedCase | null, softwareGpu: boolean): Promise<void> {
    if (this.active) await this.finish('stopped');
    this.post({ type: 'finetune-state', phase: 'starting', step: 0, message: null });
    try {
      if (!prepared || prepared.caseKey !== request.caseKey) throw new Error('the scans of this case have not reached the worker; load them again');
      if (prepared.problem) throw new Error(prepared.problem);
      if (!prepared.truth) throw new Error('fine-tuning needs a reference lesion mask: load one (role "mask") or draw one');
      const { model, meta } = await getModel(request.model);
      const { channels } = channelsFor(prepared, meta.modalities);
      const { settings } = request;
      const session = createFinetuneSession(
        { channels, label: maskToModelGrid(prepared.truth.data, prepared.grid), brain: prepared.brain, dims: prepared.grid.dims },
        softwareGpu
          ? { ...settings, batchSize: 1, patchSize: SOFTWARE_GPU_PATCH, heldOutPatches: 2, seed: 1 }
          : { ...settings, patchSize: meta.patchSize, heldOutPatches: 2, seed: 1 },
      );
      const tunedMeta: ModelMeta = {
        ...meta, loss: 'fbeta', beta: settings.beta,
        trainedOn: [...meta.trainedOn, `fine-tuned in the browser from ${request.model.name} at beta ${settings.beta}`],
      };
      // from here on the cached weights are the tuned model's, not the shipped files'
      cacheModelAs(TUNED_MODEL, model, tunedMeta);
      this.active = { session, model, meta: tunedMeta, request: null, running: false };
      await this.resume();
    } catch (error) {
      this.post({ type: 'finetune-state', phase: 'failed', step: 0, message: (error as Error).message });
    }
  }

  /** pause / resume / stop, from the page's buttons. */
  async control(action: 'pause' | 'resume' | 'stop'): Promise<void> {
    const active = this.active;
    if (!active) return;
    if (action === 'resume') {
      if (!active.running) await this.resume();
      return;
    }
    if (active.running) active.request = action;
    else if (action === 'stop') await this.finish('stopped');
  }

  private async resume(): Promise<void> {
    const active = this.active!;
    const { session } = active;
    active.running = true;
    active.request = null;
    this.post({ type: 'finetune-state', phase: 'running', step: session.step, message: null });
    try {
      await runFinetune(active.model, session, {
        onStep: async (step, loss, ms) => {
          this.post({ type: 'finetune-step', step, steps: session.options.steps, loss, ms });
          await yieldToEvents();
        },
        onEval: (step, scores) => this.post({ type: 'finetune-eval', step, scores }),
        shouldStop: () => active.request !== null,
      });
    } catch (error) {
      active.running = false;
      await this.finish('failed', (error as Error).message);
      return;
    }
    active.running = false;
    if (active.request === 'pause') {
      await this.save(active);
      this.post({ type: 'finetune-state', phase: 'paused', step: session.step, message: null });
    } else {
      await this.finish(active.request === 'stop' ? 'stopped' : 'done');
    }
  }

  /** Ends the session: saves the tuned model, frees the optimizer, reports `phase`. */
  private async finish(phase: FinetunePhase, message: string | null = null): Promise<void> {
    const active = this.active;
    if (!active) return;
    this.active = null;
    const step = active.session.step;
    disposeFinetuneSession(active.session);
    if (step > 0) await this.save(active);
    this.post({ type: 'finetune-state', phase, step, message });
  }

  private async save(active: Active): Promise<void> {
    const meta: ModelMeta = { ...active.meta, steps: active.meta.steps + active.session.step };
    try {
      this.post({ type: 'tuned-status', saved: await saveTunedModel(active.model, meta) });
    } catch (error) {
      this.post({ type: 'log', line: `the tuned model could not be saved in this browser: ${(error as Error).message}` });
    }
  }
}
