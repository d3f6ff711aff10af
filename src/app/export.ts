/**
 * What the Export panel downloads: the mask and probability map as .nii.gz on the input's grid and
 * header, and a metrics record as JSON or CSV. Pure builders; `downloadBytes` does the browser part.
 */
import type { LesionFilterRule } from '../core/lesion-filter.ts';
import type { EvaluationReport } from '../core/evaluate.ts';
import { lesionCsvLines, type LesionRow, type LesionTable } from '../core/lesion-table.ts';
import { csvCell } from '../core/csv.ts';
import { writeNifti } from '../core/nifti-io.ts';
import { writeDicomSeg } from '../core/dicom-seg.ts';
import type { DicomSeries } from '../core/dicom-series.ts';
import type { Volume } from '../core/types.ts';
import { maskLike } from '../core/volume.ts';

/** The lesion mask (uint8 0/1) as .nii.gz bytes, carrying the FLAIR's header and affine. */
export function maskNiftiBytes(flair: Volume, mask: Uint8Array): Uint8Array {
  return writeNifti(maskLike(flair, mask), 'uint8', { gzip: true });
}

/** The lesion probability map (float32 in [0, 1]) as .nii.gz bytes on the FLAIR's grid and header. */
export function probabilityNiftiBytes(flair: Volume, probability: Float32Array): Uint8Array {
  return writeNifti(maskLike(flair, probability), 'float32', { gzip: true });
}

/** Everything the metrics export holds. */
export interface MetricsRecord {
  case: string;
  model: string;
  backend: string;
  threshold: number;
  dims: readonly number[];
  spacingMm: readonly number[];
  lesionCount: number;
  totalVolumeMl: number;
  /** The lesion filter applied to the mask and how many lesions it removed (absent: none was recorded). */
  lesionFilter?: LesionFilterRule & { removed: number };
  /** With a reference mask, `inReference` says whether each lesion touches it (found) or not (false). */
  lesions: LesionRow[];
  /** With a reference mask: its lesions that no predicted lesion touches. */
  missedReferenceLesions?: LesionRow[];
  /** Against the reference mask, when one was loaded. */
  evaluation: EvaluationReport | null;
  timingsMs: Record<string, number>;
  createdAt: string;
}

/** Assembles the record from a result. */
export function metricsRecord(input: {
  caseTitle: string; model: string; backend: string; threshold: number; flair: Volume;
  lesions: LesionTable; evaluation: EvaluationReport | null; timingsMs: Record<string, number>; now?: Date;
  lesionFilter?: LesionFilterRule & { removed: number };
}): MetricsRecord {
  return {
    case: input.caseTitle,
    model: input.model,
    backend: input.backend,
    threshold: input.threshold,
    dims: [...input.flair.dims],
    spacingMm: [...input.flair.spacingMm],
    lesionCount: input.lesions.count,
    totalVolumeMl: input.lesions.totalVolumeMl,
    ...(input.lesionFilter ? { lesionFilter: input.lesionFilter } : {}),
    lesions: input.lesions.rows,
    ...(input.lesions.missed ? { missedReferenceLesions: input.lesions.missed } : {}),
    evaluation: input.evaluation,
    timingsMs: input.timingsMs,
    createdAt: (input.now ?? new Date()).toISOString(),
  };
}

/** Pretty JSON of the record. */
export function metricsJson(record: MetricsRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/**
 * The record as CSV: a `metric,value` table (summary, evaluation, timings), then a blank line and
 * a per-lesion table (with a reference, an `in_reference` column and a table of its missed lesions). Strings are quoted when they hold a comma, quote or newline.
 */
export function metricsCsv(record: MetricsRecord): string {
  const rows: [string, string | number][] = [
    ['case', record.case], ['model', record.model], ['backend', record.backend],
    ['threshold', record.threshold], ['dims', record.dims.join('x')], ['spacing_mm', record.spacingMm.join('x')],
    ['lesion_count', record.lesionCount], ['total_volume_ml', record.totalVolumeMl],
  ];
  const filter = record.lesionFilter;
  if (filter) rows.push(['min_lesion_mm3', filter.minLesionMm3], ['min_confidence', filter.minConfidence], ['removed_lesions', filter.removed]);
  if (record.evaluation) {
    for (const [key, value] of Object.entries(record.evaluation)) rows.push([snake(key), value ?? '']);
  }
  for (const [key, value] of Object.entries(record.timingsMs)) rows.push([`time_${snake(key)}`, value]);
  const lines = ['metric,value', ...rows.map(([k, v]) => `${csvCell(k)},${csvCell(v)}`), ''];
  const missed = record.missedReferenceLesions;
  lines.push(...lesionCsvLines(record.lesions, { verdict: missed !== undefined }));
  if (missed) {
    const [header, ...rows] = lesionCsvLines(missed);
    lines.push('', header.replace(/^lesion,/, 'missed_reference_lesion,'), ...rows);
  }
  return `${lines.join('\n')}\n`;
}

function snake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** A file name stem from the case title: "sub-01_FLAIR.nii.gz" -> "sub-01_FLAIR". */
export function fileStem(title: string): string {
  return title.replace(/\.nii(\.gz)?$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'case';
}

/** Starts a browser download of `bytes` (or text) as `fileName`. */
export function downloadBytes(bytes: Uint8Array | string, fileName: string, mime: string): void {
  const blob = new Blob([bytes as BlobPart], { type: mime });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** The mask as a DICOM SEG over the FLAIR's source series (a FLAIR converted from DICOM). */
export function maskSegBytes(flair: { volume: Volume; dicomSeries?: DicomSeries; name: string }, mask: Uint8Array, modelName: string): Uint8Array {
  if (!flair.dicomSeries) throw new Error(`${flair.name} was not loaded from DICOM, so a DICOM SEG has no series to reference; export the mask as .nii.gz`);
  return writeDicomSeg(mask, flair.volume, flair.dicomSeries, { algorithmName: `lesion-workbench ${modelName}` });
}
