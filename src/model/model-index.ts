/**
 * public/models/index.json: the shipped models, the default, and the default for a case that has
 * only some modalities (a FLAIR-only scan gets the model trained on FLAIR alone, which does better
 * than the three-modality model with blank T1 and T2 on 1 mm scans, but worse on thick slices: a
 * rule may stop at a voxel size). The browser and the CLI choose alike.
 */
import type { Modality } from './model-meta.ts';

export interface ModelIndexEntry {
  name: string;
  title: string;
}

export interface ModelIndex {
  models: ModelIndexEntry[];
  /** The model for a case with every modality, or with a set no `defaultsFor` rule names. */
  defaultModel: string;
  /** The model for a case whose scans are exactly these modalities (first match wins). */
  defaultsFor: DefaultRule[];
}

export interface DefaultRule {
  modalities: Modality[];
  model: string;
  /** The rule holds only for a FLAIR whose longest voxel side is shorter than this (mm). */
  maxVoxelMm?: number;
}

/** Reads index.json's parsed JSON; throws a readable Error naming `source` when it is unusable. */
export function parseModelIndex(json: unknown, source: string): ModelIndex {
  const raw = (json ?? {}) as { default?: unknown; models?: unknown; defaultsFor?: unknown };
  const listed = Array.isArray(raw.models) ? raw.models as { name?: unknown; title?: unknown }[] : [];
  const models = listed.filter((m) => typeof m?.name === 'string')
    .map((m) => ({ name: m.name as string, title: typeof m.title === 'string' ? m.title : m.name as string }));
  if (models.length === 0) throw new Error(`the model list ${source} names no model`);
  const known = (name: unknown): name is string => models.some((m) => m.name === name);
  const rules = Array.isArray(raw.defaultsFor) ? raw.defaultsFor as { modalities?: unknown; model?: unknown; maxVoxelMm?: unknown }[] : [];
  return {
    models,
    defaultModel: known(raw.default) ? raw.default : models[0].name,
    // a rule naming a model that is not listed is dropped, so a stale index cannot break the choice
    defaultsFor: rules.filter((r) => known(r?.model) && Array.isArray(r.modalities))
      .map((r) => ({
        modalities: r.modalities as Modality[], model: r.model as string,
        ...(typeof r.maxVoxelMm === 'number' && r.maxVoxelMm > 0 ? { maxVoxelMm: r.maxVoxelMm } : {}),
      })),
  };
}

/**
 * The model a case with these scans gets unless the user picks another. `flairVoxelMm` is the FLAIR's
 * voxel size; without it a rule's `maxVoxelMm` is not checked.
 */
export function defaultModelFor(
  index: Pick<ModelIndex, 'defaultModel' | 'defaultsFor'>,
  given: readonly Modality[],
  flairVoxelMm?: readonly number[],
): string {
  const same = (a: readonly Modality[]) => a.length === given.length && a.every((m) => given.includes(m));
  const longest = flairVoxelMm ? Math.max(...flairVoxelMm) : 0;
  const fits = (rule: DefaultRule) => rule.maxVoxelMm === undefined || longest < rule.maxVoxelMm;
  return index.defaultsFor.find((rule) => same(rule.modalities) && fits(rule))?.model ?? index.defaultModel;
}
