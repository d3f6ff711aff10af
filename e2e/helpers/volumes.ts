/**
 * Test inputs made by the project's own code: phantom scans as NIfTI bytes, and broken files
 * (random bytes, truncated, 2D, 4D, another grid, not NIfTI at all).
 */
import { gzipSync } from 'fflate';
import { writeNifti } from '../../src/core/nifti-io.ts';
import { generatePhantom, type Phantom } from '../../src/core/phantom.ts';
import type { Affine, Vec3, Volume } from '../../src/core/types.ts';

/** A file for Playwright's setInputFiles. */
export interface FilePayload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

const payload = (name: string, bytes: Uint8Array): FilePayload => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });

/** A phantom case as .nii.gz files (FLAIR, T1, T2, mask) plus the phantom itself. */
export function phantomFiles(dims: Vec3, seed = 11, prefix = 'phantom'): { phantom: Phantom; flair: FilePayload; t1: FilePayload; t2: FilePayload; mask: FilePayload } {
  const phantom = generatePhantom({ dims, seed });
  return {
    phantom,
    flair: payload(`${prefix}_FLAIR.nii.gz`, writeNifti(phantom.flair, 'float32', { gzip: true })),
    t1: payload(`${prefix}_T1.nii.gz`, writeNifti(phantom.t1, 'float32', { gzip: true })),
    t2: payload(`${prefix}_T2.nii.gz`, writeNifti(phantom.t2, 'float32', { gzip: true })),
    mask: payload(`${prefix}_lesion_mask.nii.gz`, writeNifti(phantom.mask, 'uint8', { gzip: true })),
  };
}

/**
 * The volume stored sagittally: its array axes reordered so that they point A, I, R, the affine
 * changed to match (scan voxel (a, b, c) is voxel (nx - 1 - c, a, nz - 1 - b) of an LAS volume).
 * Same world, other array order, as a sagittal acquisition stores an image.
 */
export function asSagittal(volume: Volume): Volume {
  const [nx, ny, nz] = volume.dims;
  const data = new Float32Array(volume.data.length);
  for (let c = 0; c < nx; c++) for (let b = 0; b < nz; b++) for (let a = 0; a < ny; a++) {
    data[a + ny * (b + nz * c)] = volume.data[(nx - 1 - c) + nx * (a + ny * (nz - 1 - b))];
  }
  const P = [[0, 0, -1, nx - 1], [1, 0, 0, 0], [0, -1, 0, nz - 1], [0, 0, 0, 1]];
  const affine: Affine = volume.affine.map((row) => P[0].map((_, col) => row.reduce((sum, v, r) => sum + v * P[r][col], 0)));
  return { dims: [ny, nz, nx], spacingMm: [volume.spacingMm[1], volume.spacingMm[2], volume.spacingMm[0]], affine, data, dataType: volume.dataType };
}

/** A volume as a .nii.gz file payload. */
export function niftiFile(name: string, volume: Volume): FilePayload {
  return payload(name, writeNifti(volume, volume.dataType, { gzip: true }));
}

/** Random bytes with a NIfTI name (gzip magic first, so the gzip reader rejects it). */
export function corruptFile(): FilePayload {
  const bytes = new Uint8Array(4096);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  bytes[0] = 0x1f;
  bytes[1] = 0x8b;
  return payload('corrupt_FLAIR.nii.gz', bytes);
}

/** A valid header whose voxel data is cut short. */
export function truncatedFile(): FilePayload {
  const full = writeNifti(generatePhantom({ dims: [24, 24, 24], seed: 2 }).flair, 'float32');
  return payload('truncated_FLAIR.nii', full.subarray(0, 352 + 1000));
}

/** A .nii.gz whose header says 4D with 3 volumes. */
export function fourDFile(): FilePayload {
  const bytes = writeNifti(generatePhantom({ dims: [24, 24, 24], seed: 3 }).flair, 'float32');
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  view.setInt16(40, 4, true); // dim[0] = 4
  view.setInt16(48, 3, true); // dim[4] = 3 volumes (the data is short too; the 4D check comes first)
  return payload('fmri_4d.nii.gz', gzipSync(bytes));
}

/** A 2D image (one slice). */
export function twoDFile(): FilePayload {
  const bytes = writeNifti(generatePhantom({ dims: [24, 24, 24], seed: 4 }).flair, 'float32');
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  view.setInt16(40, 2, true); // dim[0] = 2
  view.setInt16(46, 1, true); // dim[3] = 1
  return payload('slice_2d.nii', bytes);
}

/** A T1 on another grid than `dims`. */
export function otherGridT1(dims: Vec3): FilePayload {
  const other: Vec3 = [dims[0] + 2, dims[1], dims[2]];
  return payload('other_grid_T1.nii.gz', writeNifti(generatePhantom({ dims: other, seed: 5 }).t1, 'float32', { gzip: true }));
}

/** A text file with a NIfTI name. */
export function textFile(): FilePayload {
  return { name: 'notes.nii', mimeType: 'text/plain', buffer: Buffer.from('these are not voxels\n'.repeat(40)) };
}
