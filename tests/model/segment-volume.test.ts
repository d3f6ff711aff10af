import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FusionWindowKind, PatchBox, Vec3 } from '../../src/core/types.ts';
import { Conv3dLayer } from '../../src/model/layers/conv3d-layer.ts';
import { flipAlongI } from '../../src/core/augment.ts';
import { extractPatch } from '../../src/core/patch-grid.ts';
import { batchTensor, interleaveChannels } from '../../src/model/patch-tensor.ts';
import { AUTO_MIRROR_MAX_PATCHES, type MirrorMode, runMirrorMode } from '../../src/model/mirror-policy.ts';
import { DEFAULT_SEGMENT_OPTIONS, segmentVolume, type SegmentOptions } from '../../src/model/segment-volume.ts';
import { seededValues, useBackend } from './tf-backend.ts';
import { leftNeighbourModel } from './test-models.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

/**
 * A real tfjs model that is pointwise: p = sigmoid(sum_c a_c x_c + b), one 1x1x1 Conv3dLayer plus a
 * sigmoid, with weights set by hand. Every patch then predicts exactly the same value at a voxel, so
 * any weighted fusion of them must give that value back.
 */
function pointwiseModel(a: number[], b: number): tf.LayersModel {
  const input = tf.input({ shape: [null, null, null, a.length] });
  const conv = new Conv3dLayer({ filters: 1, kernelSize: 1 });
  const logits = conv.apply(input) as tf.SymbolicTensor;
  const prob = tf.layers.activation({ activation: 'sigmoid' }).apply(logits) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: prob });
  conv.setWeights([tf.tensor5d(a, [1, 1, 1, a.length, 1]), tf.tensor1d([b])]);
  return model;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** An ellipsoid brain centred in the volume, with radii 45% of each axis. */
function ellipsoidBrain(dims: Vec3): Uint8Array {
  const brain = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++)
    for (let j = 0; j < dims[1]; j++)
      for (let i = 0; i < dims[0]; i++) {
        const r = [i, j, k].reduce((s, p, axis) => s + ((p - (dims[axis] - 1) / 2) / (0.45 * dims[axis])) ** 2, 0);
        brain[i + dims[0] * (j + dims[1] * k)] = r <= 1 ? 1 : 0;
      }
  return brain;
}

/** Random channel values in [-3, 3) inside the brain, 0 outside (as after z-scoring). */
function channelIn(brain: Uint8Array, seed: number): Float32Array {
  const values = seededValues(brain.length, seed, -3, 3);
  return values.map((v, n) => (brain[n] ? v : 0));
}

function options(overrides: Partial<SegmentOptions> = {}): SegmentOptions {
  return { ...DEFAULT_SEGMENT_OPTIONS, patchSize: 16, ...overrides };
}

/** Largest |p - expected(v)| over the volume, where expected is 0 outside the brain. */
function maxError(p: Float32Array, brain: Uint8Array, expected: (v: number) => number): number {
  let worst = 0;
  for (let v = 0; v < p.length; v++) worst = Math.max(worst, Math.abs(p[v] - (brain[v] ? expected(v) : 0)));
  return worst;
}

