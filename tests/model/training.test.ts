import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nonZeroIndices, type TrainingCase } from '../../src/core/patch-sampling.ts';
import { createRng } from '../../src/core/random.ts';
import type { Vec3 } from '../../src/core/types.ts';
import { Conv3dLayer } from '../../src/model/layers/conv3d-layer.ts';
import { trainLoop, type TrainLoopOptions } from '../../src/model/train-loop.ts';
import { makeTrainingBatch, type BatchOptions } from '../../src/model/training-batch.ts';
import { useBackend } from './tf-backend.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const DIMS: Vec3 = [12, 10, 9];
const PATCH: Vec3 = [6, 4, 5];
/** Channel 0 encodes the voxel position; positive everywhere (all brain). */
const code = (i: number, j: number, k: number) => 1 + i + 16 * j + 256 * k;
const decode = (x: number) => [(x - 1) % 16, Math.floor((x - 1) / 16) % 16, Math.floor((x - 1) / 256)];

function positionCase(label: (i: number, j: number, k: number) => number): TrainingCase {
  const n = DIMS[0] * DIMS[1] * DIMS[2];
  const ch0 = new Float32Array(n);
  const lab = new Float32Array(n);
  for (let k = 0; k < DIMS[2]; k++) for (let j = 0; j < DIMS[1]; j++) for (let i = 0; i < DIMS[0]; i++) {
    const v = i + DIMS[0] * (j + DIMS[1] * k);
    ch0[v] = code(i, j, k);
    lab[v] = label(i, j, k);
  }
  return {
    name: 'positions', dims: DIMS, channels: [ch0, Float32Array.from(ch0, (x) => -x)], label: lab,
    brainVoxels: nonZeroIndices(ch0), lesionVoxels: nonZeroIndices(lab),
  };
}

const BASE: BatchOptions = {
  batchSize: 16, patchSize: PATCH, lesionFraction: 0.5, maxShiftVox: 2, flip: true, jitter: null, modalityDropout: 0, strong: null, thickSlices: null,
};

