import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNifti, writeNifti } from '../../src/core/nifti-io.ts';
import { generatePhantom } from '../../src/core/phantom.ts';
import type { Volume } from '../../src/core/types.ts';
import { Conv3dLayer } from '../../src/model/layers/conv3d-layer.ts';
import type { ModelMeta } from '../../src/model/model-meta.ts';
import { prepareCase } from '../../src/worker/case-state.ts';
import { runSegmentation } from '../../src/worker/run-segment.ts';
import { asSagittal } from '../../e2e/helpers/volumes.ts';
import { seededValues, useBackend } from '../model/tf-backend.ts';

beforeAll(async () => {
  await useBackend('wasm');
});

/** A random 3x3x3 convolution and a sigmoid: a real network whose output depends on the axes' order and direction. */
function convModel(channels: number): tf.LayersModel {
  const input = tf.input({ shape: [null, null, null, channels] });
  const conv = new Conv3dLayer({ filters: 1, kernelSize: 3 });
  const prob = tf.layers.activation({ activation: 'sigmoid' }).apply(conv.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: prob });
  conv.setWeights([tf.tensor5d(seededValues(27 * channels, 5, -0.5, 0.5), [3, 3, 3, channels, 1]), tf.tensor1d([0.1])]);
  return model;
}

const META = { modalities: ['flair', 't1', 't2'], patchSize: 16 } as unknown as ModelMeta;
const SETTINGS = { threshold: 0.5, overlapFraction: 0.5, window: 'bspline' as const, bsplineOrder: 2, batchSize: 4, mirror: 'off' as const, lesionFilter: null };
const HOOKS = { onProgress: async () => undefined, checkpoint: () => undefined };

describe('runSegmentation on the model grid', () => {
  it('gives a sagittally stored scan the result of the same scan stored as the training data (LAS)', async () => {
    const phantom = generatePhantom({ dims: [28, 32, 24], seed: 6, lesionCount: 3 });
    const model = convModel(3);
    const scans = { flair: phantom.flair, t1: phantom.t1, t2: phantom.t2 };
    const caseOf = (s: typeof scans) => prepareCase(null, {
      type: 'set-case', caseKey: 1, truth: null,
      scans: { flair: { id: 'f', volume: s.flair }, t1: { id: 't1', volume: s.t1 }, t2: { id: 't2', volume: s.t2 } },
    });
    const direct = await runSegmentation(model, META, caseOf(scans), SETTINGS, HOOKS);
    expect(direct.notes).toEqual([]);
    const sagittal = { flair: asSagittal(phantom.flair), t1: asSagittal(phantom.t1), t2: asSagittal(phantom.t2) };
    const moved = await runSegmentation(model, META, caseOf(sagittal), SETTINGS, HOOKS);
    expect(moved.notes.join()).toMatch(/reoriented from AIR to LAS/);
    // on the sagittal scan's own grid, equal to the direct result stored sagittally
    const expected = asSagittal({ ...phantom.flair, data: direct.probability }).data;
    let worst = 0;
    for (let v = 0; v < expected.length; v++) worst = Math.max(worst, Math.abs(moved.probability[v] - expected[v]));
    expect(worst).toBeLessThan(1e-5);
    // and not by accident: the same files without orientation in their headers (sform and qform
    // codes 0) keep their stored order, and the network gives another map
    const unoriented = (v: Volume) => {
      const bytes = writeNifti(v, 'float32');
      new DataView(bytes.buffer, bytes.byteOffset).setInt16(252, 0, true);
      new DataView(bytes.buffer, bytes.byteOffset).setInt16(254, 0, true);
      return readNifti(bytes);
    };
    const stored = { flair: unoriented(sagittal.flair), t1: unoriented(sagittal.t1), t2: unoriented(sagittal.t2) };
    const unmoved = await runSegmentation(model, META, caseOf(stored), SETTINGS, HOOKS);
    // with one note, that the axis order was taken as LAS, and none on reorientation
    expect(unmoved.notes).toEqual([expect.stringMatching(/header gives no orientation .*taken to point left, anterior and superior \(LAS\)/)]);
    let differs = 0;
    for (let v = 0; v < expected.length; v++) differs = Math.max(differs, Math.abs(unmoved.probability[v] - expected[v]));
    expect(differs).toBeGreaterThan(0.01);
    model.dispose();
  });
});
