import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { patchGrid, shiftedTileStarts, tileStarts } from '../../src/core/patch-grid.ts';
import type { PatchBox, Vec3 } from '../../src/core/types.ts';
import { ChannelConcat } from '../../src/model/layers/channel-concat.ts';
import { Conv3dLayer } from '../../src/model/layers/conv3d-layer.ts';
import { MaxPool3d, Upsample3d } from '../../src/model/layers/resample.ts';
import { DEFAULT_SEGMENT_OPTIONS, predictBatch, segmentVolume, tileEdge } from '../../src/model/segment-volume.ts';
import { seededValues, useBackend } from './tf-backend.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('shiftedTileStarts', () => {
  it('matches hand-worked examples', () => {
    expect(shiftedTileStarts(10, 4, 2)).toEqual([1, 3, 5, 6]);
    expect(shiftedTileStarts(182, 32, 32)).toEqual([16, 48, 80, 112, 144, 150]);
    expect(shiftedTileStarts(20, 32, 16)).toEqual([0]);
    // stride 1: half a stride is 0 voxels, the plain grid
    expect(shiftedTileStarts(7, 4, 1)).toEqual(tileStarts(7, 4, 1));
  });

  it('puts a tile centre half a stride off every plain one, inside the axis, ending at its length', () => {
    for (let length = 5; length <= 60; length++) {
      for (const [patch, stride] of [[4, 2], [8, 8], [8, 6], [16, 12], [16, 16]]) {
        if (length <= patch) continue;
        const plain = tileStarts(length, patch, stride);
        const shifted = shiftedTileStarts(length, patch, stride);
        expect(shifted[shifted.length - 1]).toBe(length - patch);
        for (const s of shifted) expect(s >= 0 && s + patch <= length).toBe(true);
        // all but the last shifted start lie exactly between two plain ones
        for (const s of shifted.slice(0, -1)) expect(plain.some((p) => p + Math.floor(stride / 2) === s)).toBe(true);
      }
    }
  });

  it('gives patchGrid a second grid of the same box size', () => {
    const boxes = patchGrid([40, 30, 20], [16, 16, 16], 0.5, undefined, true);
    // starts i 4, 12, 20, 24; j 4, 12, 14; k 4 (20 - 16 = 4 is both the first and the last)
    expect(boxes.length).toBe(4 * 3 * 1);
    expect(boxes[0]).toEqual({ start: [4, 4, 4], size: [16, 16, 16] });
  });
});

describe('patchGrid with a core margin', () => {
  it('keeps a box only when the voxel lies at least the margin inside it', () => {
    const dims: Vec3 = [40, 16, 16];
    const brain = new Uint8Array(40 * 16 * 16);
    brain[18 + 40 * (8 + 16 * 8)] = 1; // (18, 8, 8)
    // 16^3 boxes at stride 8 along i: starts 0, 8, 16, 24; (18) is in boxes 8 (offset 10) and 16 (offset 2)
    const starts = (m: number) => patchGrid(dims, [16, 16, 16], 0.5, brain, false, m).map((b) => b.start[0]);
    expect(starts(0)).toEqual([8, 16]);
    expect(starts(2)).toEqual([8, 16]);
    expect(starts(3)).toEqual([8]);
    // offset 10 is 5 voxels from the far face (15 - 10): margin 6 drops it too
    expect(starts(6)).toEqual([]);
  });

  it("counts a box's voxels on the volume's faces as core (no other box covers them)", () => {
    const dims: Vec3 = [40, 16, 16];
    const brain = new Uint8Array(40 * 16 * 16);
    brain[0] = 1; // (0, 0, 0): only the box at 0 covers it
    expect(patchGrid(dims, [16, 16, 16], 0.5, brain, false, 3).map((b) => b.start)).toEqual([[0, 0, 0]]);
    brain[0] = 0;
    brain[39 + 40 * (15 + 16 * 15)] = 1; // the far corner: only the last box
    expect(patchGrid(dims, [16, 16, 16], 0.5, brain, false, 3).map((b) => b.start)).toEqual([[24, 0, 0]]);
  });
});

describe('tileEdge', () => {
  it('is the patch size without a tile size, the tile size capped by the volume, never below the patch', () => {
    expect(tileEdge({ patchSize: 32 }, [182, 218, 182])).toBe(32);
    expect(tileEdge({ patchSize: 32, tileSize: 64 }, [182, 218, 182])).toBe(64);
    // a 64^3 crop needs no 96^3 tile; 50 rounds up to 52
    expect(tileEdge({ patchSize: 32, tileSize: 96 }, [64, 64, 64])).toBe(64);
    expect(tileEdge({ patchSize: 32, tileSize: 96 }, [50, 40, 30])).toBe(52);
    expect(tileEdge({ patchSize: 32, tileSize: 96 }, [20, 20, 20])).toBe(32);
  });

  it('refuses a tile that is not a multiple of 4', () => {
    expect(() => tileEdge({ patchSize: 32, tileSize: 50 }, [182, 218, 182])).toThrow(/multiple of 4/);
  });
});

/** p = sigmoid(a x + b): every tile predicts the same value at a voxel, whatever its size or position. */
function pointwiseModel(a: number, b: number): tf.LayersModel {
  const input = tf.input({ shape: [null, null, null, 1] });
  const conv = new Conv3dLayer({ filters: 1, kernelSize: 1 });
  const prob = tf.layers.activation({ activation: 'sigmoid' }).apply(conv.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: prob });
  conv.setWeights([tf.tensor5d([a], [1, 1, 1, 1, 1]), tf.tensor1d([b])]);
  return model;
}

