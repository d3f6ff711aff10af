import { assertFinite } from '../core/nifti-io.ts';
import { brainMaskFrom, zscoreInBrain } from '../core/normalize.ts';
import type { Volume } from '../core/types.ts';
import { assertSameGrid } from '../core/volume.ts';
import type { Modality, ModelMeta } from './model-meta.ts';

export const MODALITY_LABELS: Readonly<Record<Modality, string>> = { flair: 'FLAIR', t1: 'T1', t2: 'T2', t1post: 'T1 post-contrast' };

/** The network's input: normalised channels in the model's order, the brain, and what was dropped or blank. */
export interface ModelInput {
  channels: Float32Array[];
  brain: Uint8Array;
  /** Given modalities the model does not use. */
  ignored: Modality[];
  /** Modalities the model takes that were not given: fed as 0 (the brain mean after z-scoring). */
  missing: Modality[];
}

/**
 * Checks and normalises scans for a model: FLAIR is required, all scans must share one grid and be
 * finite; each used modality is z-scored inside the FLAIR > 0 brain. Models are trained with
 * modality dropout, so a missing T1/T2 is given as a blank (0) channel.
 */
export function prepareModelInput(scans: Partial<Record<Modality, Volume>>, meta: Pick<ModelMeta, 'modalities'>): ModelInput {
  const flair = scans.flair;
  if (!flair) throw new Error('a FLAIR scan is required');
  const given = (Object.keys(scans) as Modality[]).filter((m) => scans[m]);
  assertSameGrid(given.map((m) => ({ name: MODALITY_LABELS[m], volume: scans[m] as Volume })));
  for (const m of given) assertFinite(scans[m] as Volume, MODALITY_LABELS[m]);
  const brain = brainMaskFrom(flair);
  const channels = meta.modalities.map((m) => {
    const scan = scans[m];
    return scan ? zscoreInBrain(scan, brain, MODALITY_LABELS[m]) : new Float32Array(flair.data.length);
  });
  return {
    channels,
    brain,
    ignored: given.filter((m) => !meta.modalities.includes(m)),
    missing: meta.modalities.filter((m) => !scans[m]),
  };
}

/** A binary mask from a probability map: 1 where p >= threshold. */
export function thresholdProbability(probability: Float32Array, threshold: number): Uint8Array {
  const mask = new Uint8Array(probability.length);
  for (let v = 0; v < probability.length; v++) mask[v] = probability[v] >= threshold ? 1 : 0;
  return mask;
}
