/**
 * Scores of a filtered mask without touching the voxels again: one pass records, for each
 * predicted lesion, how many of its voxels are in the truth and which truth lesions it touches;
 * any choice of kept lesions is then scored in O(lesions). The page's lesion-filter controls and
 * the cross-validation of the filter's defaults use it; it equals `evaluateSegmentation` of the
 * filtered mask (tested).
 */
import type { ComponentLabels } from './components.ts';
import type { EvaluationReport } from './evaluate.ts';
import { type ComponentStat, keptLabels, type LesionFilterRule } from './lesion-filter.ts';
import { lesionRates } from './lesion-metrics.ts';
import type { LesionRow } from './lesion-table.ts';
import { voxelMetrics } from './metrics.ts';
import { voxelVolumeMl } from './volume.ts';
import type { Vec3 } from './types.ts';

/** What each predicted lesion shares with the truth (structured-clonable, for the worker's messages). */
export interface LesionOverlaps {
  /** Voxels of the grid. */
  voxels: number;
  /** Voxel size, for volumes. */
  spacingMm: Vec3;
  /** predSizes[l]: voxels of predicted lesion l (index 0 unused). */
  predSizes: Int32Array;
  /** tpVoxels[l]: voxels of predicted lesion l inside the truth. */
  tpVoxels: Int32Array;
  /** Truth lesions touched by predicted lesion l: touched[touchStart[l - 1] .. touchStart[l] - 1]. */
  touchStart: Int32Array;
  touched: Int32Array;
  truthCount: number;
  /** Voxels of the truth. */
  truthVoxels: number;
}

/** Records the overlaps of the predicted and truth lesions (both labelled on one grid). */
export function lesionOverlaps(pred: ComponentLabels, truth: ComponentLabels, spacingMm: Vec3): LesionOverlaps {
  const n = pred.labels.length;
  if (truth.labels.length !== n) throw new Error(`the prediction has ${n} voxels but the truth ${truth.labels.length}; they must be on the same grid`);
  const tpVoxels = new Int32Array(pred.count + 1);
  const pairs = new Map<number, Set<number>>();
  let truthVoxels = 0;
  for (let v = 0; v < n; v++) {
    const t = truth.labels[v];
    if (t === 0) continue;
    truthVoxels++;
    const p = pred.labels[v];
    if (p === 0) continue;
    tpVoxels[p]++;
    let set = pairs.get(p);
    if (!set) pairs.set(p, (set = new Set()));
    set.add(t);
  }
  const touchStart = new Int32Array(pred.count + 1);
  const list: number[] = [];
  for (let l = 1; l <= pred.count; l++) {
    for (const t of pairs.get(l) ?? []) list.push(t);
    touchStart[l] = list.length;
  }
  return {
    voxels: n, spacingMm, predSizes: Int32Array.from(pred.sizes), tpVoxels, touchStart, touched: Int32Array.from(list),
    truthCount: truth.count, truthVoxels,
  };
}

/**
 * The evaluation of the mask made of the predicted lesions with keep[l] = 1, as
 * `evaluateSegmentation` reports it; `ap` is passed through (it belongs to the map, not the mask).
 */
export function scoresOfKept(o: LesionOverlaps, keep: Uint8Array, beta: number, ap: number | null): EvaluationReport {
  let tp = 0;
  let predVoxels = 0;
  let predCount = 0;
  let truePred = 0;
  const detected = new Uint8Array(o.truthCount + 1);
  for (let l = 1; l < o.predSizes.length; l++) {
    if (keep[l] !== 1) continue;
    predCount++;
    predVoxels += o.predSizes[l];
    tp += o.tpVoxels[l];
    const from = o.touchStart[l - 1];
    if (o.touchStart[l] > from) truePred++;
    for (let t = from; t < o.touchStart[l]; t++) detected[o.touched[t]] = 1;
  }
  let found = 0;
  for (let t = 1; t <= o.truthCount; t++) found += detected[t];
  const counts = { tp, fp: predVoxels - tp, fn: o.truthVoxels - tp, tn: o.voxels - predVoxels - (o.truthVoxels - tp) };
  const voxel = voxelMetrics(counts, beta);
  const ml = voxelVolumeMl(o.spacingMm);
  const volumePredMl = predVoxels * ml;
  const volumeTruthMl = o.truthVoxels * ml;
  return {
    dice: voxel.dice, precision: voxel.precision, recall: voxel.recall, specificity: voxel.specificity,
    f2: voxel.f2, fbeta: voxel.fbeta, beta, ap,
    ...lesionRates(found, o.truthCount, truePred, predCount),
    volumePredMl, volumeTruthMl,
    volumeDifferenceMl: volumePredMl - volumeTruthMl, volumeAbsDifferenceMl: Math.abs(volumePredMl - volumeTruthMl),
    ...counts,
  };
}

/** The lesion list, its totals and (with overlaps) the scores of the lesions a rule keeps. */
export interface FilteredPreview {
  rows: LesionRow[];
  count: number;
  totalVolumeMl: number;
  removedCount: number;
  metrics: EvaluationReport | null;
}

/**
 * What `rule` keeps of the lesions `stats` (and, with `overlaps`, its scores), without the voxels:
 * the page's lesion table and metrics follow the filter controls at once with it, and the worker's
 * mask follows. Rows as lesionTable lists them: largest first, ties by label.
 */
export function filteredPreview(
  stats: readonly ComponentStat[], overlaps: LesionOverlaps | null, rule: LesionFilterRule, beta: number, ap: number | null,
): FilteredPreview {
  const keep = keptLabels(stats, rule);
  const rows: LesionRow[] = [];
  let mm3 = 0;
  for (const s of stats) {
    if (keep[s.label] !== 1) continue;
    mm3 += s.volumeMm3;
    const row: LesionRow = { label: s.label, voxels: s.voxels, volumeMl: s.volumeMm3 / 1000, centroidVox: s.centroidVox, confidence: s.confidence };
    if (overlaps) row.inReference = overlaps.touchStart[s.label] > overlaps.touchStart[s.label - 1];
    rows.push(row);
  }
  rows.sort((a, b) => b.voxels - a.voxels || a.label - b.label);
  return {
    rows, count: rows.length, totalVolumeMl: mm3 / 1000, removedCount: stats.length - rows.length,
    metrics: overlaps ? scoresOfKept(overlaps, keep, beta, ap) : null,
  };
}