describe('makeTrainingBatch', () => {
  it('cuts boxes inside the volume, flips x and y together, and keeps channels and label aligned', () => {
    const labelOf = (i: number, j: number, k: number) => ((i + 2 * j + 3 * k) % 5 === 0 ? 1 : 0);
    const c = positionCase(labelOf);
    const { x, y } = makeTrainingBatch([c], BASE, createRng(3));
    expect(x.shape).toEqual([16, 5, 4, 6, 2]); // [B, k, j, i, C]
    expect(y.shape).toEqual([16, 5, 4, 6, 1]);
    const xs = x.arraySync();
    const ys = y.arraySync();
    tf.dispose([x, y]);
    let flipped = 0;
    for (let b = 0; b < 16; b++) {
      const [i0, j0, k0] = decode(xs[b][0][0][0][0]);
      const [iLast] = decode(xs[b][0][0][5][0]);
      const flip = iLast < i0;
      if (flip) flipped++;
      const start = [flip ? iLast : i0, j0, k0];
      start.forEach((s, axis) => {
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s + PATCH[axis]).toBeLessThanOrEqual(DIMS[axis]);
      });
      for (let kk = 0; kk < 5; kk++) for (let jj = 0; jj < 4; jj++) for (let ii = 0; ii < 6; ii++) {
        const i = flip ? start[0] + 5 - ii : start[0] + ii;
        const [j, k] = [start[1] + jj, start[2] + kk];
        expect(xs[b][kk][jj][ii][0]).toBe(code(i, j, k));
        expect(xs[b][kk][jj][ii][1]).toBe(-code(i, j, k));
        expect(ys[b][kk][jj][ii][0]).toBe(labelOf(i, j, k));
      }
    }
    expect(flipped).toBeGreaterThan(0);
    expect(flipped).toBeLessThan(16);
  });

  it('with lesionFraction 1 every patch holds the (single) lesion voxel', () => {
    const c = positionCase((i, j, k) => (i === 10 && j === 1 && k === 7 ? 1 : 0));
    const { x, y } = makeTrainingBatch([c], { ...BASE, lesionFraction: 1 }, createRng(4));
    const sums = tf.tidy(() => tf.sum(y, [1, 2, 3, 4]).dataSync());
    tf.dispose([x, y]);
    expect(Array.from(sums)).toEqual(new Array(16).fill(1));
  });

  it('modality dropout 1 blanks every channel but FLAIR; jitter leaves voxels outside the brain at 0', () => {
    const c = positionCase(() => 0);
    // A hole of zeros (outside the brain) in channel 0, where the jitter must not add noise.
    c.channels[0].fill(0, 0, 400);
    const { x, y } = makeTrainingBatch([c], { ...BASE, modalityDropout: 1, jitter: { scaleSd: 0.1, shiftSd: 0.1, noiseSd: 0.05 } }, createRng(5));
    const [flair, other] = tf.tidy(() => tf.split(x, 2, 4).map((t) => t.dataSync()));
    tf.dispose([x, y]);
    expect(other.every((v) => v === 0)).toBe(true);
    expect(flair.some((v) => v !== 0)).toBe(true);
    expect(flair.some((v) => v === 0)).toBe(true); // some patches reach into the hole, which stays 0
  });

  it('strong augmentation rotates and scales channels and label together, and the label stays binary', () => {
    // channel 0 = i + 1 is linear, so after trilinear resampling it still tells the source i exactly
    // wherever channel 1 (all ones) shows that no zero from outside the volume was mixed in
    const n = DIMS[0] * DIMS[1] * DIMS[2];
    const ch0 = Float32Array.from({ length: n }, (_, v) => 1 + (v % DIMS[0]));
    const lab = Float32Array.from(ch0, (x) => (x - 1 >= 6 ? 1 : 0));
    const c: TrainingCase = { name: 'half', dims: DIMS, channels: [ch0, new Float32Array(n).fill(1)], label: lab, brainVoxels: nonZeroIndices(ch0), lesionVoxels: nonZeroIndices(lab) };
    const strong = { affine: { probability: 1, maxRotationDeg: 20, scaleRange: [0.8, 1.2] as const }, gammaProbability: 0, gammaRange: [1, 1] as const, blurProbability: 0, blurSigmaVox: [1, 1] as const };
    const { x, y } = makeTrainingBatch([c], { ...BASE, strong }, createRng(9));
    const xs = x.dataSync();
    const ys = y.dataSync();
    tf.dispose([x, y]);
    let checked = 0;
    let notAxisAligned = 0;
    for (let v = 0; v < ys.length; v++) {
      expect(ys[v] === 0 || ys[v] === 1).toBe(true);
      // the label, interpolated between i = 5 and 6 and cut at 0.5, is 1 exactly where the source i >= 5.5
      const i = xs[2 * v] - 1;
      if (Math.abs(xs[2 * v + 1] - 1) < 1e-6) {
        checked++;
        expect(ys[v]).toBe(i >= 5.5 ? 1 : 0);
        if (Math.abs(i - Math.round(i)) > 0.01) notAxisAligned++;
      }
    }
    expect(checked).toBeGreaterThan(ys.length / 4);
    expect(notAxisAligned).toBeGreaterThan(0); // the patches were really resampled
  });

  it('thick slices blur FLAIR along one axis, leave the other channel when told to, and never touch the label', () => {
    const labelOf = (i: number, j: number, k: number) => ((i + 2 * j + 3 * k) % 5 === 0 ? 1 : 0);
    const c = positionCase(labelOf);
    const thickSlices = { probability: 1, thickness: [2, 3] as const, otherChannelProbability: 0 };
    const { x, y } = makeTrainingBatch([c], { ...BASE, flip: false, thickSlices }, createRng(11));
    const xs = x.arraySync();
    const ys = y.arraySync();
    tf.dispose([x, y]);
    let blurred = 0;
    for (let b = 0; b < 16; b++) {
      const [i0, j0, k0] = decode(-xs[b][0][0][0][1]);
      let changed = false;
      for (let kk = 0; kk < 5; kk++) for (let jj = 0; jj < 4; jj++) for (let ii = 0; ii < 6; ii++) {
        const [i, j, k] = [i0 + ii, j0 + jj, k0 + kk];
        expect(xs[b][kk][jj][ii][1]).toBe(-code(i, j, k));
        expect(ys[b][kk][jj][ii][0]).toBe(labelOf(i, j, k));
        if (Math.abs(xs[b][kk][jj][ii][0] - code(i, j, k)) > 1e-3) changed = true;
      }
      if (changed) blurred++;
    }
    // a linear code survives between whole slices; the clamped ends of the patch show the slices
    expect(blurred).toBeGreaterThan(8);
  });
});

