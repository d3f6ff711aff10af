import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { averageWeightsInto } from '../../src/model/average-weights.ts';
import { buildFcDenseNet } from '../../src/model/fc-densenet.ts';
import type { DenseNetPreset } from '../../src/model/presets.ts';
import { seededValues, useBackend } from './tf-backend.ts';

const TINY: DenseNetPreset = {
  name: 'light', description: 'test: 1 pooling, blocks 1 | 1, growth 4',
  firstFilters: 8, blocksDown: [1], bottleneck: 1, growth: 4, patchSize: 8,
};

beforeAll(async () => {
  await useBackend('wasm');
});

/** A tiny network whose every weight is filled with seeded values. */
function seededModel(seed: number, inputChannels = 2): tf.LayersModel {
  const model = buildFcDenseNet(TINY, inputChannels);
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(seededValues(w.size, seed * 1000 + i), w.shape)));
  return model;
}

describe('checkpoint weight averaging', () => {
  it('gives every weight the mean of the checkpoints, element by element', async () => {
    const checkpoints = [seededModel(1), seededModel(2), seededModel(3)];
    const values = await Promise.all(checkpoints.map((m) => Promise.all(m.getWeights().map((w) => w.data()))));
    const target = seededModel(4);
    averageWeightsInto(target, checkpoints);
    const averaged = await Promise.all(target.getWeights().map((w) => w.data()));
    expect(averaged.length).toBe(values[0].length);
    averaged.forEach((w, i) => {
      for (let e = 0; e < w.length; e += 7) expect(w[e]).toBeCloseTo((values[0][i][e] + values[1][i][e] + values[2][i][e]) / 3, 6);
    });
  });

  it('averaging a model with itself leaves it unchanged, and the target may be a checkpoint', async () => {
    const model = seededModel(5);
    const before = await Promise.all(model.getWeights().map((w) => w.data()));
    averageWeightsInto(model, [model, model]);
    const after = await Promise.all(model.getWeights().map((w) => w.data()));
    after.forEach((w, i) => expect(Math.max(...Array.from(w, (v, e) => Math.abs(v - before[i][e])))).toBeLessThan(1e-6));
  });

  it('refuses checkpoints of another architecture, and an empty list', () => {
    expect(() => averageWeightsInto(seededModel(6), [seededModel(7, 3)])).toThrow(/different architecture/);
    expect(() => averageWeightsInto(seededModel(8), [])).toThrow(/no checkpoints/);
  });
});
