/**
 * The fine-tuned model in the browser's IndexedDB (TUNED_MODEL.url): save, look up, export as tfjs
 * files, import from such files, delete. tfjs's own IndexedDB handler does the storage.
 */
import * as tf from '@tensorflow/tfjs';
import { isModelMeta, type ModelMeta } from '../model/model-meta.ts';
import { cacheModelAs, dropModel, getModel } from './model-cache.ts';
import { type SavedTunedModel, TUNED_MODEL } from './protocol.ts';

/** Saves `model` with `meta` as the tuned model; returns what the page shows about it. */
export async function saveTunedModel(model: tf.LayersModel, meta: ModelMeta): Promise<SavedTunedModel> {
  model.setUserDefinedMetadata(meta);
  const info = await model.save(TUNED_MODEL.url);
  return { savedAtIso: (info.modelArtifactsInfo.dateSaved ?? new Date()).toISOString(), meta };
}

/** The saved tuned model, or null when there is none (or IndexedDB is unavailable). */
export async function findTunedModel(): Promise<SavedTunedModel | null> {
  const all = await tf.io.listModels().catch(() => ({}) as Record<string, tf.io.ModelArtifactsInfo>);
  const info = all[TUNED_MODEL.url];
  if (!info) return null;
  // the stored artifacts carry the metadata: no need to build the model
  const [handler] = tf.io.getLoadHandlers(TUNED_MODEL.url);
  const meta = handler?.load ? (await handler.load()).userDefinedMetadata : null;
  if (!isModelMeta(meta)) return null;
  return { savedAtIso: new Date(info.dateSaved).toISOString(), meta };
}

/** The tuned model as tfjs files: model.json (weights manifest naming tuned.weights.bin) and the weights. */
export async function tunedModelFiles(): Promise<{ modelJson: string; weights: ArrayBuffer }> {
  const { model } = await getModel(TUNED_MODEL);
  let files: { modelJson: string; weights: ArrayBuffer } | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = artifacts.weightData;
    if (!(weights instanceof ArrayBuffer)) throw new Error('the tuned model has no single weights buffer to export');
    const json = {
      modelTopology: artifacts.modelTopology, format: artifacts.format, generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null, userDefinedMetadata: artifacts.userDefinedMetadata,
      weightsManifest: [{ paths: ['tuned.weights.bin'], weights: artifacts.weightSpecs ?? [] }],
    };
    files = { modelJson: JSON.stringify(json), weights };
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
  return files!;
}

/** Loads a model.json and its weights file (as downloaded) and makes them the saved tuned model. */
export async function importTunedModel(files: File[]): Promise<SavedTunedModel> {
  const json = files.find((f) => f.name.endsWith('.json'));
  const weights = files.filter((f) => f !== json);
  if (!json || weights.length === 0) throw new Error('choose the model.json file and its weights (.bin) file together');
  const model = await tf.loadLayersModel(tf.io.browserFiles([json, ...weights]));
  const meta = model.getUserDefinedMetadata();
  if (!isModelMeta(meta)) {
    model.dispose();
    throw new Error(`${json.name} is not a lesion-workbench model (no modalities or patch size in its metadata)`);
  }
  cacheModelAs(TUNED_MODEL, model, meta);
  return saveTunedModel(model, meta);
}

/** Deletes the saved tuned model and forgets it in memory (the shipped models are untouched). */
export async function resetTunedModel(): Promise<void> {
  dropModel();
  await tf.io.removeModel(TUNED_MODEL.url).catch(() => undefined);
}
