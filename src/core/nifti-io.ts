/**
 * Reading and writing single-file NIfTI-1 volumes (.nii and .nii.gz) as plain Volume data.
 * Header fields are parsed with nifti-reader-js; gzip is handled by fflate.
 */
import { NIFTI1 } from 'nifti-reader-js';
import { Gunzip, gunzipSync, gzipSync } from 'fflate';
import type { Vec3, Volume, VoxelDataType } from './types.ts';
import {
  DATA_OFFSET_BYTES,
  HEADER_BYTES,
  HOST_LITTLE_ENDIAN,
  geometryFromHeader,
  headerView,
  niftiTypeByCode,
  niftiTypeByName,
  swapBytes,
  swapHeaderToLittleEndian,
  writeGeometry,
} from './nifti-header.ts';

/** Options for writeNifti. */
export interface WriteNiftiOptions {
  /** Gzip the result (for a .nii.gz file). Default false. */
  gzip?: boolean;
}

/**
 * Reads a 3D NIfTI-1 volume from the bytes of a .nii or .nii.gz file (gzip is detected by content).
 *
 * `data` holds real values: scl_slope/scl_inter applied (a slope of 0 or NaN means no scaling).
 * `affine` is the sform if sform_code > 0, else the qform, else diag(pixdim); `spacingMm` is
 * pixdim[1..3]. `sourceHeader` is the 348-byte header converted to little-endian.
 * `dataType` is the on-disk type, except: int8 reads as int16, uint16 and uint32 as int32 (values
 * above 2^31 - 1 clamp when written back), and any file with non-identity scaling as float32.
 * NaN/Inf voxels are kept (see assertFinite).
 *
 * Throws an Error with a one-line message for: bytes that are not NIfTI-1, corrupt or truncated gzip,
 * truncated voxel data, unsupported datatypes, 2D images, and 4D images with more than one volume.
 * `fileName`, when given, starts each message.
 */
