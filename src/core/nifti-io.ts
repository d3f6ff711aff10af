/**
 * Reading and writing single-file NIfTI-1 and NIfTI-2 volumes (.nii and .nii.gz) as plain Volume data.
 * Reading streams through nifti-stream.ts (bounded by the image the header declares, gzip inflated
 * step by step with fflate), with the header's checks in nifti-checks.ts and the voxel values from
 * nifti-voxels.ts; writing keeps the source header and its NIfTI version.
 */
import { gzipSync } from 'fflate';
import type { Volume, VoxelDataType } from './types.ts';
import { HOST_LITTLE_ENDIAN, geometryFromHeader, niftiTypeByName, swapBytes, writeGeometry } from './nifti-header.ts';
import { layoutOf, layoutView, NIFTI1_LAYOUT, NIFTI2_LAYOUT, readField, swapHeaderFields, writeField, type NiftiLayout } from './nifti-layout.ts';
import { NiftiReader, type ReadStats } from './nifti-stream.ts';
import { voxelValues } from './nifti-voxels.ts';

export type { ReadStats } from './nifti-stream.ts';

/** Options for writeNifti. */
export interface WriteNiftiOptions {
  /** Gzip the result (for a .nii.gz file). Default false. */
  gzip?: boolean;
  /** NIfTI version to write: default that of `volume.sourceHeader` (NIfTI-2 stays NIfTI-2), else 1. */
  version?: 1 | 2;
}

/**
 * Reads a 3D NIfTI-1 or NIfTI-2 volume from the bytes of a .nii or .nii.gz file (gzip is detected by
 * content). Only the header and the image it declares are read: gzip is inflated until
 * vox_offset + voxels x bytes are in, and a declared image above MAX_SCAN_VOXELS (nifti-checks.ts) is
 * refused before anything is inflated; data after the image is ignored with a note.
 *
 * `data` holds real values: scl_slope/scl_inter applied (a slope of 0 or NaN means no scaling).
 * `affine` is the sform if sform_code > 0, else the qform, else diag(pixdim); `spacingMm` is
 * pixdim[1..3] (zero, negative or NaN voxel sizes read as 1 mm, or from the sform, with a note).
 * `sourceHeader` is the 348- or 540-byte header converted to little-endian.
 * `dataType` is the on-disk type, except: int8 reads as int16, uint16 and uint32 as int32 (values
 * above 2^31 - 1 clamp when written back), and any file with non-identity scaling as float32.
 * NaN/Inf voxels read as 0 (background) with a note giving their count. `notes` holds what the user
 * should know about the file (absent when there is nothing).
 *
 * Throws an Error with a one-line message naming the cause for: bytes that are not NIfTI, corrupt or
 * truncated gzip, truncated voxel data, unsupported datatypes, a bitpix that disagrees with the
 * datatype, 2D images, 4D images with more than one volume, images above the scan limit, a non-finite
 * or singular sform/qform, voxel sizes outside 0.05-20 mm, an infinite scaling or one that overflows
 * float32, and images with no finite voxel. `fileName`, when given, starts each message; `stats`, when
 * given, is filled with the bytes read and inflated.
 */
export function readNifti(bytes: ArrayBuffer | Uint8Array, fileName?: string, stats?: ReadStats): Volume {
  return named(fileName, () => {
    // A plain Uint8Array view: a Node Buffer's slice() shares memory, which decoding relies on not doing.
    const input = bytes instanceof Uint8Array ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
    const reader = new NiftiReader();
    try {
      reader.push(input, true);
      return toVolume(reader);
    } finally {
      if (stats) Object.assign(stats, reader.stats);
    }
  });
}

