/**
 * The worker's model cache holds one model: requests that overlap (a preload of the demo's model
 * still loading when a run asks for another) must not leave a second model's weights behind.
 * Models are served by a load router with a delay per URL, so the slower load finishes last.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dropModel, getModel } from '../../src/worker/model-cache.ts';
import { useBackend } from '../model/tf-backend.ts';

const META = { format: 'lesion-workbench-model/1', modalities: ['flair'], patchSize: 8 };

/** A dense model with `inputs` inputs and `units` units: 2 weight tensors of known size. */
async function artifactsOf(inputs: number, units: number): Promise<tf.io.ModelArtifacts> {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [inputs], units })] });
  model.setUserDefinedMetadata(META);
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
  model.dispose();
  return saved!;
}

const served = new Map<string, { artifacts: tf.io.ModelArtifacts; delayMs: number }>();

beforeAll(async () => {
  await useBackend('cpu');
  served.set('race://slow', { artifacts: await artifactsOf(5, 3), delayMs: 120 });
  served.set('race://fast', { artifacts: await artifactsOf(4, 3), delayMs: 5 });
  // a router answers null for URLs that are not its own (tfjs's typing leaves that out)
  const router = (url: string | string[]): tf.io.IOHandler | null => {
    const entry = typeof url === 'string' ? served.get(url) : undefined;
    if (!entry) return null;
    return {
      load: async () => {
        await new Promise((resolve) => setTimeout(resolve, entry.delayMs));
        return entry.artifacts;
      },
    };
  };
  tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerLoadRouter>[0]);
});

describe('getModel', () => {
  it('keeps one model in memory when a slow load overlaps a later request for another model', async () => {
    dropModel();
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    const slow = getModel({ name: 'slow', url: 'race://slow' });
    const fast = getModel({ name: 'fast', url: 'race://fast' });
    const [a, b] = await Promise.all([slow, fast]);
    expect(a.model.inputs[0].shape).toEqual([null, 5]);
    expect(b.model.inputs[0].shape).toEqual([null, 4]);
    // the later request wins the cache; the slow model was freed when it gave way
    expect(tf.memory().numTensors - before).toBe(2);
    expect(tf.memory().numBytes - bytesBefore).toBe((4 * 3 + 3) * 4);
    const again = await getModel({ name: 'fast', url: 'race://fast' });
    expect(again.cached).toBe(true);
    expect(again.model).toBe(b.model);
    dropModel();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a failed load does not block the requests after it', async () => {
    const failed = getModel({ name: 'missing', url: 'race://missing' });
    const next = getModel({ name: 'fast', url: 'race://fast' });
    await expect(failed).rejects.toThrow(/cannot load model "missing"/);
    expect((await next).model.inputs[0].shape).toEqual([null, 4]);
    dropModel();
  });
});
