/** The shipped models listed by public/models/index.json. */
import { type ModelRef, TUNED_MODEL } from '../worker/protocol.ts';
import type { ModelEntry } from './state/workbench-state.ts';

interface ModelIndex {
  default?: string;
  models?: { name: string; title?: string }[];
}

/** Fetches the model list; throws a readable Error when it is missing or malformed. */
export async function fetchModelIndex(baseUrl: string): Promise<{ models: ModelEntry[]; defaultModel: string | null }> {
  const url = `${baseUrl}models/index.json`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load the model list ${url}: HTTP ${response.status}`);
  const index = (await response.json()) as ModelIndex;
  const models = (index.models ?? []).filter((m) => typeof m.name === 'string').map((m) => ({ name: m.name, title: m.title ?? m.name }));
  if (models.length === 0) throw new Error(`the model list ${url} names no model`);
  const defaultModel = models.some((m) => m.name === index.default) ? index.default! : models[0].name;
  return { models, defaultModel };
}

/** Where a model's model.json is: a shipped one's absolute URL (the worker fetches it), or the tuned model's IndexedDB key. */
export function modelRef(baseUrl: string, name: string): ModelRef {
  if (name === TUNED_MODEL.name) return TUNED_MODEL;
  return { name, url: new URL(`${baseUrl}models/${encodeURIComponent(name)}/model.json`, window.location.href).href };
}
