/**
 * A corpus of hostile files made in code (issue 35): broken gzip, wrong header sizes, absurd and
 * negative dimensions, complex and RGB voxels, no finite voxel, empty and constant images, and
 * valid files a reader must not refuse (NIfTI-2, NaN/Inf voxels, a gzip bomb behind a normal image).
 * Offsets are NIfTI-1's: sizeof_hdr 0, dim 40, datatype 70, bitpix 72.
 */
import { createGzip } from 'node:zlib';
import { gzipSync } from 'fflate';
import { writeNifti } from '../../src/core/nifti-io.ts';
import { generatePhantom } from '../../src/core/phantom.ts';
import type { Vec3, Volume } from '../../src/core/types.ts';
import type { FilePayload } from './volumes.ts';

const payload = (name: string, bytes: Uint8Array): FilePayload => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });

/** A small valid float32 NIfTI-1 image (not gzipped) whose header the makers below break. */
function baseBytes(): Uint8Array {
  return writeNifti(generatePhantom({ dims: [24, 24, 24], seed: 21 }).flair, 'float32');
}

/** The bytes with header fields set: [offset, 'i16' | 'i32', value]. */
function patched(bytes: Uint8Array, fields: [number, 'i16' | 'i32', number][]): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  for (const [offset, kind, value] of fields) {
    if (kind === 'i16') view.setInt16(offset, value, true);
    else view.setInt32(offset, value, true);
  }
  return copy;
}

/** A file the page must refuse, with what its message must say (the file's name is checked apart). */
export interface RefusedFile {
  file: FilePayload;
  message: RegExp;
}

/** The files that must be refused, each with what its message must say. */
export function refusedFiles(): RefusedFile[] {
  const base = baseBytes();
  let x = 777;
  const noise = new Uint8Array(3000).map(() => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
  const fakeGzip = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, ...noise]);
  const gz = gzipSync(base);
  const allNan = generatePhantom({ dims: [24, 24, 24], seed: 22 }).flair;
  const dims: Vec3 = [24, 24, 24];
  const constant = (value: number): Volume => ({ ...allNan, dims, data: new Float32Array(24 ** 3).fill(value) });
  return [
    { file: payload('fake_gzip.nii.gz', fakeGzip), message: /gzip/ },
    { file: payload('cut_gzip_T2.nii.gz', gz.subarray(0, gz.length >> 1)), message: /corrupt or truncated gzip/ },
    { file: payload('short_header.nii', base.subarray(0, 200)), message: /truncated|not a NIfTI/i },
    { file: payload('sizeof_hdr_100.nii', patched(base, [[0, 'i32', 100]])), message: /NIfTI/ },
    { file: payload('huge_dims.nii', patched(base, [[42, 'i16', 30000], [44, 'i16', 30000], [46, 'i16', 30000]])), message: /image too large/ },
    { file: payload('negative_dim.nii', patched(base, [[42, 'i16', -24]])), message: /dim/i },
    { file: payload('zero_dim.nii', patched(base, [[46, 'i16', 0]])), message: /dim|2D|empty|no voxel/i },
    { file: payload('complex64.nii', patched(base, [[70, 'i16', 32], [72, 'i16', 64]])), message: /complex|data ?type/i },
    { file: payload('rgb24.nii', patched(base, [[70, 'i16', 128], [72, 'i16', 24]])), message: /RGB|data ?type/i },
    { file: payload('all_nan.nii', writeNifti({ ...allNan, data: new Float32Array(24 ** 3).fill(Number.NaN) }, 'float32')), message: /NaN or infinite/ },
    { file: payload('empty.nii.gz', writeNifti(constant(0), 'float32', { gzip: true })), message: /every voxel is 0/ },
    { file: payload('constant.nii.gz', writeNifti(constant(100), 'float32', { gzip: true })), message: /every voxel is 100/ },
  ];
}

/** A T2 of `dims` (the open case's grid) with 3 NaN and 2 infinite voxels: read with those as background, and a note. */
export function nanT2(dims: Vec3): FilePayload {
  const t2 = generatePhantom({ dims, seed: 5 }).t2;
  const data = t2.data.slice();
  [100, 2000, 3000].forEach((v) => { data[v] = Number.NaN; });
  data[4000] = Number.POSITIVE_INFINITY;
  data[5000] = Number.NEGATIVE_INFINITY;
  return payload('nan_inf_T2.nii', writeNifti({ ...t2, data }, 'float32'));
}

/** A T2 of `dims` written as NIfTI-2 (540-byte header). */
export function nifti2T2(dims: Vec3): FilePayload {
  return payload('nifti2_T2.nii.gz', writeNifti(generatePhantom({ dims, seed: 5 }).t2, 'float32', { gzip: true, version: 2 }));
}

/**
 * A gzip bomb behind a small header: a valid T2 of `dims` followed by `zerosMiB` MiB of zeros, all
 * gzipped (zlib level 9: about 1 KB per MiB). The reader stops after the declared image.
 */
export async function bombT2(dims: Vec3, zerosMiB: number): Promise<FilePayload> {
  const image = writeNifti(generatePhantom({ dims, seed: 5 }).t2, 'float32');
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => { gzip.on('end', resolve); gzip.on('error', reject); });
  gzip.write(image);
  const zeros = Buffer.alloc(2 ** 20);
  for (let n = 0; n < zerosMiB; n++) if (!gzip.write(zeros)) await new Promise((r) => gzip.once('drain', r));
  gzip.end();
  await done;
  return payload('bomb_T2.nii.gz', Buffer.concat(chunks));
}