/** p = sigmoid(w x + b): the smallest trainable model. */
function pointwiseModel(): tf.LayersModel {
  const input = tf.input({ shape: [null, null, null, 1] });
  const conv = new Conv3dLayer({ filters: 1, kernelSize: 1 });
  const out = tf.layers.activation({ activation: 'sigmoid' }).apply(conv.apply(input)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  conv.setWeights([tf.zeros([1, 1, 1, 1, 1]), tf.zeros([1])]);
  return model;
}

function batch(): { x: tf.Tensor5D; y: tf.Tensor5D } {
  return tf.tidy(() => {
    const x = tf.tensor5d([-2, -1, 1, 2, -3, 3, -0.5, 0.5], [1, 2, 2, 2, 1]);
    return { x, y: tf.cast(tf.greater(x, 0), 'float32') as tf.Tensor5D };
  });
}

function loopOptions(overrides: Partial<TrainLoopOptions>): TrainLoopOptions {
  return {
    steps: 5, startStep: 0, learningRate: 0.1, finalLearningRateFraction: 0.1, loss: 'fbeta', beta: 1.5,
    checkpointEvery: 2, nextBatch: batch, ...overrides,
  };
}

describe('trainLoop', () => {
  it('steps, decays the learning rate linearly, checkpoints every N steps and at the end', async () => {
    const model = pointwiseModel();
    const optimizer = tf.train.adam(1);
    const rates: number[] = [];
    const steps: number[] = [];
    const losses: number[] = [];
    const checkpoints: number[] = [];
    const done = await trainLoop(model, optimizer, loopOptions({
      nextBatch: () => (rates.push((optimizer as unknown as { learningRate: number }).learningRate), batch()),
      onStep: (step, loss) => void (steps.push(step), losses.push(loss)),
      onCheckpoint: async (step) => void checkpoints.push(step),
    }));
    expect(done).toBe(5);
    expect(steps).toEqual([1, 2, 3, 4, 5]);
    expect(checkpoints).toEqual([2, 4, 5]);
    // lr * (1 - 0.9 * step / 5) for step 0..4
    [0.1, 0.082, 0.064, 0.046, 0.028].forEach((r, n) => expect(rates[n]).toBeCloseTo(r, 10));
    // First step from w = b = 0: p = 0.5 everywhere; 4 of 8 voxels lesion:
    // TP = 2, FP = 2, FN = 2 -> F1.5 = 3.25*2 / (3.25*2 + 2.25*2 + 2) = 6.5 / 13 = 0.5.
    expect(losses[0]).toBeCloseTo(0.5, 4);
    expect(losses[4]).toBeLessThan(losses[0]);
    model.dispose();
    optimizer.dispose();
  });

  it('resumes from startStep, stops when asked, and keeps tf.memory() flat', async () => {
    const model = pointwiseModel();
    const optimizer = tf.train.adam(0.1);
    await trainLoop(model, optimizer, loopOptions({ steps: 1 })); // creates Adam's slots
    const before = tf.memory().numTensors;
    const steps: number[] = [];
    expect(await trainLoop(model, optimizer, loopOptions({ startStep: 3, onStep: (s) => void steps.push(s) }))).toBe(5);
    expect(steps).toEqual([4, 5]);
    let calls = 0;
    expect(await trainLoop(model, optimizer, loopOptions({ nextBatch: () => (calls++, batch()), shouldStop: () => calls >= 2 }))).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    optimizer.dispose();
  });

  it('throws when the loss is not finite', async () => {
    const model = pointwiseModel();
    const optimizer = tf.train.adam(0.1);
    const nanBatch = () => tf.tidy(() => ({ x: tf.fill([1, 2, 2, 2, 1], NaN) as tf.Tensor5D, y: tf.ones([1, 2, 2, 2, 1]) as tf.Tensor5D }));
    await expect(trainLoop(model, optimizer, loopOptions({ nextBatch: nanBatch }))).rejects.toThrow(/diverged at step 1: loss is NaN/);
    model.dispose();
    optimizer.dispose();
  });
});
