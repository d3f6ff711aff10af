import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../../src/core/types.ts';
import { Conv3dLayer } from '../../src/model/layers/conv3d-layer.ts';
import { FusionAccumulator } from '../../src/core/fusion.ts';
import { fusionWindow } from '../../src/core/fusion-window.ts';
import { patchGrid } from '../../src/core/patch-grid.ts';
import { DEFAULT_SEGMENT_OPTIONS, localSlot, predictBatch, segmentVolume, type PatchPredictor, type SegmentOptions } from '../../src/model/segment-volume.ts';
import { candidateMask, segmentTwoPass, type TwoPassOptions } from '../../src/model/two-pass.ts';
import { seededValues, useBackend } from './tf-backend.ts';
import { leftNeighbourModel } from './test-models.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('candidateMask', () => {
  it('marks voxels above the cut and grows them by a box of the given reach', () => {
    const dims: Vec3 = [5, 4, 3];
    const p = new Float32Array(60);
    p[1 + 5 * (1 + 4 * 1)] = 0.3; // (1, 1, 1)
    p[4 + 5 * (3 + 4 * 2)] = 0.05; // (4, 3, 2): not above 0.1
    expect([...candidateMask(p, dims, 0.1, 0)].reduce((a, b) => a + b, 0)).toBe(1);
    const grown = candidateMask(p, dims, 0.1, 1);
    // (0..2) x (0..2) x (0..2) around (1, 1, 1)
    let count = 0;
    for (let k = 0; k < 3; k++) for (let j = 0; j < 4; j++) for (let i = 0; i < 5; i++) {
      const inside = i <= 2 && j <= 2 && k <= 2;
      expect(grown[i + 5 * (j + 4 * k)]).toBe(inside ? 1 : 0);
      count += grown[i + 5 * (j + 4 * k)];
    }
    expect(count).toBe(27);
  });
});

/** `model` in this thread, recording each call as "flipped:i,j,k" (one entry per patch). */
function recordingPredictor(model: tf.LayersModel): { predictor: PatchPredictor; runs: string[] } {
  const slot = localSlot(model);
  const runs: string[] = [];
  const predictor: PatchPredictor = {
    parallel: 1, start: slot.start,
    predict: (boxes, flipped) => {
      for (const b of boxes) runs.push(`${flipped}:${b.start.join(',')}`);
      return slot.predict(boxes, flipped);
    },
  };
  return { predictor, runs };
}

