/**
 * What the user dropped, read into the case's files: NIfTI files directly (case-files.ts), a .zip
 * unpacked, everything else tried as DICOM: converted in the DICOM worker, each series a scan with
 * the role its tags suggest, a series that cannot be converted a problem naming it, and a DICOM SEG
 * the reference mask on the FLAIR's grid.
 */
import { unzipSync } from 'fflate';
import { readDicomSeg, segMaskOnGrid } from '../core/dicom-seg-read.ts';
import { maskLike } from '../core/volume.ts';
import type { DicomWorkerClient } from './dicom-client.ts';
import { type CaseFiles, type FileProblem, mergeIntoCase, type ReadFile, readNiftiFiles, scansOf, toLoadedFiles } from './case-files.ts';

/** The dropped files read: volumes, problems, and DICOM SEG files to place on the FLAIR once it is known. */
export interface CaseInput {
  volumes: ReadFile[];
  problems: FileProblem[];
  segFiles: { name: string; bytes: Uint8Array }[];
}

const isNiftiName = (name: string) => /\.nii(\.gz)?$/i.test(name);

/** Reads `files`; DICOM goes through `dicom` with progress lines to `onProgress`. */
export async function readCaseInput(files: readonly File[], dicom: DicomWorkerClient, onProgress: (text: string) => void): Promise<CaseInput> {
  const expanded: File[] = [];
  const problems: FileProblem[] = [];
  for (const file of files) {
    if (!/\.zip$/i.test(file.name)) {
      expanded.push(file);
      continue;
    }
    try {
      const entries = unzipSync(new Uint8Array(await file.arrayBuffer()));
      for (const [path, bytes] of Object.entries(entries)) {
        if (!path.endsWith('/') && !/(^|\/)(\.|__MACOSX)/.test(path)) expanded.push(new File([bytes as Uint8Array<ArrayBuffer>], path));
      }
    } catch (error) {
      problems.push({ name: file.name, message: `${file.name}: not a readable .zip (${(error as Error).message})` });
    }
  }
  const nifti = expanded.filter((f) => isNiftiName(f.name));
  const others = expanded.filter((f) => !isNiftiName(f.name));
  const read = await readNiftiFiles(nifti);
  const volumes: ReadFile[] = [...read.volumes];
  problems.push(...read.problems);
  if (others.length === 0) return { volumes, problems, segFiles: [] };
  const converted = await dicom.convert(others, onProgress);
  for (const r of converted.results) {
    if (r.volume) {
      volumes.push({ name: r.name, sizeBytes: r.volume.data.byteLength, volume: r.volume, roleHint: r.role ?? undefined, dicomSeries: r.series });
    } else {
      problems.push({ name: r.summary.label, message: `DICOM ${r.summary.label} ${r.problem ?? 'could not be converted'}` });
    }
  }
  const nonDicom = converted.notDicom;
  if (nonDicom.length > 0) {
    const shown = nonDicom.slice(0, 3).join(', ') + (nonDicom.length > 3 ? ` and ${nonDicom.length - 3} more` : '');
    problems.push({ name: nonDicom[0], message: `${shown}: not a NIfTI file (.nii, .nii.gz) nor DICOM` });
  }
  return { volumes, problems, segFiles: converted.segFiles };
}

/**
 * The case with each DICOM SEG of `segFiles` as its reference mask, on the case's FLAIR; a SEG that
 * is not one or does not lie on the FLAIR's grid (drawn on another series) is a problem naming it.
 */
export function withSegReferences(current: CaseFiles, segFiles: CaseInput['segFiles']): { caseFiles: CaseFiles; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  let caseFiles = current;
  for (const seg of segFiles) {
    const flair = scansOf(caseFiles).flair;
    if (!flair) {
      problems.push({ name: seg.name, message: `${seg.name}: a DICOM SEG needs its FLAIR series loaded first` });
      continue;
    }
    try {
      const mask = segMaskOnGrid(readDicomSeg(seg.bytes, seg.name), flair.volume);
      const [file] = toLoadedFiles([{ name: seg.name, sizeBytes: seg.bytes.length, volume: maskLike(flair.volume, mask) }]);
      caseFiles = mergeIntoCase(caseFiles, [{ ...file, role: 'mask' }]);
    } catch (error) {
      const message = (error as Error).message;
      problems.push({ name: seg.name, message: message.startsWith(seg.name) ? message : `${seg.name}: ${message}` });
    }
  }
  return { caseFiles, problems };
}

/**
 * The case after the dropped files are read: the volumes merged (mergeIntoCase), then the SEGs as
 * reference; and the page's message for every problem (null when there is none), saying that the
 * scans already loaded are kept where something was refused.
 */
export function caseAfterInput(current: CaseFiles | null, input: CaseInput): { next: CaseFiles | null; message: string | null } {
  const { volumes, problems, segFiles } = input;
  const messages = problems.map((p) => p.message);
  let next: CaseFiles | null = null;
  if (volumes.length > 0 || (segFiles.length > 0 && current)) {
    try {
      const taken = current && !current.isDemo ? current.files.map((f) => f.role) : [];
      const merged = volumes.length > 0 ? mergeIntoCase(current, toLoadedFiles(volumes, taken)) : (current as CaseFiles);
      const withSeg = withSegReferences(merged, segFiles);
      messages.push(...withSeg.problems.map((p) => p.message));
      next = withSeg.caseFiles;
    } catch (error) {
      messages.push(`${(error as Error).message}. Files on different grids are refused (not resampled).`);
    }
  } else if (segFiles.length > 0) {
    messages.push(...segFiles.map((f) => `${f.name}: a DICOM SEG needs its FLAIR series loaded first`));
  }
  if (messages.length === 0) return { next, message: null };
  const kept = volumes.length > 0 && messages.length === problems.length ? '' : ' The scans already loaded are kept.';
  const sentences = messages.map((m) => (/[.!?]$/.test(m) ? m : `${m}.`));
  return { next, message: `${sentences.join(' ')}${kept}` };
}
