/**
 * Where the header fields sit in NIfTI-1 (348 bytes, 16- and 32-bit fields) and NIfTI-2 (540 bytes,
 * 64-bit fields) files, so that one reader and one writer serve both. Offsets from nifti1.h and
 * nifti2.h; pure byte access, no parser object.
 */

/** How one numeric field is stored. */
type FieldKind = 'u8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64';

/** A header field: byte offset of its first element and its type (arrays hold consecutive elements). */
export interface HeaderField {
  offset: number;
  kind: FieldKind;
}

/** One NIfTI version's header layout. */
export interface NiftiLayout {
  version: 1 | 2;
  /** sizeof_hdr: 348 or 540. */
  headerBytes: number;
  /** vox_offset of a single file without extensions: header + the 4 extension-flag bytes. */
  dataOffset: number;
  /** Where the magic string starts, and the single-file and .hdr/.img-pair magics. */
  magicOffset: number;
  magic: string;
  pairMagic: string;
  dim: HeaderField;
  datatype: HeaderField;
  bitpix: HeaderField;
  /** pixdim[0] is qfac; pixdim[1..3] the voxel sizes in xyzt_units. */
  pixdim: HeaderField;
  voxOffset: HeaderField;
  sclSlope: HeaderField;
  sclInter: HeaderField;
  calMax: HeaderField;
  calMin: HeaderField;
  qformCode: HeaderField;
  sformCode: HeaderField;
  /** quatern_b, c, d, then qoffset_x, y, z follow as six consecutive elements. */
  quatern: HeaderField;
  qoffset: HeaderField;
  /** srow_x, srow_y, srow_z: 12 consecutive elements. */
  srow: HeaderField;
  xyztUnits: HeaderField;
  /** Offsets of the numeric fields by width, for byte swapping. */
  numericOffsets: Readonly<Record<2 | 4 | 8, readonly number[]>>;
}

const range = (from: number, count: number, step: number): number[] => Array.from({ length: count }, (_, i) => from + i * step);

/** NIfTI-1: nifti1.h's nifti_1_header. */
export const NIFTI1_LAYOUT: NiftiLayout = {
  version: 1, headerBytes: 348, dataOffset: 352, magicOffset: 344, magic: 'n+1', pairMagic: 'ni1',
  dim: { offset: 40, kind: 'i16' }, datatype: { offset: 70, kind: 'i16' }, bitpix: { offset: 72, kind: 'i16' },
  pixdim: { offset: 76, kind: 'f32' }, voxOffset: { offset: 108, kind: 'f32' },
  sclSlope: { offset: 112, kind: 'f32' }, sclInter: { offset: 116, kind: 'f32' },
  calMax: { offset: 124, kind: 'f32' }, calMin: { offset: 128, kind: 'f32' },
  qformCode: { offset: 252, kind: 'i16' }, sformCode: { offset: 254, kind: 'i16' },
  quatern: { offset: 256, kind: 'f32' }, qoffset: { offset: 268, kind: 'f32' }, srow: { offset: 280, kind: 'f32' },
  xyztUnits: { offset: 123, kind: 'u8' },
  numericOffsets: {
    2: [36, ...range(40, 8, 2), 68, 70, 72, 74, 120, 252, 254],
    4: [0, 32, 56, 60, 64, ...range(76, 8, 4), 108, 112, 116, 124, 128, 132, 136, 140, 144, ...range(256, 18, 4)],
    8: [],
  },
};

/** NIfTI-2: nifti2.h's nifti_2_header (dims and vox_offset int64, reals float64). */
export const NIFTI2_LAYOUT: NiftiLayout = {
  version: 2, headerBytes: 540, dataOffset: 544, magicOffset: 4, magic: 'n+2', pairMagic: 'ni2',
  dim: { offset: 16, kind: 'i64' }, datatype: { offset: 12, kind: 'i16' }, bitpix: { offset: 14, kind: 'i16' },
  pixdim: { offset: 104, kind: 'f64' }, voxOffset: { offset: 168, kind: 'i64' },
  sclSlope: { offset: 176, kind: 'f64' }, sclInter: { offset: 184, kind: 'f64' },
  calMax: { offset: 192, kind: 'f64' }, calMin: { offset: 200, kind: 'f64' },
  qformCode: { offset: 344, kind: 'i32' }, sformCode: { offset: 348, kind: 'i32' },
  quatern: { offset: 352, kind: 'f64' }, qoffset: { offset: 376, kind: 'f64' }, srow: { offset: 400, kind: 'f64' },
  xyztUnits: { offset: 500, kind: 'i32' },
  numericOffsets: {
    2: [12, 14],
    4: [0, 344, 348, 496, 500, 504],
    8: [...range(16, 8, 8), 80, 88, 96, ...range(104, 8, 8), ...range(168, 9, 8), ...range(352, 18, 8)],
  },
};

const WIDTH: Record<FieldKind, number> = { u8: 1, i16: 2, i32: 4, i64: 8, f32: 4, f64: 8 };

/** Element `index` of `field` in a little-endian header (int64 read as a Number). */
export function readField(view: DataView, field: HeaderField, index = 0): number {
  const at = field.offset + index * WIDTH[field.kind];
  switch (field.kind) {
    case 'u8': return view.getUint8(at);
    case 'i16': return view.getInt16(at, true);
    case 'i32': return view.getInt32(at, true);
    case 'i64': return Number(view.getBigInt64(at, true));
    case 'f32': return view.getFloat32(at, true);
    case 'f64': return view.getFloat64(at, true);
  }
}

/** Writes element `index` of `field` into a little-endian header (integers truncated). */
export function writeField(view: DataView, field: HeaderField, value: number, index = 0): void {
  const at = field.offset + index * WIDTH[field.kind];
  switch (field.kind) {
    case 'u8': return view.setUint8(at, value);
    case 'i16': return view.setInt16(at, value, true);
    case 'i32': return view.setInt32(at, value, true);
    case 'i64': return view.setBigInt64(at, BigInt(Math.trunc(value)), true);
    case 'f32': return view.setFloat32(at, value, true);
    case 'f64': return view.setFloat64(at, value, true);
  }
}

/** The layout of a little-endian header, from its length (348 or 540 bytes). */
export function layoutOf(header: Uint8Array): NiftiLayout {
  return header.length >= NIFTI2_LAYOUT.headerBytes ? NIFTI2_LAYOUT : NIFTI1_LAYOUT;
}

/** The layout whose sizeof_hdr is `size`, or null. */
export function layoutForSize(size: number): NiftiLayout | null {
  return size === 348 ? NIFTI1_LAYOUT : size === 540 ? NIFTI2_LAYOUT : null;
}

/** A DataView over the header bytes of `header`. */
export function layoutView(header: Uint8Array, layout: NiftiLayout = layoutOf(header)): DataView {
  return new DataView(header.buffer, header.byteOffset, layout.headerBytes);
}

/** Reverses the bytes of every numeric field of a big-endian header, in place (it is then little-endian). */
export function swapHeaderFields(header: Uint8Array, layout: NiftiLayout): void {
  for (const width of [2, 4, 8] as const) {
    for (const o of layout.numericOffsets[width]) header.subarray(o, o + width).reverse();
  }
}
