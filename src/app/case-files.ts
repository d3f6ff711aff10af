/**
 * The files of the open case: reading dropped files into volumes, merging them into the case with
 * one grid enforced (files on another grid are refused, never resampled), and the scan set a run
 * needs. Pure except `readNiftiFiles`, which reads File objects.
 */
import { readNiftiFrom } from '../core/nifti-io.ts';
import { declaredDims, scanBudgetProblem } from './scan-budget.ts';
import type { Volume } from '../core/types.ts';
import { assertSameGrid, maskLike } from '../core/volume.ts';
import type { Modality } from '../model/model-meta.ts';
import type { CaseVolume, WorkerRequest } from '../worker/protocol.ts';
import { assignRoles, type FileRole, guessRole, ROLE_LABELS, voxelEvidence } from '../core/file-roles.ts';
import type { DicomSeries } from '../core/dicom-series.ts';

/** One loaded file of the case. */
export interface LoadedFile {
  id: string;
  name: string;
  sizeBytes: number;
  role: FileRole;
  volume: Volume;
  /** The DICOM series a converted scan came from (its SEG export references it). */
  dicomSeries?: DicomSeries;
}

/** The open case: its files and whether it is the built-in demo. */
export interface CaseFiles {
  /** Changes whenever the set of scans changes (a result belongs to one key). */
  key: number;
  title: string;
  isDemo: boolean;
  files: LoadedFile[];
}

/** A file that could not be read, with the reader's message. */
export interface FileProblem {
  name: string;
  message: string;
}

let nextId = 1;

/**
 * Reads every file (NIfTI-1 or NIfTI-2); the unreadable ones are reported, not thrown. A file is read
 * in slices and only as far as the image its header declares, so a gzip bomb costs the tab no more
 * memory than its declared image (refused above the scan limit before it is inflated). The reader's
 * notes are in each volume's `notes` and reach the page through the worker's case-ready notes.
 */
