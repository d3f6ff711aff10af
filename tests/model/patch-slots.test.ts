import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PatchBox, Vec3 } from '../../src/core/types.ts';
import { Conv3dLayer } from '../../src/model/layers/conv3d-layer.ts';
import { slotPredictor } from '../../src/model/patch-slots.ts';
import { DEFAULT_SEGMENT_OPTIONS, localSlot, type PatchSlot, segmentVolume } from '../../src/model/segment-volume.ts';
import { seededValues, useBackend } from './tf-backend.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

/** A 3x3x3 conv + sigmoid with seeded weights: each patch's border differs from its neighbours'. */
function convModel(): tf.LayersModel {
  const input = tf.input({ shape: [null, null, null, 1] });
  const conv = new Conv3dLayer({ filters: 1, kernelSize: 3 });
  const prob = tf.layers.activation({ activation: 'sigmoid' }).apply(conv.apply(input)) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: prob });
  conv.setWeights([tf.tensor5d(seededValues(27, 7, -0.5, 0.5), [3, 3, 3, 1, 1]), tf.tensor1d([0.1])]);
  return model;
}

const dims: Vec3 = [40, 36, 30];
const brain = new Uint8Array(dims[0] * dims[1] * dims[2]).fill(1);
const flair = seededValues(brain.length, 3, -3, 3);
const options = { ...DEFAULT_SEGMENT_OPTIONS, patchSize: 16, batchSize: 2, mirror: 'on' as const };

/**
 * A helper worker stand-in: its own slot over the same model, answering after a delay (as a message
 * from another thread would), counting its batches and checking it never holds two at once.
 */
function helper(model: tf.LayersModel, failOn: { start?: boolean; batch?: number } = {}) {
  const inner = localSlot(model);
  const stats = { batches: 0, concurrent: 0, maxConcurrent: 0 };
  const slot: PatchSlot = {
    start: async (channels, d) => {
      if (failOn.start) throw new Error('helper did not start');
      await inner.start(channels, d);
    },
    predict: async (boxes: readonly PatchBox[], flipped: boolean) => {
      stats.concurrent++;
      stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.concurrent);
      try {
        await new Promise((r) => setTimeout(r, 2));
        stats.batches++;
        if (stats.batches === failOn.batch) throw new Error('helper crashed');
        return await inner.predict(boxes, flipped);
      } finally {
        stats.concurrent--;
      }
    },
  };
  return { slot, stats };
}

describe('slotPredictor', () => {
  let model: tf.LayersModel;
  let reference: Float32Array;
  let batches = 0;

  beforeAll(async () => {
    model = convModel();
    reference = (await segmentVolume(model, [flair], dims, brain, options)).probability;
    const grid = await segmentVolume(model, [flair], dims, brain, { ...options, mirror: 'off' });
    batches = 2 * Math.ceil(grid.timings.patches / options.batchSize);
  });

  it('gives the one-thread map exactly, with every slot used and one batch per slot at a time', async () => {
    const a = helper(model);
    const b = helper(model);
    const predictor = slotPredictor([a.slot, b.slot, localSlot(model)]);
    expect(predictor.parallel).toBe(3);
    const { probability } = await segmentVolume(model, [flair], dims, brain, { ...options, predictor });
    expect(probability).toEqual(reference);
    expect(a.stats.batches).toBeGreaterThan(0);
    expect(b.stats.batches).toBeGreaterThan(0);
    expect(a.stats.maxConcurrent).toBe(1);
    expect(b.stats.maxConcurrent).toBe(1);
    expect(a.stats.batches + b.stats.batches).toBeLessThan(batches);
  });

  it('retires a helper whose batch fails and runs that batch elsewhere', async () => {
    const a = helper(model, { batch: 2 });
    const predictor = slotPredictor([a.slot, localSlot(model)]);
    const { probability } = await segmentVolume(model, [flair], dims, brain, { ...options, predictor });
    expect(probability).toEqual(reference);
    expect(a.stats.batches).toBe(2);
    expect(predictor.parallel).toBe(1);
  });

  it('retires a helper that cannot start: every batch runs on the last slot', async () => {
    const a = helper(model, { start: true });
    const predictor = slotPredictor([a.slot, localSlot(model)]);
    const { probability } = await segmentVolume(model, [flair], dims, brain, { ...options, predictor });
    expect(probability).toEqual(reference);
    expect(a.stats.batches).toBe(0);
  });

  it("makes the last slot's failure the run's error", async () => {
    const last = helper(model, { batch: 1 });
    const predictor = slotPredictor([helper(model).slot, last.slot]);
    await expect(segmentVolume(model, [flair], dims, brain, { ...options, predictor })).rejects.toThrow('helper crashed');
    expect(() => slotPredictor([])).toThrow(/at least one slot/);
  });
});

describe('segmentVolume timings with a predictor that computes in this thread', () => {
  it('counts the compute as model time, not as fusion, wherever it runs between awaits', async () => {
    const model = convModel();
    const busyMs = 15;
    const inner = localSlot(model);
    // the slot computes after an await, as the pool's own slot does: outside the awaited promise's wait
    const slot: PatchSlot = {
      start: (c, d) => inner.start(c, d),
      predict: async (boxes, flipped) => {
        await Promise.resolve();
        const until = performance.now() + busyMs;
        while (performance.now() < until) { /* the network's compute stand-in */ }
        return inner.predict(boxes, flipped);
      },
    };
    // progress yields to the event loop, as the app's worker does: the compute may run right there
    const onProgress = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
    const { timings } = await segmentVolume(model, [flair], dims, brain, { ...options, mirror: 'off', onProgress, predictor: slotPredictor([slot]) });
    const batchCount = Math.ceil(timings.patches / options.batchSize);
    expect(timings.modelMs).toBeGreaterThanOrEqual(busyMs * batchCount);
    expect(timings.otherMs).toBeLessThan((busyMs * batchCount) / 2);
  });
});
