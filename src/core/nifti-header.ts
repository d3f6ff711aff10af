/**
 * NIfTI-1 header bytes: field offsets, voxel type table, byte order and geometry (affine, spacing).
 * Used by nifti-io.ts; works on the raw 348-byte header so it needs no parser object.
 */
import type { Affine, Vec3, VoxelDataType } from './types.ts';
import { affineToQuatern, qformToAffine } from './nifti-qform.ts';

/** Size of the NIfTI-1 header in bytes (the sizeof_hdr field). */
export const HEADER_BYTES = 348;
/** Byte offset of the voxels in a single-file .nii with no extensions (header + 4 extension bytes). */
export const DATA_OFFSET_BYTES = 352;

type NumericArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

/** One on-disk voxel type: NIfTI code, bytes per voxel, typed array, and the Volume type it reads as. */
export interface NiftiTypeInfo {
  code: number;
  name: string;
  bytes: number;
  array: NumericArrayCtor;
  /** The VoxelDataType a file of this type reads as (int8, uint16, uint32 widen or clamp; see readNifti). */
  volumeType: VoxelDataType;
}

const typeTable: NiftiTypeInfo[] = [
  { code: 2, name: 'uint8', bytes: 1, array: Uint8Array, volumeType: 'uint8' },
  { code: 4, name: 'int16', bytes: 2, array: Int16Array, volumeType: 'int16' },
  { code: 8, name: 'int32', bytes: 4, array: Int32Array, volumeType: 'int32' },
  { code: 16, name: 'float32', bytes: 4, array: Float32Array, volumeType: 'float32' },
  { code: 64, name: 'float64', bytes: 8, array: Float64Array, volumeType: 'float64' },
  { code: 256, name: 'int8', bytes: 1, array: Int8Array, volumeType: 'int16' },
  { code: 512, name: 'uint16', bytes: 2, array: Uint16Array, volumeType: 'int32' },
  { code: 768, name: 'uint32', bytes: 4, array: Uint32Array, volumeType: 'int32' },
];

const unsupportedTypeNames: Record<number, string> = {
  0: 'unknown (0)', 1: 'binary (1 bit)', 32: 'complex64', 128: 'RGB24', 1024: 'int64', 1280: 'uint64',
  1536: 'float128', 1792: 'complex128', 2048: 'complex256', 2304: 'RGBA32',
};

/** The readable voxel type with this NIfTI datatype code; throws naming the type if unsupported. */
export function niftiTypeByCode(code: number): NiftiTypeInfo {
  const info = typeTable.find((t) => t.code === code);
  if (info) return info;
  const name = unsupportedTypeNames[code] ?? `code ${code}`;
  throw new Error(
    `unsupported NIfTI datatype ${name}; convert the image to float32, int16 or uint8 first`,
  );
}

/** The write-side info for a VoxelDataType (one of the first five table rows). */
export function niftiTypeByName(dataType: VoxelDataType): NiftiTypeInfo {
  const info = typeTable.find((t) => t.name === dataType);
  if (!info) throw new Error(`cannot write NIfTI datatype ${String(dataType)}`);
  return info;
}

/** True when this machine stores typed arrays little-endian (every current browser and Node CPU). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the byte order of every `width`-byte element of `bytes`, in place. */
export function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return;
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

// Offsets of the 4-byte and 2-byte numeric fields of the NIfTI-1 header.
const FOUR_BYTE_FIELDS = [0, 32, 56, 60, 64, 76, 80, 84, 88, 92, 96, 100, 104, 108, 112, 116, 124,
  128, 132, 136, 140, 144, 256, 260, 264, 268, 272, 276, 280, 284, 288, 292, 296, 300, 304, 308, 312,
  316, 320, 324];
const TWO_BYTE_FIELDS = [36, 40, 42, 44, 46, 48, 50, 52, 54, 68, 70, 72, 74, 120, 252, 254];

/** Converts a big-endian 348-byte header to little-endian, in place. */
export function swapHeaderToLittleEndian(header: Uint8Array): void {
  for (const o of FOUR_BYTE_FIELDS) swapBytes(header.subarray(o, o + 4), 4);
  for (const o of TWO_BYTE_FIELDS) swapBytes(header.subarray(o, o + 2), 2);
}

/** A DataView over the first 348 bytes of `header`. */
export function headerView(header: Uint8Array): DataView {
  return new DataView(header.buffer, header.byteOffset, HEADER_BYTES);
}

const MM_PER_SPATIAL_UNIT: Record<number, number> = { 1: 1000, 2: 1, 3: 0.001 };

/**
 * Voxel-to-world affine (row-major 4x4, mm) and voxel spacing (mm) of a little-endian header: the
 * sform if sform_code > 0, else the qform if qform_code > 0, else diag(pixdim) (nifti1.h method 1).
 * Metre and micron units (xyzt_units) are converted to mm.
 */
export function geometryFromHeader(header: Uint8Array): { affine: number[][]; spacingMm: Vec3 } {
  const v = headerView(header);
  const f = (offset: number): number => v.getFloat32(offset, true);
  const mmPerUnit = MM_PER_SPATIAL_UNIT[v.getUint8(123) & 7] ?? 1;
  const pixdim: Vec3 = [Math.abs(f(80)), Math.abs(f(84)), Math.abs(f(88))];
  let affine: number[][];
  if (v.getInt16(254, true) > 0) {
    affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f(280 + 16 * r + 4 * c)));
    affine.push([0, 0, 0, 1]);
  } else if (v.getInt16(252, true) > 0) {
    affine = qformToAffine([f(256), f(260), f(264)], [f(268), f(272), f(276)], pixdim, f(76));
  } else {
    affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => (r === c ? pixdim[r] || 1 : 0)));
    affine.push([0, 0, 0, 1]);
  }
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) affine[r][c] *= mmPerUnit;
  const spacingMm = pixdim.map((p, axis) =>
    p > 0 ? p * mmPerUnit : Math.hypot(affine[0][axis], affine[1][axis], affine[2][axis]),
  ) as unknown as Vec3;
  return { affine, spacingMm };
}

/** True when the header says where its axes point (sform_code or qform_code > 0, not nifti1.h method 1). */
export function hasOrientation(header: Uint8Array): boolean {
  const v = headerView(header);
  return v.getInt16(254, true) > 0 || v.getInt16(252, true) > 0;
}

/**
 * Writes `affine` and `spacingMm` into a little-endian header as both sform and qform (codes kept
 * where already > 0, else 1 = scanner anatomical), pixdim[0..3] and mm units.
 */
export function writeGeometry(header: Uint8Array, affine: Affine, spacingMm: Vec3): void {
  const v = headerView(header);
  const { quatern, qfac } = affineToQuatern(affine);
  v.setFloat32(76, qfac, true);
  spacingMm.forEach((s, axis) => v.setFloat32(80 + 4 * axis, s, true));
  v.setUint8(123, (v.getUint8(123) & 0x38) | 2);
  for (const code of [252, 254]) if (v.getInt16(code, true) <= 0) v.setInt16(code, 1, true);
  quatern.forEach((q, i) => v.setFloat32(256 + 4 * i, q, true));
  for (let r = 0; r < 3; r++) {
    v.setFloat32(268 + 4 * r, affine[r][3], true);
    for (let c = 0; c < 4; c++) v.setFloat32(280 + 16 * r + 4 * c, affine[r][c], true);
  }
}
