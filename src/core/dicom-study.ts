/**
 * What a folder of DICOM files offers as scans: each image series with its summary, whether it
 * can be converted, and the role its tags suggest; and the one series a `--flair DIR` means.
 * Messages name series by number and description only, never the patient.
 */
import { seriesProblem } from './dicom-checks.ts';
import { type SeriesSummary, summarizeSeries } from './dicom-convert.ts';
import { guessSeriesRole } from './dicom-roles.ts';
import { type DicomScan, type DicomSeries, seriesLabel } from './dicom-series.ts';
import type { Modality } from './types.ts';

/** A series of a study, as a list shows it. */
export interface StudySeries {
  series: DicomSeries;
  summary: SeriesSummary;
  role: Modality | null;
}

/** Every image series of `scan`, with its summary, problem (null when convertible) and guessed role. */
export function studySeries(scan: DicomScan): StudySeries[] {
  return scan.series.map((series) => {
    const summary = summarizeSeries(series, seriesProblem(series));
    return { series, summary, role: guessSeriesRole(series) };
  });
}

/**
 * The single image series in `scan`, for an input that names one series (`what`: '--flair
 * DIR'); throws one line when there is none (no DICOM, or no images), several, or one that
 * cannot be converted.
 */
export function singleSeries(scan: DicomScan, what: string): DicomSeries {
  const fileCount = scan.notDicom.length + scan.nonImage.length + scan.series.reduce((n, s) => n + s.instances.length, 0);
  if (scan.series.length === 0) {
    if (scan.nonImage.length > 0) return noImages(scan, what);
    throw new Error(`${what}: no DICOM files among its ${fileCount} file${fileCount === 1 ? '' : 's'} (expected a folder of one DICOM series)`);
  }
  if (scan.series.length > 1) {
    throw new Error(`${what} holds ${scan.series.length} series (${scan.series.map(seriesLabel).join(', ')}); ` +
      'give a folder of one series, or use segment:folder on the study');
  }
  const [series] = scan.series;
  const problem = seriesProblem(series);
  if (problem) throw new Error(`${what}: ${seriesLabel(series)} ${problem}`);
  return series;
}

function noImages(scan: DicomScan, what: string): never {
  const kinds = [...new Set(scan.nonImage.map((n) => n.modality || 'non-image'))].join(', ');
  throw new Error(`${what}: its DICOM files hold no images (${kinds}); expected a folder of one DICOM image series`);
}