describe('segmentVolume with large tiles and a shifted mirror grid', () => {
  const dims: Vec3 = [40, 36, 30];
  const brain = new Uint8Array(dims[0] * dims[1] * dims[2]).fill(1);
  const flair = seededValues(brain.length, 3, -3, 3);
  const cases = [
    { name: '32^3 tiles for 16^3 patches', tileSize: 32, mirror: 'off' as const },
    { name: 'the mirrored pass on the shifted grid', tileSize: 16, mirror: 'on' as const, mirrorGrid: 'shifted' as const },
    { name: 'both, overlap 0.25', tileSize: 24, mirror: 'on' as const, mirrorGrid: 'shifted' as const, overlapFraction: 0.25 },
  ];
  for (const { name, ...overrides } of cases) {
    it(`fuses a field every tile predicts exactly back to it: ${name}`, async () => {
      const model = pointwiseModel(1.3, -0.4);
      const progress: number[][] = [];
      const { probability } = await segmentVolume(model, [flair], dims, brain, {
        ...DEFAULT_SEGMENT_OPTIONS, patchSize: 16, ...overrides, onProgress: (done, total) => void progress.push([done, total]),
      });
      let worst = 0;
      for (let v = 0; v < flair.length; v++) worst = Math.max(worst, Math.abs(probability[v] - sigmoid(1.3 * flair[v] - 0.4)));
      expect(worst).toBeLessThan(2e-6);
      const total = progress[0][1];
      expect(progress[0]).toEqual([0, total]);
      expect(progress[progress.length - 1]).toEqual([total, total]);
      model.dispose();
    });
  }
});

/**
 * A fully convolutional network without normalisation, with the light model's kinds of layer: 3x3x3
 * conv, 2x2x2 max pool, conv, nearest upsampling, skip concat, pointwise conv, sigmoid. Each output
 * voxel then depends only on the input within a fixed reach (here under 6 voxels), so a tile larger
 * than the patch must give the patch's probabilities wherever the patch's own border is out of reach.
 */
function fullyConvolutional(): tf.LayersModel {
  const input = tf.input({ shape: [null, null, null, 1] });
  const relu = () => tf.layers.reLU();
  const c1 = relu().apply(new Conv3dLayer({ filters: 3, kernelSize: 3 }).apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const down = new MaxPool3d({}).apply(c1) as tf.SymbolicTensor;
  const c2 = relu().apply(new Conv3dLayer({ filters: 3, kernelSize: 3 }).apply(down) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const up = new Upsample3d({}).apply(c2) as tf.SymbolicTensor;
  const merged = new ChannelConcat({}).apply([up, c1]) as tf.SymbolicTensor;
  const logits = new Conv3dLayer({ filters: 1, kernelSize: 1 }).apply(merged) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: tf.layers.activation({ activation: 'sigmoid' }).apply(logits) as tf.SymbolicTensor });
  let seed = 10;
  model.setWeights(model.getWeights().map((w) => tf.tensor(seededValues(w.size, seed++, -0.6, 0.6), w.shape)));
  return model;
}

describe('a tile larger than the patch', () => {
  it("gives the patch-wise probabilities in the core of each patch (away from the patch's border)", async () => {
    const model = fullyConvolutional();
    const dims: Vec3 = [32, 32, 32];
    const x = seededValues(32 ** 3, 7, -2, 2);
    const tile = await predictBatch(model, [x], dims, [{ start: [0, 0, 0], size: [32, 32, 32] }], false);
    // patches at even offsets (the pooling's phase), well inside the tile
    const patches: PatchBox[] = [{ start: [8, 8, 8], size: [16, 16, 16] }, { start: [10, 6, 12], size: [16, 16, 16] }];
    const margin = 6;
    let coreWorst = 0;
    let borderWorst = 0;
    for (const box of patches) {
      const p = await predictBatch(model, [x], dims, [box], false);
      for (let c = 0; c < 16; c++) for (let b = 0; b < 16; b++) for (let a = 0; a < 16; a++) {
        const [i, j, k] = [box.start[0] + a, box.start[1] + b, box.start[2] + c];
        const diff = Math.abs(p[a + 16 * (b + 16 * c)] - tile[i + 32 * (j + 32 * k)]);
        const inCore = [a, b, c].every((q) => q >= margin && q < 16 - margin);
        if (inCore) coreWorst = Math.max(coreWorst, diff);
        else borderWorst = Math.max(borderWorst, diff);
      }
    }
    expect(coreWorst).toBeLessThan(1e-5);
    // the patch's zero padding does reach its border voxels: there the two differ
    expect(borderWorst).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it('gives the tile a box of its own size in segmentVolume (fusion window and grid follow the tile)', async () => {
    const model = pointwiseModel(0.7, 0.2);
    const dims: Vec3 = [70, 40, 40];
    const brain = new Uint8Array(70 * 40 * 40).fill(1);
    const flair = seededValues(brain.length, 4, -1, 1);
    // 48^3 tiles at overlap 0.5: stride 24, starts i 0, 22; j 0; k 0 -> 2 tiles (the axis 40 pads to 48)
    const { timings } = await segmentVolume(model, [flair], dims, brain, { ...DEFAULT_SEGMENT_OPTIONS, patchSize: 16, tileSize: 48 });
    expect(timings.patches).toBe(2);
    model.dispose();
  });
});