describe('segmentTwoPass', () => {
  const dims: Vec3 = [48, 40, 36];
  const brain = new Uint8Array(48 * 40 * 36).fill(1);
  // a lesion-like blob: high values in one corner region, low elsewhere
  const flair = seededValues(brain.length, 9, -4, -2);
  for (let k = 4; k < 12; k++) for (let j = 4; j < 12; j++) for (let i = 4; i < 14; i++) flair[i + 48 * (j + 40 * k)] = 3;
  const full: SegmentOptions = { ...DEFAULT_SEGMENT_OPTIONS, patchSize: 16, overlapFraction: 0.5, mirror: 'on', mirrorGrid: 'same' };
  const twoPass: TwoPassOptions = { coarse: { overlapFraction: 0, mirror: 'on', mirrorGrid: 'shifted' }, candidateAbove: 0.5, dilateVoxels: 1, coreMargin: 0, minTiles: 0 };

  it("gives every candidate voxel the full grid's value and every other voxel the first pass's", async () => {
    const model = leftNeighbourModel(1.5, 0);
    const reference = await segmentVolume(model, [flair], dims, brain, full);
    const coarse = await segmentVolume(model, [flair], dims, brain, { ...full, ...twoPass.coarse });
    const progress: number[][] = [];
    const { probability, timings } = await segmentTwoPass(model, [flair], dims, brain, { ...full, onProgress: (d, t) => void progress.push([d, t]) }, twoPass);
    const candidates = candidateMask(coarse.probability, dims, 0.5, 1);
    let candidateCount = 0;
    let worstCandidate = 0;
    let worstOther = 0;
    let fullDiffersElsewhere = 0;
    for (let v = 0; v < probability.length; v++) {
      if (candidates[v]) {
        candidateCount++;
        worstCandidate = Math.max(worstCandidate, Math.abs(probability[v] - reference.probability[v]));
      } else {
        worstOther = Math.max(worstOther, Math.abs(probability[v] - coarse.probability[v]));
        fullDiffersElsewhere = Math.max(fullDiffersElsewhere, Math.abs(reference.probability[v] - coarse.probability[v]));
      }
    }
    expect(candidateCount).toBeGreaterThan(500);
    expect(worstCandidate).toBeLessThan(1e-6);
    expect(worstOther).toBe(0);
    // the two grids do disagree somewhere outside the candidates: the check above can tell them apart
    expect(fullDiffersElsewhere).toBeGreaterThan(1e-3);
    // only the full grid's tiles holding a candidate ran in the second pass
    expect(timings.finePatches).toBeGreaterThan(0);
    expect(timings.finePatches).toBeLessThan(reference.timings.patches);
    expect(progress[progress.length - 1][0]).toBe(progress[progress.length - 1][1]);
    model.dispose();
  });

  it('never runs a tile twice: the second pass fuses the first pass tiles it shares instead of running them', async () => {
    const model = leftNeighbourModel(1.5, 0);
    const { predictor, runs } = recordingPredictor(model);
    const reference = await segmentVolume(model, [flair], dims, brain, full);
    const { probability, timings } = await segmentTwoPass(model, [flair], dims, brain, { ...full, predictor }, twoPass);
    expect(new Set(runs).size).toBe(runs.length);
    expect(timings.voxelsComputed).toBe(runs.length * 16 ** 3);
    expect(timings.calls).toBe(runs.length);
    // the second pass counts only the patches it still ran (two calls each, to rounding)
    const coarse = await segmentVolume(model, [flair], dims, brain, { ...full, ...twoPass.coarse });
    const fineCalls = runs.length - coarse.timings.calls;
    expect(coarse.timings.calls).toBe(coarse.timings.voxelsComputed / 16 ** 3);
    expect(Math.abs(fineCalls - 2 * timings.finePatches)).toBeLessThanOrEqual(1);
    expect(timings.finePatches).toBeLessThan(reference.timings.patches);
    // and the values are still the full grid's where the second pass ran
    const candidates = candidateMask(coarse.probability, dims, 0.5, 1);
    let worst = 0;
    for (let v = 0; v < probability.length; v++) if (candidates[v]) worst = Math.max(worst, Math.abs(probability[v] - reference.probability[v]));
    expect(worst).toBeLessThan(1e-6);
    model.dispose();
  });

  it("with fineMirror 'reused' runs no flipped tile after the first pass: candidates get the plain full grid and the first pass's flips", async () => {
    const model = leftNeighbourModel(1.5, 0);
    const { predictor, runs } = recordingPredictor(model);
    const size: Vec3 = [16, 16, 16];
    const { probability, timings } = await segmentTwoPass(model, [flair], dims, brain, { ...full, predictor }, { ...twoPass, fineMirror: 'reused' });
    // the first pass's flips (its shifted grid) are the only flipped calls
    const shifted = patchGrid(dims, size, 0, brain, true);
    expect(runs.filter((r) => r.startsWith('true')).length).toBe(shifted.length);
    expect(timings.calls).toBe(runs.length);
    // by hand: every plain tile of the full grid and the shifted grid's flipped tiles, B-spline fused
    const fusion = new FusionAccumulator(dims, fusionWindow('bspline', size, 2), size);
    for (const box of patchGrid(dims, size, 0.5, brain)) fusion.add(box, await predictBatch(model, [flair], dims, [box], false));
    for (const box of shifted) fusion.add(box, await predictBatch(model, [flair], dims, [box], true));
    const expected = fusion.result();
    const plainOnly = await segmentVolume(model, [flair], dims, brain, { ...full, mirror: 'off' });
    const coarse = await segmentVolume(model, [flair], dims, brain, { ...full, ...twoPass.coarse });
    const candidates = candidateMask(coarse.probability, dims, 0.5, 1);
    let worst = 0;
    let flipsMatter = 0;
    for (let v = 0; v < probability.length; v++) {
      if (!candidates[v]) continue;
      worst = Math.max(worst, Math.abs(probability[v] - expected[v]));
      flipsMatter = Math.max(flipsMatter, Math.abs(plainOnly.probability[v] - expected[v]));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(flipsMatter).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it("mirrorGrid 'halves': the flipped tiles of both overlap-0 grids fused apart and averaged half and half with the plain fusion", async () => {
    const model = leftNeighbourModel(1.5, 0);
    const size: Vec3 = [16, 16, 16];
    const { probability, timings } = await segmentVolume(model, [flair], dims, brain, { ...full, mirrorGrid: 'halves' });
    const plainGrid = patchGrid(dims, size, 0.5, brain);
    const both = [...patchGrid(dims, size, 0, brain), ...patchGrid(dims, size, 0, brain, true)];
    // a box both grids hold (their last starts meet) is one tile, fused once
    const flipGrids = [...new Map(both.map((box) => [box.start.join(), box])).values()];
    expect(flipGrids.length).toBeLessThan(both.length);
    expect(timings.calls).toBe(plainGrid.length + flipGrids.length);
    // by hand: two B-spline fusions, each normalised by its own weights, then their mean
    const plain = new FusionAccumulator(dims, fusionWindow('bspline', size, 2), size);
    for (const box of plainGrid) plain.add(box, await predictBatch(model, [flair], dims, [box], false));
    const flipped = new FusionAccumulator(dims, fusionWindow('bspline', size, 2), size);
    for (const box of flipGrids) flipped.add(box, await predictBatch(model, [flair], dims, [box], true));
    const a = plain.result();
    const b = flipped.result();
    let worst = 0;
    let halvesDiffer = 0;
    for (let v = 0; v < a.length; v++) {
      worst = Math.max(worst, Math.abs(probability[v] - 0.5 * (a[v] + b[v])));
      halvesDiffer = Math.max(halvesDiffer, Math.abs(a[v] - b[v]));
    }
    expect(worst).toBeLessThan(1e-6);
    expect(halvesDiffer).toBeGreaterThan(1e-3);
    model.dispose();
  });

  it("with fineMirror 'halves' the second pass runs only the overlap-0 flipped tiles the first pass did not", async () => {
    const model = leftNeighbourModel(1.5, 0);
    const { predictor, runs } = recordingPredictor(model);
    const size: Vec3 = [16, 16, 16];
    const { probability } = await segmentTwoPass(model, [flair], dims, brain, { ...full, predictor }, { ...twoPass, fineMirror: 'halves' });
    expect(new Set(runs).size).toBe(runs.length);
    // every flipped call is on one of the two overlap-0 grids
    const overlap0 = new Set([...patchGrid(dims, size, 0, brain), ...patchGrid(dims, size, 0, brain, true)].map((b) => `true:${b.start.join(',')}`));
    const flippedRuns = runs.filter((r) => r.startsWith('true'));
    expect(flippedRuns.length).toBeGreaterThan(0);
    for (const r of flippedRuns) expect(overlap0.has(r)).toBe(true);
    // candidates get what a whole 'halves' run gives them (coreMargin 0: every tile covering them runs)
    const whole = await segmentVolume(model, [flair], dims, brain, { ...full, mirrorGrid: 'halves' });
    const coarse = await segmentVolume(model, [flair], dims, brain, { ...full, ...twoPass.coarse });
    const candidates = candidateMask(coarse.probability, dims, 0.5, 1);
    let worst = 0;
    for (let v = 0; v < probability.length; v++) if (candidates[v]) worst = Math.max(worst, Math.abs(probability[v] - whole.probability[v]));
    expect(worst).toBeLessThan(1e-6);
    model.dispose();
  });

  it('runs a grid of fewer than minTiles tiles whole, as segmentVolume does', async () => {
    const model = leftNeighbourModel(1.5, 0);
    const reference = await segmentVolume(model, [flair], dims, brain, full);
    const { probability, timings } = await segmentTwoPass(model, [flair], dims, brain, full, { ...twoPass, minTiles: reference.timings.patches + 1 });
    expect(timings.coarsePatches).toBe(0);
    expect(timings.finePatches).toBe(reference.timings.patches);
    expect(Math.max(...probability.map((p, v) => Math.abs(p - reference.probability[v])))).toBe(0);
    model.dispose();
  });

  it('fuses a field every tile predicts exactly back to it, candidates or not (pointwise model)', async () => {
    const input = tf.input({ shape: [null, null, null, 1] });
    const conv = new Conv3dLayer({ filters: 1, kernelSize: 1 });
    const model = tf.model({ inputs: input, outputs: tf.layers.activation({ activation: 'sigmoid' }).apply(conv.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor });
    conv.setWeights([tf.tensor5d([1.2], [1, 1, 1, 1, 1]), tf.tensor1d([0.3])]);
    const { probability, timings } = await segmentTwoPass(model, [flair], dims, brain, full, { ...twoPass, coreMargin: 3 });
    expect(timings.finePatches).toBeGreaterThan(0);
    let worst = 0;
    for (let v = 0; v < flair.length; v++) worst = Math.max(worst, Math.abs(probability[v] - 1 / (1 + Math.exp(-(1.2 * flair[v] + 0.3)))));
    expect(worst).toBeLessThan(2e-6);
    model.dispose();
  });

  it('stops after the first pass when nothing is a candidate', async () => {
    const model = leftNeighbourModel(0.1, -8);
    const { probability, timings } = await segmentTwoPass(model, [flair], dims, brain, full, twoPass);
    expect(timings.finePatches).toBe(0);
    expect(Math.max(...probability)).toBeLessThan(0.01);
    model.dispose();
  });
});
