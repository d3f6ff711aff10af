/**
 * Messages between the page and the DICOM worker (dicom.worker.ts): files in, converted series
 * out, with progress. Discriminated on `type`.
 */
import type { SeriesSummary } from '../core/dicom-convert.ts';
import type { DicomSeries } from '../core/dicom-series.ts';
import type { Modality, Volume } from '../core/types.ts';

/** Page -> worker. */
export type DicomRequest = { type: 'convert'; jobId: number; files: { name: string; bytes: Uint8Array }[] };

/** A series of the dropped files: converted (volume) or not (problem). */
export interface DicomSeriesResult {
  name: string;
  summary: SeriesSummary;
  role: Modality | null;
  series: DicomSeries;
  volume: Volume | null;
  problem: string | null;
}

/** Worker -> page. */
export type DicomEvent =
  | { type: 'progress'; jobId: number; done: number; total: number; label: string }
  | { type: 'converted'; jobId: number; results: DicomSeriesResult[]; notDicom: string[]; segFiles: { name: string; bytes: Uint8Array }[] }
  | { type: 'failed'; jobId: number; message: string };
