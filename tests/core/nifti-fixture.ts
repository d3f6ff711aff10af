/**
 * Builds NIfTI-1 files byte by byte with DataView, independently of src/core/nifti-io.ts, so that
 * reader tests do not depend on the writer.
 */

/** Header fields of a hand-built file; omitted ones get the defaults listed in buildNifti. */
export interface HandBuiltNifti {
  dim: number[]; // dim[0..7]
  datatype: number;
  bitpix: number;
  /** Writes `value` at byte `offset` of `view`, in the file's byte order. */
  writeVoxel: (view: DataView, offset: number, value: number, littleEndian: boolean) => void;
  values: number[];
  littleEndian?: boolean;
  sclSlope?: number;
  sclInter?: number;
  pixdim?: number[]; // pixdim[0..3]
  qformCode?: number;
  sformCode?: number;
  quatern?: number[]; // b, c, d
  qoffset?: number[];
  srow?: number[][]; // 3 rows of 4
  descrip?: string;
  xyztUnits?: number;
  magic?: string;
}

/** The bytes of a single-file NIfTI-1 (.nii) with vox_offset 352. */
export function buildNifti(spec: HandBuiltNifti): Uint8Array {
  const le = spec.littleEndian ?? true;
  const bytesPerVoxel = spec.bitpix / 8;
  const buffer = new ArrayBuffer(352 + spec.values.length * bytesPerVoxel);
  const v = new DataView(buffer);
  v.setInt32(0, 348, le);
  spec.dim.forEach((d, i) => v.setInt16(40 + 2 * i, d, le));
  v.setInt16(70, spec.datatype, le);
  v.setInt16(72, spec.bitpix, le);
  (spec.pixdim ?? [1, 1, 1, 1]).forEach((p, i) => v.setFloat32(76 + 4 * i, p, le));
  v.setFloat32(108, 352, le);
  v.setFloat32(112, spec.sclSlope ?? 1, le);
  v.setFloat32(116, spec.sclInter ?? 0, le);
  v.setUint8(123, spec.xyztUnits ?? 2);
  const descrip = spec.descrip ?? '';
  for (let i = 0; i < descrip.length; i++) v.setUint8(148 + i, descrip.charCodeAt(i));
  v.setInt16(252, spec.qformCode ?? 0, le);
  v.setInt16(254, spec.sformCode ?? 0, le);
  (spec.quatern ?? [0, 0, 0]).forEach((q, i) => v.setFloat32(256 + 4 * i, q, le));
  (spec.qoffset ?? [0, 0, 0]).forEach((q, i) => v.setFloat32(268 + 4 * i, q, le));
  (spec.srow ?? [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]).forEach((row, r) =>
    row.forEach((x, c) => v.setFloat32(280 + 16 * r + 4 * c, x, le)),
  );
  const magic = spec.magic ?? 'n+1';
  for (let i = 0; i < magic.length; i++) v.setUint8(344 + i, magic.charCodeAt(i));
  spec.values.forEach((x, i) => spec.writeVoxel(v, 352 + i * bytesPerVoxel, x, le));
  return new Uint8Array(buffer);
}

/** A little int16 volume (dims 3x2x2) with scl_slope 2, scl_inter 1 and an sform. */
export function int16Fixture(overrides: Partial<HandBuiltNifti> = {}): Uint8Array {
  return buildNifti({
    dim: [3, 3, 2, 2, 1, 1, 1, 1],
    datatype: 4,
    bitpix: 16,
    writeVoxel: (view, offset, value, le) => view.setInt16(offset, value, le),
    values: [0, 1, -1, 100, -100, 32767, -32768, 5, 6, 7, 8, 9],
    sclSlope: 2,
    sclInter: 1,
    pixdim: [1, 0.9, 1.1, 3],
    sformCode: 1,
    qformCode: 0,
    srow: [
      [0.9, 0, 0, -10],
      [0, 1.1, 0, 20],
      [0, 0, 3, -30.5],
    ],
    descrip: 'hand built',
    ...overrides,
  });
}

/** Header fields of a hand-built NIfTI-2 file (nifti2.h offsets); voxels are float32. */
export interface HandBuiltNifti2 {
  dim: number[]; // dim[0..7], written as int64
  values: number[];
  littleEndian?: boolean;
  pixdim?: number[]; // pixdim[0..3], float64
  sformCode?: number;
  qformCode?: number;
  srow?: number[][]; // 3 rows of 4, float64
  descrip?: string;
}

/** The bytes of a single-file float32 NIfTI-2 (.nii) with vox_offset 544, built with DataView. */
export function buildNifti2(spec: HandBuiltNifti2): Uint8Array {
  const le = spec.littleEndian ?? true;
  const buffer = new ArrayBuffer(544 + spec.values.length * 4);
  const v = new DataView(buffer);
  v.setInt32(0, 540, le);
  [0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a].forEach((b, i) => v.setUint8(4 + i, b));
  v.setInt16(12, 16, le); // datatype float32
  v.setInt16(14, 32, le); // bitpix
  spec.dim.forEach((d, i) => v.setBigInt64(16 + 8 * i, BigInt(d), le));
  (spec.pixdim ?? [1, 1, 1, 1]).forEach((p, i) => v.setFloat64(104 + 8 * i, p, le));
  v.setBigInt64(168, 544n, le); // vox_offset
  v.setFloat64(176, 1, le); // scl_slope
  v.setFloat64(184, 0, le); // scl_inter
  const descrip = spec.descrip ?? '';
  for (let i = 0; i < descrip.length; i++) v.setUint8(240 + i, descrip.charCodeAt(i));
  v.setInt32(344, spec.qformCode ?? 0, le);
  v.setInt32(348, spec.sformCode ?? 0, le);
  (spec.srow ?? [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]).forEach((row, r) =>
    row.forEach((x, c) => v.setFloat64(400 + 32 * r + 8 * c, x, le)),
  );
  v.setInt32(500, 2, le); // xyzt_units: mm
  spec.values.forEach((x, i) => v.setFloat32(544 + 4 * i, x, le));
  return new Uint8Array(buffer);
}
