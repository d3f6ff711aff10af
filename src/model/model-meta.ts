import type { LossName } from './losses.ts';
import type { PresetName } from './presets.ts';

import type { Modality } from '../core/types.ts';
import { type LesionFilterRule, NO_LESION_FILTER } from '../core/lesion-filter.ts';

/** Re-exported: modalities are plain data (core/types.ts) that the model's metadata names. */
export type { Modality };

/**
 * What a saved model needs to be used correctly, stored in model.json (userDefinedMetadata) so the
 * browser and the CLI read the same facts.
 */
export interface ModelMeta {
  format: 'lesion-workbench-model/1';
  preset: PresetName;
  modalities: Modality[];
  /** Patch edge the model was trained on; inference uses the same size (instance norm statistics). */
  patchSize: number;
  normalization: 'zscore-in-brain';
  loss: LossName;
  beta: number;
  steps: number;
  trainSeconds: number;
  trainedOn: string[];
  /** `--augment` of the training run's last phase; absent means 'basic' (flip and intensity jitter). */
  augment?: 'basic' | 'strong' | 'resample';
  /** `--thick-slices` of the last phase: the share of patches given simulated thick slices. */
  thickSlices?: number;
  /** `--thick-slice-mm` of that phase: the range of simulated thicknesses (absent: 2-5 mm, sessions 17-18, linear). */
  thickSliceMm?: readonly [number, number];
  /** Set by `npm run average`: the training steps of the checkpoints whose weights were averaged. */
  averagedSteps?: number[];
  /** Set by `npm run calibrate`: the temperature baked into the last convolution (temperature-scaling.ts). */
  calibration?: { temperature: number; nllBefore: number; nllAfter: number; voxels: number; fitOn: string[] };
  /**
   * The lesion filter's defaults for this model's maps (core/lesion-filter.ts), chosen by
   * `npm run lesion-filter:cv`; absent: every lesion is kept. The page and the CLI both read it.
   */
  lesionFilter?: LesionFilterRule & { chosenBy: string };
  /** The cut a moved (registered and resampled) scan's map is recalibrated by (registered-input.ts); absent: MOVED_SCAN_CUT. */
  movedScanCut?: { cut: number; chosenBy: string };
}

/** The model's lesion-filter rule, or the rule that keeps every lesion. */
export function lesionFilterOf(meta: Pick<ModelMeta, 'lesionFilter'>): LesionFilterRule {
  const f = meta.lesionFilter;
  if (!f || !(f.minLesionMm3 >= 0) || !(f.minConfidence >= 0 && f.minConfidence <= 1)) return NO_LESION_FILTER;
  return { minLesionMm3: f.minLesionMm3, minConfidence: f.minConfidence };
}

export function isModelMeta(value: unknown): value is ModelMeta {
  const v = value as Partial<ModelMeta> | null;
  return !!v && v.format === 'lesion-workbench-model/1' && Array.isArray(v.modalities) && typeof v.patchSize === 'number';
}
