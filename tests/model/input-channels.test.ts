import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFcDenseNet } from '../../src/model/fc-densenet.ts';
import { selectInputModalities } from '../../src/model/input-channels.ts';
import type { DenseNetPreset } from '../../src/model/presets.ts';
import { seededValues, useBackend } from './tf-backend.ts';

const TINY: DenseNetPreset = {
  name: 'light', description: 'test: 1 pooling, blocks 1 | 1, growth 4',
  firstFilters: 8, blocksDown: [1], bottleneck: 1, growth: 4, patchSize: 8,
};

beforeAll(async () => {
  await useBackend('wasm');
});

function seededModel(seed: number, inputChannels: number): tf.LayersModel {
  const model = buildFcDenseNet(TINY, inputChannels);
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(seededValues(w.size, seed * 1000 + i, -0.5, 0.5), w.shape)));
  return model;
}

describe('selecting input modalities of a trained model', () => {
  it('a FLAIR-only copy predicts what the three-modality model predicts with T1 and T2 blank', async () => {
    const source = seededModel(1, 3);
    const flair = tf.tensor(seededValues(2 * 8 * 8 * 8, 77, -2, 2), [2, 8, 8, 8, 1]);
    const blank = tf.zeros([2, 8, 8, 8, 2]);
    const expected = await (source.predict(tf.concat([flair, blank], 4)) as tf.Tensor).data();
    const flairOnly = selectInputModalities(source, TINY, ['flair', 't1', 't2'], ['flair']);
    expect(flairOnly.inputs[0].shape[4]).toBe(1);
    const got = await (flairOnly.predict(flair) as tf.Tensor).data();
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    expect(worst).toBeLessThan(1e-5);
    // and it differs from the model with T1 given, so the T1 weights really were dropped
    const withT1 = await (source.predict(tf.concat([flair, tf.onesLike(flair), tf.zerosLike(flair)], 4)) as tf.Tensor).data();
    expect(Math.max(...Array.from(withT1, (v, i) => Math.abs(v - expected[i])))).toBeGreaterThan(1e-3);
  });

  it('keeps the kept modalities\' kernel slices in the requested order', async () => {
    const source = seededModel(2, 3);
    const picked = selectInputModalities(source, TINY, ['flair', 't1', 't2'], ['flair', 't2']);
    const from = source.getWeights()[0].arraySync() as number[][][][][];
    const to = picked.getWeights()[0].arraySync() as number[][][][][];
    // kernel [k, k, k, channel, filter]: one tap's filter vectors per channel
    expect(to[1][2][0][0]).toEqual(from[1][2][0][0]);
    expect(to[1][2][0][1]).toEqual(from[1][2][0][2]);
    expect(to[1][2][0]).toHaveLength(2);
  });

  it('refuses a modality the start model does not take, and another architecture', () => {
    expect(() => selectInputModalities(seededModel(3, 1), TINY, ['flair'], ['flair', 't1'])).toThrow(/does not take t1/);
    const other = buildFcDenseNet({ ...TINY, blocksDown: [1, 1], patchSize: 8 }, 3);
    expect(() => selectInputModalities(other, TINY, ['flair', 't1', 't2'], ['flair'])).toThrow(/not a light FC-DenseNet/);
  });
});
