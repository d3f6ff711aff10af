/** Mask, lesion table and metrics of a probability map at one threshold and lesion filter (core functions only). */
import { labelComponents, type ComponentLabels } from '../core/components.ts';
import { evaluateSegmentation } from '../core/evaluate.ts';
import { checkLesionFilterRule, filterLesions, type LesionFilterRule } from '../core/lesion-filter.ts';
import { lesionOverlaps } from '../core/lesion-scores.ts';
import { lesionTable } from '../core/lesion-table.ts';
import { averagePrecision } from '../core/pr-curve.ts';
import type { Vec3, Volume } from '../core/types.ts';
import type { VoxelPeaks } from '../core/voxel-peaks.ts';
import { thresholdProbability } from '../model/model-input.ts';
import type { ThresholdOutcome } from './protocol.ts';

/** The last probability map the worker holds, with what it needs for new thresholds. */
export interface HeldResult {
  runId: number;
  probability: Float32Array;
  /** A moved scan's peaks, where the lesion filter reads higher confidences (core/voxel-peaks.ts); null: the probability's own. */
  peaks: VoxelPeaks | null;
  dims: Vec3;
  spacingMm: Vec3;
  truth: Volume | null;
  /** Beta of the F-beta metric (the model's training beta). */
  beta: number;
  /** The model's lesion-filter defaults (its lesionFilter metadata). */
  modelRule: LesionFilterRule;
}
/**
 * What does not depend on the threshold, for the last map and reference scored: the AP of the map
 * and the reference's lesions. On a whole 182x218x182 case they cost about 2 s of the 3-4 s a
 * threshold move took (the AP's sort; about 0.3 s since the AP counts the zeros outside the brain
 * instead of sorting them); a slider moves many times over one map.
 */
let lastReference: { probability: Float32Array; truth: Volume; ap: number; components: ComponentLabels } | null = null;

function referenceParts(held: HeldResult, truth: Volume): { ap: number; components: ComponentLabels } {
  if (lastReference?.probability !== held.probability || lastReference.truth !== truth) {
    lastReference = {
      probability: held.probability, truth,
      ap: averagePrecision(held.probability, truth.data), components: labelComponents(truth.data, held.dims, 26),
    };
  }
  return lastReference;
}

/**
 * Thresholds the held map, applies the lesion filter (`rule`, or the model's when null) and lists
 * the kept and removed lesions; with a truth mask, checks each lesion against it and evaluates the
 * kept lesions' mask (voxel, PR and lesion-wise metrics), as the CLI's segment and evaluate do.
 */
export function outcomeAt(held: HeldResult, threshold: number, rule: LesionFilterRule | null): ThresholdOutcome {
  if (!(threshold > 0 && threshold < 1)) throw new Error(`threshold must be between 0 and 1, got ${threshold}`);
  const applied = checkLesionFilterRule(rule ?? held.modelRule);
  const { dims, spacingMm, probability, peaks } = held;
  const filtered = filterLesions(thresholdProbability(probability, threshold), probability, dims, spacingMm, applied, peaks);
  const removedLesions = lesionTable(filtered.removed, dims, spacingMm, { probability, peaks, components: { mask: filtered.removedComponents } }).rows;
  const base = { threshold, mask: filtered.mask, removed: filtered.removed, rule: applied, modelRule: held.modelRule, removedLesions };
  if (!held.truth) {
    return {
      ...base, lesions: lesionTable(filtered.mask, dims, spacingMm, { probability, peaks, components: { mask: filtered.keptComponents } }), metrics: null,
      candidates: { stats: filtered.stats, overlaps: null, ap: null, beta: held.beta },
    };
  }
  // the kept lesions' components serve the table and the lesion-wise metrics
  const maskComponents = filtered.keptComponents;
  const reference = referenceParts(held, held.truth);
  const lesions = lesionTable(filtered.mask, dims, spacingMm, {
    reference: held.truth.data, components: { mask: maskComponents, reference: reference.components }, probability, peaks,
  });
  const metrics = evaluateSegmentation({
    pred: filtered.mask, truth: held.truth.data, dims, spacingMm, prob: probability, beta: held.beta,
    known: { ap: reference.ap, predComponents: maskComponents, truthComponents: reference.components },
  });
  const overlaps = lesionOverlaps(filtered.components, reference.components, spacingMm);
  return { ...base, lesions, metrics, candidates: { stats: filtered.stats, overlaps, ap: reference.ap, beta: held.beta } };
}
