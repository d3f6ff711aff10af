/**
 * The modality of a DICOM series from its own tags: the words of SeriesDescription, ProtocolName
 * and SequenceName (as file-roles reads file names), then the inversion time and the vendors'
 * sequence names where the words say nothing or say T2 of a dark-fluid sequence.
 */
import type { DicomSeries } from './dicom-series.ts';
import { guessRole } from './file-roles.ts';
import type { Modality } from './types.ts';

/** Inversion times (ms) of FLAIR (CSF nulled: about 1,600-2,900 ms at 1.5-3 T) start here. */
const FLAIR_MIN_TI_MS = 1400;
/** Inversion-prepared T1 (MPRAGE, IR-SPGR: about 400-1,200 ms). */
const T1_TI_MS = [300, 1300] as const;

/**
 * FLAIR, T1, T2 or T1 post-contrast, or null when the tags say nothing. Words decide first
 * ("AX FLAIR", "t1_mprage_sag_post", "T2 TSE"); "dark fluid" or "tirm"/"tir" with a long
 * inversion time is FLAIR even where the description says T2 (Siemens' "t2_tirm_tra_dark-fluid");
 * with no words, a long inversion time is FLAIR and a medium one with a "tfl" (MPRAGE) or "ir"
 * sequence T1.
 *
 * @example guessSeriesRole({ description: 't2_tirm_tra_dark-fluid', inversionTimeMs: 2500, ... }) // 'flair'
 */
export function guessSeriesRole(series: Pick<DicomSeries, 'description' | 'protocolName' | 'sequenceName' | 'inversionTimeMs'>): Modality | null {
  const words = `${series.description} ${series.protocolName}`.toLowerCase();
  const sequence = series.sequenceName.toLowerCase();
  const ti = series.inversionTimeMs;
  const longTi = ti !== null && ti >= FLAIR_MIN_TI_MS;
  if (/dark.?fluid|flair/.test(words) || (longTi && /tir|spcir|flair|\bir/.test(`${words} ${sequence}`))) return 'flair';
  for (const text of [series.description, series.protocolName, series.sequenceName]) {
    const role = guessRole(text.replace(/\s+/g, '_'));
    if (role === 't1' && /(^|[^a-z])(post|gd|gad|gado|contrast|ce|\+c)([^a-z]|$)/.test(words)) return 't1post';
    if (role && role !== 'mask' && role !== 'ignore') return role;
  }
  if (longTi) return 'flair';
  if (ti !== null && ti >= T1_TI_MS[0] && ti <= T1_TI_MS[1] && /tfl|mprage|spgr|ir/.test(`${sequence} ${words}`)) return 't1';
  return null;
}