/** A file to read in pieces: its size and a way to read bytes [start, end) of it (a File, a file handle). */
export interface ByteSource {
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

/** Bytes read from a ByteSource at a time. */
const SOURCE_CHUNK_BYTES = 4 << 20;

/**
 * As readNifti, reading `source` in chunks of 4 MiB and stopping once the image is in, so that memory
 * and time stay bounded by the declared image whatever the file's size (the CLI's and the page's
 * reader).
 */
export async function readNiftiFrom(source: ByteSource, fileName?: string, stats?: ReadStats): Promise<Volume> {
  const reader = new NiftiReader();
  try {
    for (let start = 0; ; start += SOURCE_CHUNK_BYTES) {
      const end = Math.min(source.size, start + SOURCE_CHUNK_BYTES);
      const chunk = start < end ? await source.read(start, end) : new Uint8Array(0);
      if (named(fileName, () => reader.push(chunk, end >= source.size))) break;
    }
    return named(fileName, () => toVolume(reader));
  } finally {
    if (stats) Object.assign(stats, reader.stats);
  }
}

/** Runs `f`, starting its Error's message with `fileName` when given. */
function named<T>(fileName: string | undefined, f: () => T): T {
  try {
    return f();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(fileName ? `${fileName}: ${message}` : message);
  }
}

function toVolume(reader: NiftiReader): Volume {
  const raw = reader.finish();
  const { data, scaled, notes } = voxelValues(raw);
  const dataType = scaled ? 'float32' : raw.plan.type.volumeType;
  const volume: Volume = { dims: raw.plan.dims, spacingMm: raw.spacingMm, affine: raw.affine, data, dataType, sourceHeader: raw.header };
  const all = [...raw.notes, ...notes];
  return all.length > 0 ? { ...volume, notes: all } : volume;
}

/**
 * Encodes `volume` as a little-endian single-file NIfTI (.nii) with voxels of `dataType`, gzipped
 * when `options.gzip` is set; NIfTI-2 when `options.version` is 2 or, by default, when the volume was
 * read from a NIfTI-2 file, else NIfTI-1.
 *
 * The header starts from `volume.sourceHeader` when it is of the version written (keeping
 * qform/sform, pixdim, units, descrip, intent, ...); if `volume.affine` no longer matches that
 * header's geometry, or there is no such header, sform and qform are both written from
 * `volume.affine` (codes 1) and pixdim from `spacingMm`. Always: dim = [3, i, j, k, 1, 1, 1, 1],
 * vox_offset 352 (NIfTI-2: 544), scl_slope 1, scl_inter 0, cal_min/cal_max = the range of the written
 * values, magic "n+1" ("n+2"), no extensions.
 * Integer types round to nearest and clamp to the type's range (NaN becomes 0).
 *
 * @example writeNifti(maskLike(flair, mask), 'uint8', { gzip: true }) // bytes of a .nii.gz mask
 */
export function writeNifti(
  volume: Volume,
  dataType: VoxelDataType,
  options: WriteNiftiOptions = {},
): Uint8Array {
  const { dims, data } = volume;
  const version = options.version ?? (volume.sourceHeader && layoutOf(volume.sourceHeader).version === 2 ? 2 : 1);
  const layout = version === 2 ? NIFTI2_LAYOUT : NIFTI1_LAYOUT;
  const count = dims[0] * dims[1] * dims[2];
  const maxDim = version === 2 ? 2 ** 31 - 1 : 32767;
  if (!dims.every((d) => Number.isInteger(d) && d >= 1 && d <= maxDim) || data.length !== count) {
    throw new Error(`cannot write NIfTI: dims ${dims.join('x')} do not fit ${data.length} voxels`);
  }
  const type = niftiTypeByName(dataType);
  const out = new Uint8Array(layout.dataOffset + count * type.bytes);
  const header = out.subarray(0, layout.headerBytes);
  writeHeaderBase(header, layout, volume);
  const values = new type.array(out.buffer, layout.dataOffset, count);
  const [min, max] = encodeValues(data, values, type.bytes);
  if (!HOST_LITTLE_ENDIAN) swapBytes(out.subarray(layout.dataOffset), type.bytes);
  const v = layoutView(header, layout);
  [3, dims[0], dims[1], dims[2], 1, 1, 1, 1].forEach((d, i) => writeField(v, layout.dim, d, i));
  writeField(v, layout.datatype, type.code);
  writeField(v, layout.bitpix, type.bytes * 8);
  writeField(v, layout.voxOffset, layout.dataOffset);
  writeField(v, layout.sclSlope, 1);
  writeField(v, layout.sclInter, 0);
  writeField(v, layout.calMax, max);
  writeField(v, layout.calMin, min);
  // NIfTI-2's magic is "n+2\0\r\n\032\n" (catches line-ending conversion); NIfTI-1's "n+1\0"
  header.set(version === 2 ? [0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a] : [0x6e, 0x2b, 0x31, 0], layout.magicOffset);
  // mtime 0: gzip's "no time stamp", so the same volume always gives the same bytes (checksums, diffs)
  return options.gzip ? gzipSync(out, { mtime: 0 }) : out;
}

/** Fills sizeof_hdr and geometry: copied from sourceHeader when of this version and still matching the affine. */
function writeHeaderBase(header: Uint8Array, layout: NiftiLayout, volume: Volume): void {
  const source = volume.sourceHeader;
  if (source && source.length >= layout.headerBytes && layoutOf(source) === layout) {
    header.set(source.subarray(0, layout.headerBytes));
    if (readField(layoutView(header, layout), { offset: 0, kind: 'i32' }) !== layout.headerBytes) swapHeaderFields(header, layout);
    const kept = geometryFromHeader(header).affine;
    const same = kept.every((row, r) => row.every((x, c) => Math.abs(x - volume.affine[r][c]) <= 1e-4));
    if (same) return;
  }
  writeField(layoutView(header, layout), { offset: 0, kind: 'i32' }, layout.headerBytes);
  writeGeometry(header, volume.affine, volume.spacingMm);
}

/** Copies `data` into `target` (rounding and clamping for integer types); returns [min, max] written. */
function encodeValues(
  data: Float32Array,
  target: { [i: number]: number },
  bytes: number,
): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  const isFloat = target instanceof Float32Array || target instanceof Float64Array;
  const bits = bytes * 8;
  const lo = target instanceof Uint8Array ? 0 : -(2 ** (bits - 1));
  const hi = target instanceof Uint8Array ? 255 : 2 ** (bits - 1) - 1;
  for (let i = 0; i < data.length; i++) {
    let x = data[i];
    if (!isFloat) x = x !== x ? 0 : Math.min(hi, Math.max(lo, Math.round(x)));
    target[i] = x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return min <= max ? [min, max] : [0, 0];
}

/**
 * Throws if `volume` has NaN or Inf voxels, e.g. "FLAIR contains 12 NaN/Inf voxels (of 7221032); ...".
 * `name` names the image in the message.
 */
export function assertFinite(volume: Volume, name: string): void {
  const { data } = volume;
  let bad = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) bad++;
  if (bad > 0) {
    throw new Error(
      `${name} contains ${bad} NaN/Inf voxels (of ${data.length}); replace them (e.g. with 0) and retry`,
    );
  }
}
