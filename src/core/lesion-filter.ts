/**
 * The lesion filter: every predicted lesion (a 26-connected component of the thresholded map) gets
 * its volume in mm^3 and a confidence, the highest probability the map gives any of its voxels; a
 * lesion is kept when both reach the rule's minimum. Stated in mm^3, a rule removes the same lesions
 * on a 1 mm grid as on a 0.5 mm grid of the same head. The removed lesions stay available as a
 * mask of their own, so a reader can overrule the filter.
 *
 * Why the peak: a component of a few voxels that only just crosses the threshold is what most false
 * lesions look like on a scan the model has not seen, while a true lesion peaks close to 1 in a
 * calibrated map (docs/lesion-filter.md has the measurements that chose the defaults).
 */
import { type ComponentLabels, labelComponents } from './components.ts';
import type { Vec3 } from './types.ts';
import { raisePeaks, type VoxelPeaks } from './voxel-peaks.ts';

/** Which lesions are kept: both minimums must be reached (0 disables either). */
export interface LesionFilterRule {
  /** Smallest lesion kept, in mm^3 (voxels x voxel volume). */
  minLesionMm3: number;
  /** Smallest peak probability kept, 0-1. */
  minConfidence: number;
}

/** The rule that keeps every lesion. */
export const NO_LESION_FILTER: LesionFilterRule = { minLesionMm3: 0, minConfidence: 0 };

/** One predicted lesion: its size and confidence. */
export interface ComponentStat {
  /** Component label (1-based, as in the ComponentLabels it came from). */
  label: number;
  voxels: number;
  volumeMm3: number;
  /** The highest probability of its voxels. */
  confidence: number;
  /** The mean probability of its voxels. */
  meanProbability: number;
  /** Mean voxel coordinate (i, j, k). */
  centroidVox: Vec3;
}

/**
 * Size and confidence of every component of `components` (index label - 1) from the probability
 * map it was cut from, on a grid of `spacingMm` voxels; `peaks` raise the confidence where given
 * (a moved scan's, core/voxel-peaks.ts).
 */
export function componentStats(components: ComponentLabels, probability: ArrayLike<number>, dims: Vec3, spacingMm: Vec3, peaks?: VoxelPeaks | null): ComponentStat[] {
  const { labels, count, sizes } = components;
  if (probability.length !== labels.length) {
    throw new Error(`the probability map has ${probability.length} voxels but the components ${labels.length}; they must be on the same grid`);
  }
  const peak = new Float64Array(count + 1);
  const sum = new Float64Array(count + 1);
  const at = new Float64Array(3 * (count + 1));
  const [nx, ny] = dims;
  for (let v = 0; v < labels.length; v++) {
    const l = labels[v];
    if (l === 0) continue;
    const p = probability[v];
    sum[l] += p;
    if (p > peak[l]) peak[l] = p;
    const k = Math.floor(v / (nx * ny));
    const r = v - k * nx * ny;
    at[3 * l] += r % nx;
    at[3 * l + 1] += Math.floor(r / nx);
    at[3 * l + 2] += k;
  }
  if (peaks) raisePeaks(peak, labels, peaks);
  const voxelMm3 = spacingMm[0] * spacingMm[1] * spacingMm[2];
  const stats: ComponentStat[] = [];
  for (let l = 1; l <= count; l++) {
    const n = sizes[l];
    stats.push({
      label: l, voxels: n, volumeMm3: n * voxelMm3, confidence: peak[l], meanProbability: sum[l] / n,
      centroidVox: [at[3 * l] / n, at[3 * l + 1] / n, at[3 * l + 2] / n],
    });
  }
  return stats;
}

/** Checks a rule's numbers (errors name the CLI option); returns the rule. */
export function checkLesionFilterRule(rule: LesionFilterRule): LesionFilterRule {
  if (!(rule.minLesionMm3 >= 0) || !Number.isFinite(rule.minLesionMm3)) throw new Error(`--min-lesion-mm3 must be 0 or more, got ${rule.minLesionMm3}`);
  if (!(rule.minConfidence >= 0 && rule.minConfidence <= 1)) throw new Error(`--min-confidence must be from 0 to 1, got ${rule.minConfidence}`);
  return rule;
}

