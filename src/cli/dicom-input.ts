/**
 * DICOM input of the segment CLIs: a folder is read as DICOM (its files at any depth, 5 levels at
 * most, as dcm2niix searches), its one series checked and converted with the dcm2niix WASM build;
 * a file is read as NIfTI. Messages name the option and the series (number, description), never the
 * patient, nor the folder's path (an export's folders are often named after the patient).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { convertSeries, filesByName } from '../core/dicom-convert.ts';
import { type DicomFile, type DicomSeries, scanDicomFiles } from '../core/dicom-series.ts';
import { singleSeries } from '../core/dicom-study.ts';
import type { Volume } from '../core/types.ts';
import { nodeDcm2niix } from './dcm2niix-node.ts';
import { readVolume } from './read-volume.ts';

/** A scan given on the command line: its volume, and its DICOM series when it came from one. */
export interface ScanInput {
  volume: Volume;
  series: DicomSeries | null;
}

const MAX_DEPTH = 5;
const SKIPPED = /(^\.|\.(nii|nii\.gz|json|txt|csv|md|xml|jpg|png|zip)$)/i;

/**
 * The paths of every file under `dir` (hidden files and obvious non-DICOM names skipped), sorted;
 * throws "cannot read WHAT: no such folder" for a missing folder.
 */
export async function pathsUnder(what: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (at: string, depth: number): Promise<void> => {
    const entries = await readdir(at, { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(at, e.name);
      if (e.isDirectory() && depth < MAX_DEPTH && !e.name.startsWith('.')) await walk(full, depth + 1);
      else if (e.isFile() && !SKIPPED.test(e.name)) out.push(full);
    }
  };
  try {
    await walk(dir, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${what}: ${code === 'ENOENT' ? 'no such folder' : (error as Error).message}`);
  }
  return out;
}

/** The files under `dir` (pathsUnder), read, with names relative to `dir`. */
export async function filesUnder(what: string, dir: string): Promise<DicomFile[]> {
  const paths = await pathsUnder(what, dir);
  return Promise.all(paths.map(async (p) => ({ name: path.relative(dir, p), bytes: await readFile(p) })));
}

/** The one series in folder `dir`, checked and converted (`what`: '--flair'). */
export async function readDicomSeriesDir(what: string, dir: string): Promise<ScanInput> {
  const files = await filesUnder(what, dir);
  const series = singleSeries(scanDicomFiles(files), what);
  const { volume } = await convertSeries(nodeDcm2niix, series, filesByName(files));
  return { volume, series };
}

/** A folder: a DICOM series (readDicomSeriesDir); anything else: a NIfTI file (readVolume). */
export async function readScanInput(what: string, file: string): Promise<ScanInput> {
  const isDir = await stat(file).then((s) => s.isDirectory(), () => false);
  if (isDir) return readDicomSeriesDir(what, file);
  return { volume: await readVolume(what, file), series: null };
}