export async function readNiftiFiles(files: readonly File[]): Promise<{ volumes: { name: string; sizeBytes: number; volume: Volume }[]; problems: FileProblem[] }> {
  const volumes: { name: string; sizeBytes: number; volume: Volume }[] = [];
  const problems: FileProblem[] = [];
  for (const file of files) {
    if (!/\.nii(\.gz)?$/i.test(file.name)) {
      problems.push({ name: file.name, message: `${file.name}: not a NIfTI file name (expected .nii or .nii.gz)` });
      continue;
    }
    try {
      const source = { size: file.size, read: async (start: number, end: number) => new Uint8Array(await file.slice(start, end).arrayBuffer()) };
      const dims = declaredDims(await source.read(0, Math.min(file.size, 1 << 16)));
      const tooBig = dims && scanBudgetProblem(file.name, dims, (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory);
      if (tooBig) {
        problems.push({ name: file.name, message: tooBig });
        continue;
      }
      const volume = await readNiftiFrom(source, file.name);
      const constant = constantImageProblem(file.name, volume);
      if (constant) problems.push({ name: file.name, message: constant });
      else volumes.push({ name: file.name, sizeBytes: file.size, volume });
    } catch (error) {
      problems.push({ name: file.name, message: (error as Error).message });
    }
  }
  return { volumes, problems };
}

/**
 * Why an image with one value in every voxel is refused (it would replace the open case with
 * nothing to segment), or null. An all-zero image whose name says it is a mask is a reference with
 * no lesion, and is kept.
 *
 * @example constantImageProblem('empty.nii.gz', zeros) // "empty.nii.gz: every voxel is 0 (an empty image) ..."
 */
export function constantImageProblem(name: string, volume: Volume): string | null {
  const data = volume.data;
  const first = data[0];
  for (let i = 1; i < data.length; i++) if (data[i] !== first) return null;
  if (first === 0 && guessRole(name) === 'mask') return null;
  return `${name}: every voxel is ${first} (${first === 0 ? 'an empty' : 'a constant'} image): there is no scan in it to segment or score`;
}

/** A read volume; `roleHint` (a DICOM series' guessed modality) stands for the name when roles are guessed. */
export interface ReadFile {
  name: string;
  sizeBytes: number;
  volume: Volume;
  roleHint?: string;
  dicomSeries?: DicomSeries;
}

/** Wraps read volumes as files of the case, with roles guessed from their names (or role hints) and voxels. */
export function toLoadedFiles(volumes: readonly ReadFile[], takenRoles: readonly FileRole[] = []): LoadedFile[] {
  const roles = assignRoles(volumes.map((v) => ({ name: v.roleHint ?? v.name, evidence: voxelEvidence(v.volume.data) })), takenRoles);
  return volumes.map((v, n) => ({
    id: `file-${nextId++}`, name: v.name, sizeBytes: v.sizeBytes, role: roles[n], volume: v.volume,
    ...(v.dicomSeries ? { dicomSeries: v.dicomSeries } : {}),
  }));
}

/**
 * The case after adding `incoming` files. Files that bring a FLAIR, or any files while the demo is
 * open, start a new case; others join the open case, replacing a file of the same role. Throws
 * (with both file names) if the files are not all on one voxel grid.
 */
export function mergeIntoCase(current: CaseFiles | null, incoming: readonly LoadedFile[]): CaseFiles {
  const startsNew = !current || current.isDemo || incoming.some((f) => f.role === 'flair');
  const kept = startsNew ? [] : current.files.filter((f) => f.role === 'ignore' || !incoming.some((n) => n.role === f.role));
  const files = [...kept, ...incoming];
  assertSameGrid(files.map((f) => ({ name: f.name, volume: f.volume })));
  const flair = files.find((f) => f.role === 'flair');
  return {
    key: (current?.key ?? 0) + 1,
    title: startsNew ? (flair ?? files[0]).name : current.title,
    isDemo: false,
    files,
  };
}

/** Gives `id` the role `role`; a file that held that role before becomes ignored. */
export function changeRole(current: CaseFiles, id: string, role: FileRole): CaseFiles {
  const files = current.files.map((f) => {
    if (f.id === id) return { ...f, role };
    if (role !== 'ignore' && f.role === role) return { ...f, role: 'ignore' as const };
    return f;
  });
  return { ...current, key: current.key + 1, files };
}

/**
 * The case with `mask` (0/1 on the FLAIR's grid, e.g. corrected with the viewer's drawing tools) as
 * its reference: a new file with the role "mask"; the previous reference stays, ignored, so the
 * user can switch back. The scans, the demo flag and the title are kept.
 */
export function withEditedReference(current: CaseFiles, mask: Uint8Array, name: string): CaseFiles {
  const flair = current.files.find((f) => f.role === 'flair');
  if (!flair) throw new Error('an edited reference needs the FLAIR it was drawn on');
  const edited: LoadedFile = { id: `file-${nextId++}`, name, sizeBytes: mask.length, role: 'mask', volume: maskLike(flair.volume, mask) };
  const files = current.files.map((f) => (f.role === 'mask' ? { ...f, role: 'ignore' as const } : f));
  return { ...current, key: current.key + 1, files: [...files, edited] };
}

/** Removes one file from the case. */
export function removeFile(current: CaseFiles, id: string): CaseFiles {
  return { ...current, key: current.key + 1, files: current.files.filter((f) => f.id !== id) };
}

/** The scans and the reference mask of the case, by role. */
export function scansOf(current: CaseFiles | null): { scans: Partial<Record<Modality, LoadedFile>>; truth: LoadedFile | null; flair: LoadedFile | null } {
  const scans: Partial<Record<Modality, LoadedFile>> = {};
  let truth: LoadedFile | null = null;
  for (const f of current?.files ?? []) {
    if (f.role === 'ignore') continue;
    if (f.role === 'mask') truth = f;
    else scans[f.role] = f;
  }
  return { scans, truth, flair: scans.flair ?? null };
}

/** The worker's 'set-case' message for the case (null: an empty case). */
export function setCaseMessage(current: CaseFiles | null): Extract<WorkerRequest, { type: 'set-case' }> {
  const { scans, truth } = scansOf(current);
  const toCase = (f: LoadedFile): CaseVolume => ({ id: f.id, volume: f.volume });
  return {
    type: 'set-case',
    caseKey: current?.key ?? 0,
    scans: Object.fromEntries(Object.entries(scans).map(([m, f]) => [m, toCase(f)])),
    truth: truth ? toCase(truth) : null,
  };
}

/** Why the case cannot be segmented, or null when it can. */
export function segmentBlocker(current: CaseFiles | null): string | null {
  if (!current || current.files.length === 0) return 'Load a FLAIR scan first.';
  if (!current.files.some((f) => f.role === 'flair')) return `No file has the role ${ROLE_LABELS.flair}: choose which file is the FLAIR.`;
  return null;
}
