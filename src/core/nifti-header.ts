/**
 * NIfTI header bytes: voxel type table, byte order and geometry (affine, spacing), for NIfTI-1 and
 * NIfTI-2 headers alike (field offsets in nifti-layout.ts). Used by nifti-io.ts; works on the raw header
 * bytes so it needs no parser object.
 */
import type { Affine, Vec3, VoxelDataType } from './types.ts';
import { affineToQuatern, qformToAffine } from './nifti-qform.ts';
import { type HeaderField, layoutOf, layoutView, readField, writeField } from './nifti-layout.ts';

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

const MM_PER_SPATIAL_UNIT: Record<number, number> = { 1: 1000, 2: 1, 3: 0.001 };

/** A voxel size read from pixdim: zero, negative or not finite counts as 1 (nifti1_io.c's rule). */
export function usablePixdim(p: number): number {
  return p > 0 && Number.isFinite(p) ? p : 1;
}

/** The header's pixdim[1..3] (voxel sizes in xyzt_units) as stored. */
export function storedPixdim(header: Uint8Array): Vec3 {
  const layout = layoutOf(header);
  const v = layoutView(header, layout);
  return [1, 2, 3].map((i) => readField(v, layout.pixdim, i)) as unknown as Vec3;
}

/** Millimetres per header spatial unit (xyzt_units: metres, mm, microns; unknown counts as mm). */
export function mmPerUnit(header: Uint8Array): number {
  const layout = layoutOf(header);
  return MM_PER_SPATIAL_UNIT[readField(layoutView(header, layout), layout.xyztUnits) & 7] ?? 1;
}

/** Which of the header's orientations gives the affine: the sform, the qform, or none (pixdim only). */
export function affineSource(header: Uint8Array): 'sform' | 'qform' | 'pixdim' {
  const layout = layoutOf(header);
  const v = layoutView(header, layout);
  if (readField(v, layout.sformCode) > 0) return 'sform';
  return readField(v, layout.qformCode) > 0 ? 'qform' : 'pixdim';
}

/**
 * Voxel-to-world affine (row-major 4x4, mm) and voxel spacing (mm) of a little-endian NIfTI-1 or
 * NIfTI-2 header: the sform if sform_code > 0, else the qform if qform_code > 0, else diag(pixdim)
 * (nifti1.h method 1). Metre and micron units (xyzt_units) are converted to mm. A pixdim[1..3] that is
 * zero, negative or not finite counts as 1; spacing then comes from the sform's columns when the sform
 * gives the affine.
 */
export function geometryFromHeader(header: Uint8Array): { affine: number[][]; spacingMm: Vec3 } {
  const layout = layoutOf(header);
  const v = layoutView(header, layout);
  const f = (field: HeaderField, index: number): number => readField(v, field, index);
  const unit = mmPerUnit(header);
  const stored = storedPixdim(header);
  const pixdim = stored.map(usablePixdim) as unknown as Vec3;
  const source = affineSource(header);
  let affine: number[][];
  if (source === 'sform') {
    affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f(layout.srow, 4 * r + c)));
    affine.push([0, 0, 0, 1]);
  } else if (source === 'qform') {
    const q = [0, 1, 2].map((i) => f(layout.quatern, i)) as unknown as Vec3;
    const o = [0, 1, 2].map((i) => f(layout.qoffset, i)) as unknown as Vec3;
    affine = qformToAffine(q, o, pixdim, f(layout.pixdim, 0));
  } else {
    affine = [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => (r === c ? pixdim[r] : 0)));
    affine.push([0, 0, 0, 1]);
  }
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) affine[r][c] *= unit;
  const spacingMm = stored.map((p, axis) =>
    p > 0 && Number.isFinite(p)
      ? p * unit
      : source === 'sform' ? Math.hypot(affine[0][axis], affine[1][axis], affine[2][axis]) : pixdim[axis] * unit,
  ) as unknown as Vec3;
  return { affine, spacingMm };
}

/** True when the header says where its axes point (sform_code or qform_code > 0, not nifti1.h method 1). */
export function hasOrientation(header: Uint8Array): boolean {
  return affineSource(header) !== 'pixdim';
}

/**
 * Writes `affine` and `spacingMm` into a little-endian NIfTI-1 or NIfTI-2 header as both sform and
 * qform (codes kept where already > 0, else 1 = scanner anatomical), pixdim[0..3] and mm units.
 */
export function writeGeometry(header: Uint8Array, affine: Affine, spacingMm: Vec3): void {
  const layout = layoutOf(header);
  const v = layoutView(header, layout);
  const { quatern, qfac } = affineToQuatern(affine);
  writeField(v, layout.pixdim, qfac, 0);
  spacingMm.forEach((s, axis) => writeField(v, layout.pixdim, s, axis + 1));
  writeField(v, layout.xyztUnits, (readField(v, layout.xyztUnits) & 0x38) | 2);
  for (const code of [layout.qformCode, layout.sformCode]) if (readField(v, code) <= 0) writeField(v, code, 1);
  quatern.forEach((q, i) => writeField(v, layout.quatern, q, i));
  for (let r = 0; r < 3; r++) {
    writeField(v, layout.qoffset, affine[r][3], r);
    for (let c = 0; c < 4; c++) writeField(v, layout.srow, affine[r][c], 4 * r + c);
  }
}
