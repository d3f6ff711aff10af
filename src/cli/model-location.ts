import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultModelFor, parseModelIndex } from '../model/model-index.ts';
import type { Modality } from '../model/model-meta.ts';

/** public/models of this checkout: the models shipped with the app, loaded by name. */
export const SHIPPED_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/models');

/** public/models/index.json: the shipped models and their defaults, the same rules the app applies. */
const indexPath = path.join(SHIPPED_MODELS_DIR, 'index.json');
const SHIPPED_INDEX = parseModelIndex(JSON.parse(readFileSync(indexPath, 'utf8')), indexPath);

/** The default model (index.json's `default`: the asymmetric-loss, beta = 1.5, light FC-DenseNet). */
export const DEFAULT_MODEL = SHIPPED_INDEX.defaultModel;

/**
 * The shipped model that scans of these modalities (and this FLAIR voxel size) get when no --model is
 * given (index.json's `defaultsFor`).
 */
export function defaultModelForScans(given: readonly Modality[], flairVoxelMm?: readonly number[]): string {
  return defaultModelFor(SHIPPED_INDEX, given, flairVoxelMm);
}

/** A model folder from a shipped model name (public/models/NAME) or a path to a folder with model.json. */
export function resolveModelDir(nameOrDir: string): string {
  const shipped = path.join(SHIPPED_MODELS_DIR, nameOrDir);
  if (existsSync(path.join(shipped, 'model.json'))) return shipped;
  if (existsSync(path.join(nameOrDir, 'model.json'))) return nameOrDir;
  throw new Error(`no model "${nameOrDir}": give a shipped model name (see public/models) or a folder holding model.json`);
}
