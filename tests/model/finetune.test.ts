/**
 * Fine-tuning on one scan (src/model/finetune.ts) in Node on wasm: finite losses, held-out scores in
 * [0, 1], tensor memory flat across steps, pauses and repeated runs, and the loss going down on a
 * task the network can learn.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePhantom } from '../../src/core/phantom.ts';
import type { Vec3 } from '../../src/core/types.ts';
import { buildFcDenseNet } from '../../src/model/fc-densenet.ts';
import { createFinetuneSession, disposeFinetuneSession, type FinetuneOptions, type HeldOutScores, runFinetune } from '../../src/model/finetune.ts';
import { prepareModelInput } from '../../src/model/model-input.ts';
import type { DenseNetPreset } from '../../src/model/presets.ts';
import { useBackend } from './tf-backend.ts';

const TINY: DenseNetPreset = {
  name: 'light', description: 'test: 1 pooling, blocks 1 | 1, growth 4',
  firstFilters: 8, blocksDown: [1], bottleneck: 1, growth: 4, patchSize: 8,
};
const DIMS: Vec3 = [24, 28, 24];

beforeAll(async () => {
  await useBackend('wasm');
});

function phantomData() {
  const p = generatePhantom({ dims: DIMS, seed: 3, lesionCount: 6 });
  const input = prepareModelInput({ flair: p.flair, t1: p.t1, t2: p.t2 }, { modalities: ['flair', 't1', 't2'] });
  return { channels: input.channels, label: p.mask.data, brain: input.brain, dims: DIMS };
}

const OPTIONS: FinetuneOptions = {
  beta: 2, steps: 6, learningRate: 3e-3, batchSize: 2, patchSize: 8, evalEvery: 3, heldOutPatches: 2, seed: 5,
};

describe('fine-tuning', () => {
  it('reports finite losses and held-out scores, keeps tensor memory flat across steps, pauses and repeated runs', async () => {
    const model = buildFcDenseNet(TINY, 3);
    const data = phantomData();
    const before = tf.memory().numTensors;
    const session = createFinetuneSession(data, OPTIONS);
    const losses: number[] = [];
    const evals: [number, HeldOutScores][] = [];
    const tensorsAfterStep: number[] = [];
    const hooks = {
      onStep: (step: number, loss: number) => {
        losses[step - 1] = loss;
        tensorsAfterStep[step - 1] = tf.memory().numTensors;
      },
      onEval: (step: number, scores: HeldOutScores) => void evals.push([step, scores]),
    };
    // pause after step 2, then resume to the end
    expect(await runFinetune(model, session, { ...hooks, shouldStop: () => session.step >= 2 })).toBe(2);
    expect(await runFinetune(model, session, { ...hooks, shouldStop: () => false })).toBe(6);
    expect(losses).toHaveLength(6);
    for (const loss of losses) {
      expect(Number.isFinite(loss)).toBe(true);
      expect(loss).toBeGreaterThanOrEqual(0);
      expect(loss).toBeLessThanOrEqual(1);
    }
    expect(evals.map(([step]) => step)).toEqual([3, 6]);
    for (const v of evals.flatMap(([, s]) => [s.precision, s.recall, s.dice])) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // Adam creates its moment variables at step 1; from then on every step leaves the count unchanged
    expect(new Set(tensorsAfterStep.slice(1))).toEqual(new Set([tensorsAfterStep[1]]));
    disposeFinetuneSession(session);
    expect(tf.memory().numTensors).toBe(before);

    // a second run on the same model: back to the same count when disposed
    const again = createFinetuneSession(data, { ...OPTIONS, steps: 3 });
    await runFinetune(model, again, { ...hooks, shouldStop: () => false });
    disposeFinetuneSession(again);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('holds out patches whose voxels never centre a training patch, and refuses an empty reference', () => {
    const data = phantomData();
    const session = createFinetuneSession(data, OPTIONS);
    const [nx, ny] = DIMS;
    for (const v of session.trainCase.brainVoxels) {
      const ijk = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
      for (const box of session.heldOut) {
        const inside = ijk.every((p, a) => p >= box.start[a] && p < box.start[a] + box.size[a]);
        expect(inside).toBe(false);
      }
    }
    disposeFinetuneSession(session);
    expect(() => createFinetuneSession({ ...data, label: new Uint8Array(data.label.length) }, OPTIONS)).toThrow(/no lesion voxel/);
  });

  it('lowers the F-beta loss on the scan it is tuned on', async () => {
    const model = buildFcDenseNet(TINY, 3);
    const session = createFinetuneSession(phantomData(), { ...OPTIONS, steps: 40, evalEvery: 40 });
    const losses: number[] = [];
    await runFinetune(model, session, { onStep: (_s, loss) => void losses.push(loss), onEval: () => undefined, shouldStop: () => false });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-10))).toBeLessThan(mean(losses.slice(0, 10)));
    disposeFinetuneSession(session);
    model.dispose();
  });
});