/** The rule in words, e.g. "lesions of at least 3 mm^3 with confidence 0.8 or more", or "off". */
export function describeRule(rule: LesionFilterRule): string {
  if (rule.minLesionMm3 <= 0 && rule.minConfidence <= 0) return 'off';
  const parts = [];
  if (rule.minLesionMm3 > 0) parts.push(`at least ${rule.minLesionMm3} mm^3`);
  if (rule.minConfidence > 0) parts.push(`confidence ${rule.minConfidence} or more`);
  return `lesions of ${parts.join(' with ')}`;
}

/** Whether a lesion passes the rule. A small tolerance keeps a lesion whose volume equals the minimum despite float rounding. */
export function keepsLesion(stat: Pick<ComponentStat, 'volumeMm3' | 'confidence'>, rule: LesionFilterRule): boolean {
  return stat.volumeMm3 >= rule.minLesionMm3 * (1 - 1e-9) && stat.confidence >= rule.minConfidence;
}

/** keep[label] = 1 for the components the rule keeps (index 0 unused). */
export function keptLabels(stats: readonly ComponentStat[], rule: LesionFilterRule): Uint8Array {
  const keep = new Uint8Array(stats.length + 1);
  for (const s of stats) keep[s.label] = keepsLesion(s, rule) ? 1 : 0;
  return keep;
}

/**
 * The kept and the removed lesions of labelled components, each as a 0/1 mask and as components
 * numbered 1..n in the order of the original labels: the numbering `labelComponents` gives the
 * subset's mask (both number components by their first voxel in memory order), without a second
 * flood fill.
 */
export function splitComponents(components: ComponentLabels, keep: Uint8Array): {
  kept: Uint8Array; removed: Uint8Array; keptComponents: ComponentLabels; removedComponents: ComponentLabels;
} {
  const { labels, count, sizes } = components;
  const relabel = new Int32Array(count + 1);
  const keptSizes = [0];
  const removedSizes = [0];
  for (let l = 1; l <= count; l++) {
    const side = keep[l] === 1 ? keptSizes : removedSizes;
    relabel[l] = side.length;
    side.push(sizes[l]);
  }
  const kept = new Uint8Array(labels.length);
  const removed = new Uint8Array(labels.length);
  const keptLabelsOut = new Int32Array(labels.length);
  const removedLabelsOut = new Int32Array(labels.length);
  for (let v = 0; v < labels.length; v++) {
    const l = labels[v];
    if (l === 0) continue;
    if (keep[l] === 1) {
      kept[v] = 1;
      keptLabelsOut[v] = relabel[l];
    } else {
      removed[v] = 1;
      removedLabelsOut[v] = relabel[l];
    }
  }
  return {
    kept, removed,
    keptComponents: { labels: keptLabelsOut, count: keptSizes.length - 1, sizes: keptSizes },
    removedComponents: { labels: removedLabelsOut, count: removedSizes.length - 1, sizes: removedSizes },
  };
}

/** The thresholded map with the filter applied. */
export interface FilteredLesions {
  /** Kept lesions (0/1): the output mask. */
  mask: Uint8Array;
  /** Removed lesions (0/1). */
  removed: Uint8Array;
  /** The components of the unfiltered mask (threshold only), and their stats (index label - 1). */
  components: ComponentLabels;
  /** The kept and the removed lesions as components of their own (for their tables). */
  keptComponents: ComponentLabels;
  removedComponents: ComponentLabels;
  stats: ComponentStat[];
  keep: Uint8Array;
}

/**
 * Labels the 26-connected lesions of `mask` (the map cut at its threshold, non-zero = lesion) and
 * removes those the rule does not keep; their confidence is read from `probability`, raised by
 * `peaks` where given (a moved scan's lesions judged on the network's own peaks).
 *
 * @example
 * // two lesions of 1 and 8 voxels of 1 mm: a 5 mm^3 minimum keeps only the second
 * filterLesions(mask, prob, [64, 64, 64], [1, 1, 1], { minLesionMm3: 5, minConfidence: 0 }).keep // [_, 0, 1]
 */
export function filterLesions(
  mask: Uint8Array, probability: ArrayLike<number>, dims: Vec3, spacingMm: Vec3, rule: LesionFilterRule, peaks?: VoxelPeaks | null,
): FilteredLesions {
  const components = labelComponents(mask, dims, 26);
  const stats = componentStats(components, probability, dims, spacingMm, peaks);
  const keep = keptLabels(stats, rule);
  const { kept, removed, keptComponents, removedComponents } = splitComponents(components, keep);
  return { mask: kept, removed, components, keptComponents, removedComponents, stats, keep };
}
