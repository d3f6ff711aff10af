/**
 * DICOM studies as cases of `segment:folder`: every DICOM file under a folder (5 levels at most)
 * grouped by StudyInstanceUID, each study a case named after the folder that holds all its files;
 * in a case, the series' roles come from their tags (dicom-roles), the series that cannot be
 * converted are skipped with their reason, and a DICOM SEG over the FLAIR series is the reference.
 * Headers are read file by file and the pixels of a case only when it is segmented.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { convertSeries } from '../core/dicom-convert.ts';
import { readDicomSeg, segMaskOnGrid } from '../core/dicom-seg-read.ts';
import { type DicomSeries, scanDicomFiles, SEG_SOP_CLASS, seriesLabel } from '../core/dicom-series.ts';
import { studySeries } from '../core/dicom-study.ts';
import type { Modality, Volume } from '../core/types.ts';
import { ROLE_LABELS } from '../core/file-roles.ts';
import { maskLike } from '../core/volume.ts';
import { nodeDcm2niix } from './dcm2niix-node.ts';
import { pathsUnder } from './dicom-input.ts';

/** A study found under a folder: its case name, image series (file names absolute) and SEG files. */
export interface DicomStudy {
  name: string;
  series: DicomSeries[];
  segFiles: string[];
}

/** The studies under `dir` (relative case names; the folder's own name when it holds the study itself). */
export async function findDicomStudies(dir: string): Promise<DicomStudy[]> {
  const byStudy = new Map<string, { series: Map<string, DicomSeries>; segs: string[]; files: string[] }>();
  const study = (uid: string) => {
    let s = byStudy.get(uid);
    if (!s) byStudy.set(uid, (s = { series: new Map(), segs: [], files: [] }));
    return s;
  };
  for (const full of await pathsUnder('--input', dir)) {
    const scan = scanDicomFiles([{ name: full, bytes: await readFile(full) }]);
    for (const s of scan.series) {
      const entry = study(s.studyInstanceUid);
      entry.files.push(full);
      const known = entry.series.get(s.seriesInstanceUid);
      if (known) known.instances.push(...s.instances);
      else entry.series.set(s.seriesInstanceUid, s);
    }
    for (const n of scan.nonImage) if (n.sopClassUid === SEG_SOP_CLASS) study(n.studyInstanceUid).segs.push(full);
  }
  return [...byStudy.values()].filter((s) => s.series.size > 0).map((s) => ({
    name: caseName(dir, s.files),
    series: [...s.series.values()].sort((a, b) => (a.seriesNumber ?? 1e9) - (b.seriesNumber ?? 1e9)),
    segFiles: s.segs,
  })).sort((a, b) => a.name.localeCompare(b.name));
}

/** A study case's scans by role, its reference mask (from a SEG over the FLAIR series) and its FLAIR series. */
export interface StudyCase {
  scans: Partial<Record<Modality, Volume>>;
  truth: Volume | null;
  flairSeries: DicomSeries;
  /** "series 3 "AX FLAIR" (FLAIR)", ... for the log. */
  described: string[];
}

/** Converts the study's series that have a role (the first of each), and reads a SEG reference. */
export async function loadStudyCase(study: DicomStudy, log: (line: string) => void): Promise<StudyCase> {
  const scans: Partial<Record<Modality, Volume>> = {};
  const series: Partial<Record<Modality, DicomSeries>> = {};
  const described: string[] = [];
  for (const s of studySeries({ series: study.series, notDicom: [], nonImage: [] })) {
    if (s.summary.problem) {
      log(`note: ${s.summary.label} skipped: ${s.summary.problem}`);
      continue;
    }
    if (s.role === null || series[s.role]) continue;
    const files = new Map<string, Uint8Array>();
    for (const i of s.series.instances) files.set(i.fileName, await readFile(i.fileName));
    scans[s.role] = (await convertSeries(nodeDcm2niix, s.series, files)).volume;
    series[s.role] = s.series;
    described.push(`${s.summary.label} (${ROLE_LABELS[s.role]})`);
  }
  const flairSeries = series.flair;
  if (!flairSeries || !scans.flair) {
    throw new Error(`no FLAIR series among ${study.series.map(seriesLabel).join(', ')} (roles come from SeriesDescription, ProtocolName, SequenceName, InversionTime)`);
  }
  let truth: Volume | null = null;
  for (const file of study.segFiles) {
    const seg = readDicomSeg(await readFile(file), 'the DICOM SEG');
    if (!seg.referencedSeriesUids.includes(flairSeries.seriesInstanceUid)) continue;
    truth = maskLike(scans.flair, segMaskOnGrid(seg, scans.flair));
    described.push('a DICOM SEG over the FLAIR (reference mask)');
    break;
  }
  return { scans, truth, flairSeries, described };
}

/** The case name: the deepest folder holding all of a study's files, relative to `dir` (its own name at the top). */
function caseName(dir: string, files: string[]): string {
  const parts = files.map((f) => path.relative(dir, path.dirname(f)).split(path.sep).filter((p) => p !== ''));
  const common: string[] = [];
  for (let n = 0; parts.every((p) => n < p.length && p[n] === parts[0][n]); n++) common.push(parts[0][n]);
  return common.length > 0 ? common.join('_') : path.basename(path.resolve(dir));
}
