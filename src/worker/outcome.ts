/** Mask, lesion table and metrics of a probability map at one threshold (core functions only). */
import { labelComponents, type ComponentLabels } from '../core/components.ts';
import { evaluateSegmentation } from '../core/evaluate.ts';
import { lesionTable } from '../core/lesion-table.ts';
import { averagePrecision } from '../core/pr-curve.ts';
import type { Vec3, Volume } from '../core/types.ts';
import { thresholdProbability } from '../model/model-input.ts';
import type { ThresholdOutcome } from './protocol.ts';

/** The last probability map the worker holds, with what it needs for new thresholds. */
export interface HeldResult {
  runId: number;
  probability: Float32Array;
  dims: Vec3;
  spacingMm: Vec3;
  truth: Volume | null;
  /** Beta of the F-beta metric (the model's training beta). */
  beta: number;
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
 * Thresholds the held map and lists its lesions; with a truth mask, checks each lesion against it
 * and evaluates the mask (voxel, PR and lesion-wise metrics).
 */
export function outcomeAt(held: HeldResult, threshold: number): ThresholdOutcome {
  if (!(threshold > 0 && threshold < 1)) throw new Error(`threshold must be between 0 and 1, got ${threshold}`);
  const mask = thresholdProbability(held.probability, threshold);
  if (!held.truth) return { threshold, mask, lesions: lesionTable(mask, held.dims, held.spacingMm), metrics: null };
  // the mask's lesions once, for the table and the lesion-wise metrics
  const maskComponents = labelComponents(mask, held.dims, 26);
  const reference = referenceParts(held, held.truth);
  const lesions = lesionTable(mask, held.dims, held.spacingMm, {
    reference: held.truth.data, components: { mask: maskComponents, reference: reference.components },
  });
  const metrics = evaluateSegmentation({
    pred: mask, truth: held.truth.data, dims: held.dims, spacingMm: held.spacingMm, prob: held.probability, beta: held.beta,
    known: { ap: reference.ap, predComponents: maskComponents, truthComponents: reference.components },
  });
  return { threshold, mask, lesions, metrics };
}
