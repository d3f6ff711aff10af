/**
 * The worker's lazy model singleton: one model in memory, keyed by URL and backend, loaded on first
 * use and kept for later runs. Requests are served one at a time: a preload of the demo's model
 * still loading when a run asks for another model used to finish after it and replace it in the
 * cache without freeing it (72 tensors leaked per race, seen in the soak test).
 */
import * as tf from '@tensorflow/tfjs';
import '../model/layers/register-all.ts';
import { isModelMeta, type ModelMeta } from '../model/model-meta.ts';
import type { ModelRef } from './protocol.ts';

interface Cached {
  key: string;
  model: tf.LayersModel;
  meta: ModelMeta;
}

let cached: Cached | null = null;
/** The last request in line; each getModel starts once the one before it has settled. */
let queue: Promise<unknown> = Promise.resolve();

type Loaded = { model: tf.LayersModel; meta: ModelMeta; loadMs: number; cached: boolean };

/** The model of `ref` on the active backend, loading it when it is not the cached one. */
export function getModel(ref: ModelRef): Promise<Loaded> {
  const next = queue.then(() => loadModel(ref));
  queue = next.catch(() => undefined);
  return next;
}

async function loadModel(ref: ModelRef): Promise<Loaded> {
  const key = `${ref.url}@${tf.getBackend()}`;
  if (cached?.key === key) return { model: cached.model, meta: cached.meta, loadMs: 0, cached: true };
  dropModel();
  const started = performance.now();
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(ref.url);
  } catch (error) {
    throw new Error(
      `cannot load model "${ref.name}" from ${ref.url}: ${(error as Error).message}. ` +
        'Is the model folder in public/models with model.json and weights.bin?',
    );
  }
  const meta = model.getUserDefinedMetadata();
  if (!isModelMeta(meta)) {
    model.dispose();
    throw new Error(`model "${ref.name}" has no lesion-workbench metadata (modalities, patch size) in model.json`);
  }
  // a model cached while this one loaded (cacheModelAs) gives way: one model in memory
  if (cached && cached.model !== model) dropModel();
  cached = { key, model, meta };
  return { model, meta, loadMs: performance.now() - started, cached: false };
}

/**
 * Makes `model` the cached one under `ref` with `meta` (a fine-tuned or imported model): a later
 * getModel(ref) returns it, and the model it came from is loaded again from its files when asked for.
 */
export function cacheModelAs(ref: ModelRef, model: tf.LayersModel, meta: ModelMeta): void {
  if (cached && cached.model !== model) dropModel();
  model.setUserDefinedMetadata(meta);
  cached = { key: `${ref.url}@${tf.getBackend()}`, model, meta };
}

/** Frees the cached model (its weights live on the backend that loaded them). */
export function dropModel(): void {
  if (!cached) return;
  try {
    cached.model.dispose();
  } catch {
    // a lost device cannot free its buffers; dropping the reference is enough
  }
  cached = null;
}
