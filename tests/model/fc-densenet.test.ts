import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelDir, saveModelDir } from '../../src/cli/model-files.ts';
import { buildFcDenseNet } from '../../src/model/fc-densenet.ts';
import type { ModelMeta } from '../../src/model/model-meta.ts';
import { PRESETS, presetByName, type DenseNetPreset } from '../../src/model/presets.ts';
import { seededValues, useBackend } from './tf-backend.ts';

/** The smallest network of the family: one pooling, one layer per block. */
const TINY: DenseNetPreset = {
  name: 'light', description: 'test: 1 pooling, blocks 1 | 1, growth 4',
  firstFilters: 8, blocksDown: [1], bottleneck: 1, growth: 4, patchSize: 16,
};

let dir = '';

beforeAll(async () => {
  await useBackend('wasm');
  dir = await mkdtemp(path.join(tmpdir(), 'fc-densenet-test-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function input(shape: [number, number, number, number, number], seed: number): tf.Tensor5D {
  return tf.tensor5d(seededValues(shape.reduce((a, b) => a * b, 1), seed, -2, 2), shape);
}

describe('buildFcDenseNet', () => {
  it('has the hand-counted number of parameters for a tiny preset', () => {
    // 2 input channels, growth 4:
    //   first conv 3^3*2*8 + 8 = 440
    //   down block: norm(8) 16 + conv 27*8*4 + 4 = 868                       -> 12 channels
    //   transition down: norm(12) 24 + 1x1x1 conv 12*12 + 12 = 156
    //   bottleneck: norm(12) 24 + conv 27*12*4 + 4 = 1300                     -> 4 new channels
    //   transition up: conv 27*4*4 + 4 = 436; concat skip 12                  -> 16 channels
    //   up block: norm(16) 32 + conv 27*16*4 + 4 = 1732                       -> 20 channels
    //   logits: 20 + 1 = 21
    const model = buildFcDenseNet(TINY, 2);
    expect(model.countParams()).toBe(440 + 16 + 868 + 24 + 156 + 24 + 1300 + 436 + 32 + 1732 + 21);
    model.dispose();
  });

  it('parameter counts grow light < standard < paper', () => {
    const counts = (['light', 'standard', 'paper'] as const).map((name) => {
      const model = buildFcDenseNet(PRESETS[name], 3);
      const n = model.countParams();
      model.dispose();
      return n;
    });
    expect(counts[0]).toBeLessThan(counts[1]);
    expect(counts[1]).toBeLessThan(counts[2]);
    // Orders of magnitude of docs/platform-notes.md: ~0.5 M, ~1.7 M, ~11 M.
    expect(counts[0]).toBeGreaterThan(1e5);
    expect(counts[2]).toBeGreaterThan(3e6);
  });

  for (const name of ['light', 'standard', 'paper'] as const) {
    it(`${name}: output [N, D, H, W, 1] with probabilities in (0, 1) at 16^3`, () => {
      const model = buildFcDenseNet(PRESETS[name], 3);
      const x = input([1, 16, 16, 16, 3], 1);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([1, 16, 16, 16, 1]);
      const values = y.dataSync();
      expect(values.every((v) => v > 0 && v < 1)).toBe(true);
      // Not a constant map: the network does look at its input.
      expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(1e-4);
      tf.dispose([x, y]);
      model.dispose();
    });
  }

  it('accepts non-cubic patches and batches (multiples of 2^depth per axis)', () => {
    const model = buildFcDenseNet(TINY, 2);
    const x = input([2, 4, 6, 8, 2], 2);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 4, 6, 8, 1]);
    // Samples are independent (instance norm, no batch statistics): predicting one alone agrees.
    const first = tf.slice(x, [0, 0, 0, 0, 0], [1, 4, 6, 8, 2]);
    const yFirst = model.predict(first) as tf.Tensor;
    const both = y.dataSync();
    const alone = yFirst.dataSync();
    for (let v = 0; v < alone.length; v++) expect(both[v]).toBeCloseTo(alone[v], 5);
    tf.dispose([x, y, first, yFirst]);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat across repeated predict calls', () => {
    const model = buildFcDenseNet(TINY, 1);
    const x = input([1, 8, 8, 8, 1], 3);
    tf.dispose(model.predict(x) as tf.Tensor); // first call may create lasting state
    const before = tf.memory().numTensors;
    for (let n = 0; n < 3; n++) tf.dispose(model.predict(x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

describe('presetByName', () => {
  it('returns the presets and names the choices for an unknown one', () => {
    expect(presetByName('standard')).toBe(PRESETS.standard);
    expect(() => presetByName('huge')).toThrow(/light, standard, paper/);
  });

  it('patch sizes are multiples of 2^depth', () => {
    for (const preset of Object.values(PRESETS)) {
      expect(preset.patchSize % 2 ** preset.blocksDown.length).toBe(0);
    }
  });
});

describe('saveModelDir / loadModelDir', () => {
  const meta: ModelMeta = {
    format: 'lesion-workbench-model/1', preset: 'light', modalities: ['flair', 't2'], patchSize: 16,
    normalization: 'zscore-in-brain', loss: 'fbeta', beta: 1.5, steps: 12, trainSeconds: 34, trainedOn: ['a', 'b'],
  };

  it('round-trips predictions and metadata', async () => {
    const model = buildFcDenseNet(TINY, 2);
    const modelDir = path.join(dir, 'model');
    await saveModelDir(model, modelDir, meta);
    const json = JSON.parse(await readFile(path.join(modelDir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const weightBytes = (await readFile(path.join(modelDir, 'weights.bin'))).byteLength;
    expect(weightBytes).toBe(model.countParams() * 4);

    const loaded = await loadModelDir(modelDir);
    expect(loaded.meta).toEqual(meta);
    expect(loaded.model.countParams()).toBe(model.countParams());
    const x = input([1, 8, 8, 8, 2], 4);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.model.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.model.dispose();
  });

  it('fails with a readable message for a folder without model.json', async () => {
    await expect(loadModelDir(path.join(dir, 'nothing-here'))).rejects.toThrow(/cannot read model .*model\.json: ENOENT/);
  });
});
