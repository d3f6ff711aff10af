import * as tf from '@tensorflow/tfjs';
import type { LossName } from './losses.ts';
import { lossFunction } from './losses.ts';

export interface TrainLoopOptions {
  steps: number;
  /** Step to start from when resuming (the learning-rate schedule continues from there). */
  startStep: number;
  learningRate: number;
  /** Linear decay to this fraction of the learning rate over the run. */
  finalLearningRateFraction: number;
  loss: LossName;
  beta: number;
  /** Draws one batch; called once per step, its tensors are disposed after the step. */
  nextBatch: () => { x: tf.Tensor5D; y: tf.Tensor5D };
  onStep?: (step: number, loss: number, ms: number) => void | Promise<void>;
  /** Called every `checkpointEvery` steps and at the end. */
  onCheckpoint?: (step: number) => Promise<void>;
  checkpointEvery: number;
  shouldStop?: () => boolean;
  /** Fraction (0-1) of a time budget used: the schedule follows whichever of steps and time is further. */
  budgetUsed?: () => number;
}

/** Adam over the model's trainable weights with the chosen loss; returns the last step done. */
export async function trainLoop(model: tf.LayersModel, optimizer: tf.AdamOptimizer, options: TrainLoopOptions): Promise<number> {
  const lossOf = lossFunction(options.loss, options.beta);
  let step = options.startStep;
  while (step < options.steps && !(options.shouldStop?.() ?? false)) {
    const t0 = performance.now();
    setLearningRate(optimizer, scheduledRate(options, step));
    const { x, y } = options.nextBatch();
    const lossTensor = optimizer.minimize(() => lossOf(y, model.apply(x, { training: true }) as tf.Tensor), true);
    const loss = (await lossTensor!.data())[0];
    tf.dispose([x, y, lossTensor!]);
    if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step + 1}: loss is ${loss}`);
    step++;
    await options.onStep?.(step, loss, performance.now() - t0);
    if (options.onCheckpoint && (step % options.checkpointEvery === 0 || step === options.steps)) {
      await options.onCheckpoint(step);
    }
  }
  return step;
}

function scheduledRate(options: TrainLoopOptions, step: number): number {
  const progress = Math.min(Math.max(step / Math.max(options.steps, 1), options.budgetUsed?.() ?? 0), 1);
  return options.learningRate * (1 - (1 - options.finalLearningRateFraction) * progress);
}

/** tfjs's Adam reads its learningRate field at every update but exposes no setter. */
function setLearningRate(optimizer: tf.AdamOptimizer, rate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = rate;
}