describe('segmentVolume with a pointwise model', () => {
  const dims: Vec3 = [40, 36, 30];
  const brain = ellipsoidBrain(dims);
  const flair = channelIn(brain, 1);
  const A = 1.3;
  const B = -0.4;

  const windows: [FusionWindowKind, number][] = [
    ['bspline', 0], ['bspline', 1], ['bspline', 2], ['bspline', 3], ['gaussian', 2], ['mean', 2],
  ];
  for (const [window, bsplineOrder] of windows) {
    it(`returns sigmoid(a x + b) in the brain and 0 outside: ${window}${window === 'bspline' ? ` order ${bsplineOrder}` : ''}`, async () => {
      const model = pointwiseModel([A], B);
      const progress: [number, number][] = [];
      const { probability, timings } = await segmentVolume(model, [flair], dims, brain, options({
        window, bsplineOrder, onProgress: (done, total) => void progress.push([done, total]),
      }));
      expect(probability.length).toBe(dims[0] * dims[1] * dims[2]);
      // float32 sums of identical values: exact up to rounding.
      expect(maxError(probability, brain, (v) => sigmoid(A * flair[v] + B))).toBeLessThan(2e-6);
      // Grid of 16^3 boxes, stride 8: starts i 0,8,16,24; j 0,8,16,20; k 0,8,14 = 48 boxes, less
      // those holding no brain voxel.
      const starts = [[0, 8, 16, 24], [0, 8, 16, 20], [0, 8, 14]];
      let withBrain = 0;
      for (const k0 of starts[2]) for (const j0 of starts[1]) for (const i0 of starts[0]) {
        let any = false;
        for (let k = k0; k < k0 + 16 && !any; k++) for (let j = j0; j < j0 + 16 && !any; j++) for (let i = i0; i < i0 + 16; i++) {
          if (brain[i + dims[0] * (j + dims[1] * k)]) { any = true; break; }
        }
        if (any) withBrain++;
      }
      expect(withBrain).toBeGreaterThan(8);
      expect(timings.patches).toBe(withBrain);
      // (0, total) first, then one call per batch
      expect(progress.length).toBe(1 + Math.ceil(withBrain / DEFAULT_SEGMENT_OPTIONS.batchSize));
      expect(progress[0]).toEqual([0, withBrain]);
      expect(progress[1]).toEqual([DEFAULT_SEGMENT_OPTIONS.batchSize, withBrain]);
      expect(progress[progress.length - 1]).toEqual([withBrain, withBrain]);
      model.dispose();
    });
  }

  it('feeds the channels in order (two-channel pointwise model)', async () => {
    const t2 = channelIn(brain, 2);
    const model = pointwiseModel([0.8, -1.7], 0.3);
    const { probability } = await segmentVolume(model, [flair, t2], dims, brain, options({ batchSize: 7, overlapFraction: 0.25 }));
    expect(maxError(probability, brain, (v) => sigmoid(0.8 * flair[v] - 1.7 * t2[v] + 0.3))).toBeLessThan(2e-6);
    model.dispose();
  });

  it('keeps tf.memory() flat', async () => {
    const model = pointwiseModel([A], B);
    await segmentVolume(model, [flair], dims, brain, options());
    const before = tf.memory().numTensors;
    await segmentVolume(model, [flair], dims, brain, options({ batchSize: 3 }));
    expect(tf.memory().numTensors).toBe(before);
    await expect(segmentVolume(model, [flair], dims, brain, options({ shouldCancel: () => true }))).rejects.toThrow('cancelled');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('aborts with Error("cancelled") when shouldCancel turns true between batches', async () => {
    const model = pointwiseModel([A], B);
    let batches = 0;
    const run = segmentVolume(model, [flair], dims, brain, options({
      onProgress: (done) => void (done > 0 && batches++),
      shouldCancel: () => batches >= 2,
    }));
    await expect(run).rejects.toThrow(/^cancelled$/);
    expect(batches).toBe(2);
    model.dispose();
  });

  it('hands batch n + 1 to the backend before fusing batch n (pipelining)', async () => {
    const model = pointwiseModel([A], B);
    const log: string[] = [];
    const spy = Object.create(model) as tf.LayersModel;
    spy.predict = (x, args) => {
      log.push('predict');
      return model.predict(x, args);
    };
    const { timings } = await segmentVolume(spy, [flair], dims, brain, options({ batchSize: 5, onProgress: (done) => void log.push(`fused ${done}`) }));
    const batches = Math.ceil(timings.patches / 5);
    const expected = ['fused 0', 'predict'];
    for (let n = 1; n <= batches; n++) {
      if (n < batches) expected.push('predict');
      expected.push(`fused ${Math.min(5 * n, timings.patches)}`);
    }
    expect(log).toEqual(expected);
    model.dispose();
  });

  it('throws for an empty brain', async () => {
    const model = pointwiseModel([A], B);
    const empty = new Uint8Array(brain.length);
    await expect(segmentVolume(model, [flair], dims, empty, options())).rejects.toThrow(/brain is empty/);
    model.dispose();
  });
});

describe('segmentVolume with test-time mirroring', () => {
  it('leaves a mirror-symmetric (pointwise) model unchanged', async () => {
    const dims: Vec3 = [40, 36, 30];
    const brain = ellipsoidBrain(dims);
    const flair = channelIn(brain, 5);
    const model = pointwiseModel([1.1], -0.2);
    const { probability, timings } = await segmentVolume(model, [flair], dims, brain, options({ mirror: 'on', batchSize: 3 }));
    expect(maxError(probability, brain, (v) => sigmoid(1.1 * flair[v] - 0.2))).toBeLessThan(2e-6);
    expect(timings.patches).toBeGreaterThan(8);
    model.dispose();
  });

  it('averages the prediction with the flipped prediction of the flipped patch', async () => {
    // One 16^3 patch covers the volume, so each voxel has one prediction to check by hand:
    // 0.5 (sigmoid(a x(i-1) + b) + sigmoid(a x(i+1) + b)), with x = 0 beyond the patch edge.
    const dims: Vec3 = [16, 16, 16];
    const brain = new Uint8Array(16 ** 3).fill(1);
    const flair = seededValues(brain.length, 6, -3, 3);
    const model = leftNeighbourModel(0.9, 0.1);
    const x = (i: number, v: number) => (i < 0 || i > 15 ? 0 : flair[v - (v % 16) + i]);
    const plain = await segmentVolume(model, [flair], dims, brain, options());
    expect(maxError(plain.probability, brain, (v) => sigmoid(0.9 * x((v % 16) - 1, v) + 0.1))).toBeLessThan(2e-6);
    const mirrored = await segmentVolume(model, [flair], dims, brain, options({ mirror: 'on' }));
    const expected = (v: number) => 0.5 * (sigmoid(0.9 * x((v % 16) - 1, v) + 0.1) + sigmoid(0.9 * x((v % 16) + 1, v) + 0.1));
    expect(maxError(mirrored.probability, brain, expected)).toBeLessThan(2e-6);
    model.dispose();
  });
});

describe("segmentVolume's 'auto' mirroring", () => {
  it(`mirrors a scan of at most ${AUTO_MIRROR_MAX_PATCHES} patches and not a larger one`, async () => {
    const model = leftNeighbourModel(0.9, 0.1);
    // 40^3 with 16^3 patches at overlap 0.5: 4^3 = 64 patches; 80^3: 9^3 = 729 (every patch holds brain)
    for (const [edge, patches] of [[40, 64], [80, 729]]) {
      const dims: Vec3 = [edge, edge, edge];
      const brain = new Uint8Array(edge ** 3).fill(1);
      const flair = seededValues(brain.length, edge, -3, 3);
      const auto = await segmentVolume(model, [flair], dims, brain, options({ mirror: 'auto' }));
      expect(auto.timings.patches).toBe(patches);
      const small = patches <= AUTO_MIRROR_MAX_PATCHES;
      expect(auto.timings.mirrored).toBe(small);
      const same = await segmentVolume(model, [flair], dims, brain, options({ mirror: small ? 'on' : 'off' }));
      const other = await segmentVolume(model, [flair], dims, brain, options({ mirror: small ? 'off' : 'on' }));
      expect(maxError(auto.probability, brain, (v) => same.probability[v])).toBe(0);
      expect(maxError(auto.probability, brain, (v) => other.probability[v])).toBeGreaterThan(1e-3);
    }
    model.dispose();
  });

  it('mirrors every scan on a hardware GPU, and leaves explicit choices alone', () => {
    const modes: MirrorMode[] = ['auto', 'on', 'off'];
    expect(modes.map((mode) => runMirrorMode(mode, true))).toEqual(['on', 'on', 'off']);
    expect(modes.map((mode) => runMirrorMode(mode, false))).toEqual(['auto', 'on', 'off']);
  });
});

describe('segmentVolume on volumes smaller than the patch (padding path)', () => {
  for (const dims of [[10, 12, 9], [20, 10, 18]] as Vec3[]) {
    it(`${dims.join('x')} with 16^3 patches`, async () => {
      const brain = ellipsoidBrain(dims);
      const flair = channelIn(brain, 3);
      const model = pointwiseModel([-0.9], 0.25);
      const { probability } = await segmentVolume(model, [flair], dims, brain, options());
      expect(probability.length).toBe(dims[0] * dims[1] * dims[2]);
      expect(maxError(probability, brain, (v) => sigmoid(-0.9 * flair[v] + 0.25))).toBeLessThan(2e-6);
      model.dispose();
    });
  }
});

describe('batchTensor', () => {
  it('matches extractPatch, flipAlongI and interleaveChannels for one channel and for two mirrored', () => {
    const dims: Vec3 = [9, 7, 6];
    const volumes = [11, 12].map((seed) => seededValues(9 * 7 * 6, seed, -1, 1));
    const boxes: PatchBox[] = [{ start: [1, 2, 0], size: [5, 4, 3] }, { start: [4, 3, 3], size: [5, 4, 3] }];
    for (const [channels, mirrored] of [[volumes.slice(0, 1), false], [volumes, true]] as const) {
      const x = batchTensor(channels, dims, boxes, mirrored);
      const got = x.dataSync();
      x.dispose();
      const reference = boxes.map((box) => {
        const patches = channels.map((ch) => extractPatch(ch, dims, box));
        if (mirrored) for (const p of patches) flipAlongI(p, box.size);
        return interleaveChannels(patches);
      });
      const expected = new Float32Array(reference.reduce((n, r) => n + r.length, 0));
      reference.forEach((r, b) => expected.set(r, b * r.length));
      expect(got).toEqual(expected);
    }
  });

  it('refuses a box outside the volume and a channel of the wrong length', () => {
    expect(() => batchTensor([new Float32Array(8)], [2, 2, 2], [{ start: [1, 0, 0], size: [2, 2, 2] }])).toThrow(/not inside the volume/);
    expect(() => batchTensor([new Float32Array(8), new Float32Array(7)], [2, 2, 2], [{ start: [0, 0, 0], size: [2, 2, 2] }])).toThrow(/2\*2\*2 voxels/);
  });

  it('lays out patch voxel (a, b, c) of channel ch at [box, c, b, a, ch]', () => {
    const dims: Vec3 = [7, 6, 5];
    const code = (i: number, j: number, k: number, ch: number) => i + 10 * j + 100 * k + 1000 * ch;
    const channels = [0, 1].map((ch) => {
      const data = new Float32Array(7 * 6 * 5);
      for (let k = 0; k < 5; k++) for (let j = 0; j < 6; j++) for (let i = 0; i < 7; i++) data[i + 7 * (j + 6 * k)] = code(i, j, k, ch);
      return data;
    });
    const boxes: PatchBox[] = [{ start: [0, 1, 2], size: [4, 3, 2] }, { start: [3, 3, 3], size: [4, 3, 2] }];
    const x = batchTensor(channels, dims, boxes);
    expect(x.shape).toEqual([2, 2, 3, 4, 2]);
    const values = x.arraySync();
    x.dispose();
    boxes.forEach((box, n) => {
      for (let c = 0; c < 2; c++) for (let b = 0; b < 3; b++) for (let a = 0; a < 4; a++) for (let ch = 0; ch < 2; ch++) {
        expect(values[n][c][b][a][ch]).toBe(code(box.start[0] + a, box.start[1] + b, box.start[2] + c, ch));
      }
    });
  });

  it('mirrored, lays out patch voxel (3 - a, b, c) at [box, c, b, a, ch]', () => {
    const dims: Vec3 = [7, 6, 5];
    const data = Float32Array.from({ length: 7 * 6 * 5 }, (_, v) => v);
    const box: PatchBox = { start: [2, 1, 0], size: [4, 3, 2] };
    const x = batchTensor([data], dims, [box], true);
    const values = x.arraySync();
    x.dispose();
    for (let c = 0; c < 2; c++) for (let b = 0; b < 3; b++) for (let a = 0; a < 4; a++) {
      expect(values[0][c][b][a][0]).toBe(2 + 3 - a + 7 * (1 + b + 6 * c));
    }
  });
});
