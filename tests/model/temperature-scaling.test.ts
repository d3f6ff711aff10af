import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFcDenseNet } from '../../src/model/fc-densenet.ts';
import type { DenseNetPreset } from '../../src/model/presets.ts';
import { applyTemperature, logitsModel } from '../../src/model/temperature-scaling.ts';
import { seededValues, useBackend } from './tf-backend.ts';

const TINY: DenseNetPreset = {
  name: 'light', description: 'test: 1 pooling, blocks 1 | 1, growth 4',
  firstFilters: 8, blocksDown: [1], bottleneck: 1, growth: 4, patchSize: 8,
};

beforeAll(async () => {
  await useBackend('wasm');
});

describe('temperature scaling baked into the model', () => {
  it('makes the model output sigmoid(logits / T) and keeps every voxel on its side of 0.5', async () => {
    const model = buildFcDenseNet(TINY, 2);
    // a large last-layer scale gives logits of several units, like a trained network's
    const last = model.getLayer('logits');
    last.setWeights(last.getWeights().map((w) => tf.mul(w, 20)));
    const x = tf.tensor5d(seededValues(2 * 8 * 8 * 8 * 2, 5, -2, 2), [2, 8, 8, 8, 2]);
    const logits = await (logitsModel(model).predict(x) as tf.Tensor).data();
    const before = await (model.predict(x) as tf.Tensor).data();
    applyTemperature(model, 4);
    const after = await (model.predict(x) as tf.Tensor).data();
    expect(Math.max(...Array.from(logits, Math.abs))).toBeGreaterThan(4);
    for (let v = 0; v < logits.length; v++) {
      expect(after[v]).toBeCloseTo(1 / (1 + Math.exp(-logits[v] / 4)), 5);
      if (Math.abs(logits[v]) > 1e-4) expect(after[v] > 0.5).toBe(before[v] > 0.5);
    }
    tf.dispose(x);
  });

  it('refuses a temperature that is not positive', () => {
    const model = buildFcDenseNet(TINY, 1);
    expect(() => applyTemperature(model, 0)).toThrow(/positive/);
    expect(() => applyTemperature(model, Number.NaN)).toThrow(/positive/);
  });
});
