/** Mask, lesion table and metrics of a probability map at one threshold (core functions only). */
import { evaluateSegmentation } from '../core/evaluate.ts';
import { lesionTable } from '../core/lesion-table.ts';
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
 * Thresholds the held map and lists its lesions; with a truth mask, checks each lesion against it
 * and evaluates the mask (voxel, PR and lesion-wise metrics).
 */
export function outcomeAt(held: HeldResult, threshold: number): ThresholdOutcome {
  if (!(threshold > 0 && threshold < 1)) throw new Error(`threshold must be between 0 and 1, got ${threshold}`);
  const mask = thresholdProbability(held.probability, threshold);
  const lesions = lesionTable(mask, held.dims, held.spacingMm, { reference: held.truth?.data });
  const metrics = held.truth
    ? evaluateSegmentation({
        pred: mask, truth: held.truth.data, dims: held.dims, spacingMm: held.spacingMm,
        prob: held.probability, beta: held.beta,
      })
    : null;
  return { threshold, mask, lesions, metrics };
}
