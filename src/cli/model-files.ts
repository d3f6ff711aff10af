import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '../model/layers/register-all.ts';
import { isModelMeta, type ModelMeta } from '../model/model-meta.ts';

const WEIGHTS_FILE = 'weights.bin';

/**
 * Writes a model in the tfjs layers format (model.json + one weight shard), the files
 * tf.loadLayersModel(url) reads in the browser as they are.
 */
export async function saveModelDir(model: tf.LayersModel, dir: string, meta: ModelMeta): Promise<void> {
  await mkdir(dir, { recursive: true });
  model.setUserDefinedMetadata(meta as unknown as Record<string, unknown>);
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
      userDefinedMetadata: artifacts.userDefinedMetadata,
    };
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    const data = artifacts.weightData as ArrayBuffer;
    await writeFile(path.join(dir, WEIGHTS_FILE), new Uint8Array(data));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

/** Loads a model folder written by saveModelDir (or any single- or multi-shard tfjs layers model). */
export async function loadModelDir(dir: string): Promise<{ model: tf.LayersModel; meta: ModelMeta }> {
  const jsonPath = path.join(dir, 'model.json');
  let json: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; userDefinedMetadata?: unknown };
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read model ${jsonPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const shards = await Promise.all(json.weightsManifest.flatMap((group) => group.paths)
    .map((p) => readFile(path.join(dir, p))));
  const weightData = concatBuffers(shards);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs, weightData, userDefinedMetadata: json.userDefinedMetadata as {},
  }));
  const meta = json.userDefinedMetadata;
  if (!isModelMeta(meta)) throw new Error(`${jsonPath} has no lesion-workbench metadata (modalities, patch size)`);
  return { model, meta };
}

function concatBuffers(parts: readonly Uint8Array[]): ArrayBuffer {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out.buffer;
}
