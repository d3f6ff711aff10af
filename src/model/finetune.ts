/**
 * Fine-tuning a trained model on one scan and its reference mask (the browser's "fine-tune" button):
 * the engine's balanced patch sampling and batches (training-batch.ts) and its training loop
 * (train-loop.ts) with the asymmetric F-beta loss, plus precision and recall on a few held-out
 * patches. Resumable: a session keeps its optimizer (Adam moments) and step between runs.
 */
import * as tf from '@tensorflow/tfjs';
import { confusionCounts, voxelMetrics } from '../core/metrics.ts';
import { extractPatch } from '../core/patch-grid.ts';
import { nonZeroIndices, samplePatchBox, type TrainingCase } from '../core/patch-sampling.ts';
import { createRng, type Rng } from '../core/random.ts';
import type { PatchBox, Vec3 } from '../core/types.ts';
import { batchTensor } from './patch-tensor.ts';
import { trainLoop } from './train-loop.ts';
import { makeTrainingBatch, type BatchOptions } from './training-batch.ts';

/** The scan to fine-tune on: normalised channels in the model's order, its label and brain. */
export interface FinetuneData {
  channels: Float32Array[];
  /** Reference lesion mask (> 0 is lesion). */
  label: ArrayLike<number>;
  brain: Uint8Array;
  dims: Vec3;
}

export interface FinetuneOptions {
  /** Beta of the asymmetric loss 1 - F_beta (beta > 1 favours recall). */
  beta: number;
  /** Total steps of the session (a resumed run continues up to it). */
  steps: number;
  learningRate: number;
  /** Patches per step (1-2 on a software GPU). */
  batchSize: number;
  /** Patch edge, the model's own (instance-norm statistics). */
  patchSize: number;
  /** Held-out precision/recall every this many steps (and after the last). */
  evalEvery: number;
  heldOutPatches: number;
  seed: number;
}

/** Precision, recall and Dice at threshold 0.5 over the held-out patches. */
export interface HeldOutScores {
  precision: number;
  recall: number;
  dice: number;
}

/** A resumable fine-tuning run: its data, held-out boxes, optimizer and progress. */
export interface FinetuneSession {
  options: FinetuneOptions;
  data: FinetuneData;
  trainCase: TrainingCase;
  heldOut: PatchBox[];
  optimizer: tf.AdamOptimizer;
  rng: Rng;
  /** Steps done so far. */
  step: number;
}

/**
 * Sets up a session: held-out patch boxes drawn first (balanced, as for training), then the
 * training pools without the voxels of those boxes, so no training patch is centred inside a
 * held-out patch (training patches may still overlap them by up to half a patch).
 */
export function createFinetuneSession(data: FinetuneData, options: FinetuneOptions): FinetuneSession {
  const { dims } = data;
  const size: Vec3 = [options.patchSize, options.patchSize, options.patchSize];
  const label = Float32Array.from(data.label, (v) => (v > 0 ? 1 : 0));
  const full: TrainingCase = {
    name: 'fine-tune', dims, channels: data.channels, label,
    brainVoxels: nonZeroIndices(data.brain), lesionVoxels: nonZeroIndices(label),
  };
  if (full.lesionVoxels.length === 0) throw new Error('the reference mask has no lesion voxel: nothing to fine-tune towards');
  const rng = createRng(options.seed);
  const sampling = { patchSize: size, lesionFraction: 0.5, maxShiftVox: Math.floor((3 * options.patchSize) / 8) };
  const heldOut = Array.from({ length: options.heldOutPatches }, (_, n) => samplePatchBox(full, { ...sampling, lesionFraction: n % 2 === 0 ? 1 : 0 }, rng));
  const inHeldOut = new Uint8Array(label.length);
  for (const box of heldOut) markBox(inHeldOut, dims, box);
  const keep = (pool: Uint32Array) => pool.filter((v) => !inHeldOut[v]);
  const trainCase = { ...full, brainVoxels: keep(full.brainVoxels), lesionVoxels: keep(full.lesionVoxels) };
  if (trainCase.brainVoxels.length === 0) throw new Error('the scan is too small to hold out patches for validation');
  return { options, data, trainCase, heldOut, optimizer: tf.train.adam(options.learningRate), rng, step: 0 };
}

/** Hooks of `runFinetune`: called after each step and each held-out evaluation; `shouldStop` pauses. */
export interface FinetuneHooks {
  onStep: (step: number, loss: number, ms: number) => Promise<void> | void;
  onEval: (step: number, scores: HeldOutScores) => Promise<void> | void;
  shouldStop: () => boolean;
}

/** Trains `model` in place from the session's step up to options.steps or until `shouldStop`; returns the step reached. */
export async function runFinetune(model: tf.LayersModel, session: FinetuneSession, hooks: FinetuneHooks): Promise<number> {
  const { options } = session;
  const batch: BatchOptions = {
    batchSize: options.batchSize, patchSize: [options.patchSize, options.patchSize, options.patchSize],
    lesionFraction: 0.5, maxShiftVox: Math.floor((3 * options.patchSize) / 8), flip: true, jitter: null, modalityDropout: 0, strong: null, thickSlices: null,
  };
  session.step = await trainLoop(model, session.optimizer, {
    steps: options.steps, startStep: session.step, learningRate: options.learningRate, finalLearningRateFraction: 1,
    loss: 'fbeta', beta: options.beta, checkpointEvery: options.steps,
    nextBatch: () => makeTrainingBatch([session.trainCase], batch, session.rng),
    onStep: async (step, loss, ms) => {
      session.step = step;
      await hooks.onStep(step, loss, ms);
      if (step % options.evalEvery === 0 || step === options.steps) await hooks.onEval(step, await heldOutScores(model, session));
    },
    shouldStop: hooks.shouldStop,
  });
  return session.step;
}

/** Precision, recall and Dice of the model at threshold 0.5 over the session's held-out patches. */
export async function heldOutScores(model: tf.LayersModel, session: FinetuneSession): Promise<HeldOutScores> {
  const { channels, dims } = session.data;
  const counts = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const box of session.heldOut) {
    const x = batchTensor(channels, dims, [box]);
    const y = model.predict(x) as tf.Tensor;
    try {
      const prob = await y.data();
      const c = confusionCounts(Float32Array.from(prob, (p) => (p >= 0.5 ? 1 : 0)), extractPatch(session.trainCase.label, dims, box));
      counts.tp += c.tp;
      counts.fp += c.fp;
      counts.fn += c.fn;
      counts.tn += c.tn;
    } finally {
      tf.dispose([x, y]);
    }
  }
  const m = voxelMetrics(counts, 1);
  return { precision: m.precision, recall: m.recall, dice: m.dice };
}

/** Frees the session's optimizer state (Adam moments); the model is the caller's. */
export function disposeFinetuneSession(session: FinetuneSession): void {
  session.optimizer.dispose();
}

function markBox(mask: Uint8Array, dims: Vec3, box: PatchBox): void {
  const [nx, ny] = dims;
  const [i0, j0, k0] = box.start;
  for (let k = k0; k < k0 + box.size[2]; k++) {
    for (let j = j0; j < j0 + box.size[1]; j++) mask.fill(1, i0 + nx * (j + ny * k), i0 + box.size[0] + nx * (j + ny * k));
  }
}
