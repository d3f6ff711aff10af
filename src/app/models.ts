/** The shipped models listed by public/models/index.json. */
import { type ModelIndex, parseModelIndex } from '../model/model-index.ts';
import { type ModelRef, TUNED_MODEL } from '../worker/protocol.ts';

/** Fetches the model list; throws a readable Error when it is missing or malformed. */
export async function fetchModelIndex(baseUrl: string): Promise<ModelIndex> {
  const url = `${baseUrl}models/index.json`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load the model list ${url}: HTTP ${response.status}`);
  return parseModelIndex(await response.json(), url);
}

/** Where a model's model.json is: a shipped one's absolute URL (the worker fetches it), or the tuned model's IndexedDB key. */
export function modelRef(baseUrl: string, name: string): ModelRef {
  if (name === TUNED_MODEL.name) return TUNED_MODEL;
  return { name, url: new URL(`${baseUrl}models/${encodeURIComponent(name)}/model.json`, window.location.href).href };
}
