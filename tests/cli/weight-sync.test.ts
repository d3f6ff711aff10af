import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightSync } from '../../src/cli/weight-sync.ts';
import { buildFcDenseNet } from '../../src/model/fc-densenet.ts';
import type { DenseNetPreset } from '../../src/model/presets.ts';

const TINY: DenseNetPreset = {
  name: 'light', description: 'test', firstFilters: 4, blocksDown: [1], bottleneck: 1, growth: 2, patchSize: 8,
};

let dir = '';

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(path.join(tmpdir(), 'weight-sync-test-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const flat = async (model: tf.LayersModel) => Promise.all(model.getWeights().map(async (w) => Array.from(await w.data())));

describe('WeightSync (local SGD through files)', () => {
  it('gives every worker the mean of all workers\' weights, and stops all when one wants to', async () => {
    const models = [buildFcDenseNet(TINY, 1), buildFcDenseNet(TINY, 1), buildFcDenseNet(TINY, 1)];
    const before = await Promise.all(models.map(flat));
    const syncs = models.map((_, rank) => new WeightSync({ dir: path.join(dir, 'a'), rank, workers: 3, pollMs: 5 }));
    const stops = await Promise.all(models.map((m, r) => syncs[r].average(m, 1, r === 2)));
    expect(stops).toEqual([true, true, true]);
    const after = await Promise.all(models.map(flat));
    before[0].forEach((weight, w) => weight.forEach((_, n) => {
      const mean = (before[0][w][n] + before[1][w][n] + before[2][w][n]) / 3;
      for (const m of after) expect(m[w][n]).toBeCloseTo(mean, 6);
    }));
    // the initial weights differ (random init), so averaging really changed them
    expect(before[0][0]).not.toEqual(before[1][0]);
    expect(await Promise.all(models.map((m, r) => syncs[r].average(m, 2, false)))).toEqual([false, false, false]);
  });

  it('waits for a slower worker, and keeps only the last two rounds on disk', async () => {
    const models = [buildFcDenseNet(TINY, 1), buildFcDenseNet(TINY, 1)];
    const syncs = models.map((_, rank) => new WeightSync({ dir: path.join(dir, 'b'), rank, workers: 2, pollMs: 5 }));
    for (let round = 1; round <= 4; round++) {
      const slow = new Promise<boolean>((resolve) => setTimeout(() => resolve(syncs[1].average(models[1], round, false)), 30));
      await Promise.all([syncs[0].average(models[0], round, false), slow]);
    }
    expect((await readdir(path.join(dir, 'b'))).sort()).toEqual(['round3-rank0.bin', 'round3-rank1.bin', 'round4-rank0.bin', 'round4-rank1.bin']);
  });

  it('refuses workers that train different models, and bad ranks', async () => {
    const a = new WeightSync({ dir: path.join(dir, 'c'), rank: 0, workers: 2, pollMs: 5 });
    const b = new WeightSync({ dir: path.join(dir, 'c'), rank: 1, workers: 2, pollMs: 5 });
    const results = await Promise.allSettled([a.average(buildFcDenseNet(TINY, 1), 1, false), b.average(buildFcDenseNet(TINY, 2), 1, false)]);
    for (const r of results) expect(r.status === 'rejected' && String(r.reason)).toMatch(/workers train different models/);
    expect(() => new WeightSync({ dir, rank: 2, workers: 2 })).toThrow(/rank must be/);
    expect(() => new WeightSync({ dir, rank: 0, workers: 1 })).toThrow(/at least 2 workers/);
  });

  it('gives up with a clear message when another worker never arrives', async () => {
    const lonely = new WeightSync({ dir: path.join(dir, 'd'), rank: 0, workers: 2, pollMs: 5, timeoutMs: 50 });
    await expect(lonely.average(buildFcDenseNet(TINY, 1), 1, false)).rejects.toThrow(/no round1-rank1\.bin after 0\.05 s/);
  });
});