export function readNifti(bytes: ArrayBuffer | Uint8Array, fileName?: string): Volume {
  try {
    // A plain Uint8Array view: a Node Buffer's slice() shares memory, which decode() relies on not doing.
    return decode(bytes instanceof Uint8Array ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(fileName ? `${fileName}: ${message}` : message);
  }
}

function decode(input: Uint8Array): Volume {
  const file = input[0] === 0x1f && input[1] === 0x8b ? gunzip(input) : input;
  const { header, littleEndian } = littleEndianHeader(file);
  const parsed = new NIFTI1();
  parsed.readHeader(header.slice().buffer);
  const dims = spatialDims(parsed.dims);
  const type = niftiTypeByCode(parsed.datatypeCode);
  const count = dims[0] * dims[1] * dims[2];
  const offset = parsed.vox_offset >= HEADER_BYTES ? Math.floor(parsed.vox_offset) : DATA_OFFSET_BYTES;
  const end = offset + count * type.bytes;
  if (file.length < end) {
    throw new Error(
      `truncated NIfTI file: ${dims.join('x')} ${type.name} voxels need ${end} bytes, file has ` +
        `${file.length}; re-export or re-download it`,
    );
  }
  const raw = file.slice(offset, end);
  if (littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(raw, type.bytes);
  const stored = new type.array(raw.buffer, 0, count);
  let slope = parsed.scl_slope;
  let inter = parsed.scl_inter;
  if (slope === 0 || !Number.isFinite(slope)) [slope, inter] = [1, 0];
  if (!Number.isFinite(inter)) inter = 0;
  const scaled = slope !== 1 || inter !== 0;
  // TypedArray.set converts natively; the scaling loop then only touches a Float32Array.
  let data = stored instanceof Float32Array ? stored : new Float32Array(count);
  if (data !== stored) data.set(stored);
  if (scaled) {
    // 8- and 16-bit integers are exact in float32; wider types scale from the stored values.
    const source = stored.BYTES_PER_ELEMENT >= 4 && stored !== data ? stored : data;
    for (let i = 0; i < count; i++) data[i] = source[i] * slope + inter;
  }
  const { affine, spacingMm } = geometryFromHeader(header);
  const dataType = scaled ? 'float32' : type.volumeType;
  return { dims, spacingMm, affine, data, dataType, sourceHeader: header };
}

/**
 * Inflates gzip bytes, including multi-member gzip; throws a "corrupt or truncated" Error.
 * Fast path: one pass into a buffer sized from the trailer (ISIZE) plus one spare byte, so that a
 * first member of another size shows as a mismatch; then the streaming decoder, which reads every
 * member. (A multi-member file whose first and last members have equal sizes would be read as its
 * first member only, and then fail the truncation check.)
 */
function gunzip(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  try {
    if (n < 18) throw new Error(`${n} bytes, shorter than a gzip header and trailer`);
    const trailer = new DataView(bytes.buffer, bytes.byteOffset + n - 4, 4);
    const storedSize = trailer.getUint32(0, true);
    // deflate expands at most ~1032:1, so a larger ISIZE means a damaged trailer
    if (storedSize <= n * 1032) {
      const out = gunzipSync(bytes, { out: new Uint8Array(storedSize + 1) });
      if (out.length === storedSize) return out;
    }
    const parts: Uint8Array[] = [];
    new Gunzip((chunk) => parts.push(chunk)).push(bytes, true);
    const joined = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
    parts.reduce((at, p) => (joined.set(p, at), at + p.length), 0);
    return joined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`corrupt or truncated gzip data (${reason}); re-download or re-compress the file`);
  }
}

/** Checks size, sizeof_hdr and magic; returns a little-endian copy of the 348-byte header. */
function littleEndianHeader(file: Uint8Array): { header: Uint8Array; littleEndian: boolean } {
  if (file.length < HEADER_BYTES) {
    throw new Error(`not a NIfTI file: ${file.length} bytes, shorter than the 348-byte NIfTI-1 header`);
  }
  const header = file.slice(0, HEADER_BYTES);
  const view = headerView(header);
  const sizeLe = view.getInt32(0, true);
  const sizeBe = view.getInt32(0, false);
  if (sizeLe === 540 || sizeBe === 540) {
    throw new Error('NIfTI-2 files are not supported; convert to NIfTI-1 (e.g. nibabel, fslchfiletype)');
  }
  if (sizeLe !== HEADER_BYTES && sizeBe !== HEADER_BYTES) {
    throw new Error('not a NIfTI file: the header size field is not 348 (is this a .nii or .nii.gz?)');
  }
  const magic = String.fromCharCode(header[344], header[345], header[346]);
  if (magic === 'ni1') {
    throw new Error('this is the .hdr of a .hdr/.img pair; convert it to a single .nii or .nii.gz file');
  }
  if (magic !== 'n+1') {
    throw new Error(`not a NIfTI-1 file: magic is ${JSON.stringify(magic)}, expected "n+1"`);
  }
  const littleEndian = sizeLe === HEADER_BYTES;
  if (!littleEndian) swapHeaderToLittleEndian(header);
  return { header, littleEndian };
}

/** The i, j, k sizes from dim[0..7]; throws for 2D images and for more than one volume. */
function spatialDims(dim: number[]): Vec3 {
  const rank = dim[0];
  if (!(rank >= 1 && rank <= 7) || dim.slice(1, rank + 1).some((d) => !(d >= 1))) {
    throw new Error(`corrupt NIfTI header: invalid dim field [${dim.join(', ')}]`);
  }
  const sizes = [1, 2, 3].map((axis) => (axis <= rank ? dim[axis] : 1));
  const shape = dim.slice(1, rank + 1).join('x');
  if (rank < 3 || sizes.some((s) => s < 2)) {
    throw new Error(`image is 2D (${shape} voxels); a 3D volume with at least 2 voxels per axis is needed`);
  }
  const volumes = dim.slice(4, rank + 1).reduce((p, d) => p * d, 1);
  if (volumes > 1) {
    throw new Error(`image is 4D with ${volumes} volumes (${shape}); extract a single 3D volume first`);
  }
  return [sizes[0], sizes[1], sizes[2]];
}

/**
 * Encodes `volume` as a little-endian single-file NIfTI-1 (.nii) with voxels of `dataType`, gzipped
 * when `options.gzip` is set.
 *
 * The header starts from `volume.sourceHeader` when present (keeping qform/sform, pixdim, units,
 * descrip, intent, ...); if `volume.affine` no longer matches that header's geometry, or there is no
 * source header, sform and qform are both written from `volume.affine` (codes 1) and pixdim from
 * `spacingMm`. Always: dim = [3, i, j, k, 1, 1, 1, 1], vox_offset 352, scl_slope 1, scl_inter 0,
 * cal_min/cal_max = the range of the written values, magic "n+1", no extensions.
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
  const count = dims[0] * dims[1] * dims[2];
  if (!dims.every((d) => Number.isInteger(d) && d >= 1 && d <= 32767) || data.length !== count) {
    throw new Error(`cannot write NIfTI: dims ${dims.join('x')} do not fit ${data.length} voxels`);
  }
  const type = niftiTypeByName(dataType);
  const out = new Uint8Array(DATA_OFFSET_BYTES + count * type.bytes);
  const header = out.subarray(0, HEADER_BYTES);
  writeHeaderBase(header, volume);
  const values = new type.array(out.buffer, DATA_OFFSET_BYTES, count);
  const [min, max] = encodeValues(data, values, type.bytes);
  if (!HOST_LITTLE_ENDIAN) swapBytes(out.subarray(DATA_OFFSET_BYTES), type.bytes);
  const v = headerView(header);
  [3, dims[0], dims[1], dims[2], 1, 1, 1, 1].forEach((d, i) => v.setInt16(40 + 2 * i, d, true));
  v.setInt16(70, type.code, true);
  v.setInt16(72, type.bytes * 8, true);
  v.setFloat32(108, DATA_OFFSET_BYTES, true);
  v.setFloat32(112, 1, true);
  v.setFloat32(116, 0, true);
  v.setFloat32(124, max, true);
  v.setFloat32(128, min, true);
  header.set([0x6e, 0x2b, 0x31, 0], 344);
  // mtime 0: gzip's "no time stamp", so the same volume always gives the same bytes (checksums, diffs)
  return options.gzip ? gzipSync(out, { mtime: 0 }) : out;
}

/** Fills sizeof_hdr and geometry: copied from sourceHeader when it still matches the affine. */
function writeHeaderBase(header: Uint8Array, volume: Volume): void {
  const source = volume.sourceHeader;
  if (source && source.length >= HEADER_BYTES) {
    header.set(source.subarray(0, HEADER_BYTES));
    if (headerView(header).getInt32(0, true) !== HEADER_BYTES) swapHeaderToLittleEndian(header);
    const kept = geometryFromHeader(header).affine;
    const same = kept.every((row, r) => row.every((x, c) => Math.abs(x - volume.affine[r][c]) <= 1e-4));
    if (same) return;
  }
  headerView(header).setInt32(0, HEADER_BYTES, true);
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
