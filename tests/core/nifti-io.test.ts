import { describe, it, expect } from 'vitest';
import { gzipSync } from 'fflate';
import { assertFinite, readNifti, writeNifti } from '../../src/core/nifti-io.ts';
import type { Affine, Volume, VoxelDataType } from '../../src/core/types.ts';
import { buildNifti, int16Fixture } from './nifti-fixture.ts';

const c30 = Math.cos(Math.PI / 6);
const s30 = Math.sin(Math.PI / 6);
/** 30 degrees about z, x flipped (det < 0), spacing 0.9 x 1.1 x 3 mm. */
const rotatedAffine: Affine = [
  [-0.9 * c30, -1.1 * s30, 0, 10],
  [-0.9 * s30, 1.1 * c30, 0, -20],
  [0, 0, 3, 30.25],
  [0, 0, 0, 1],
];

function volumeOf(values: number[], dataType: VoxelDataType, affine = rotatedAffine): Volume {
  return { dims: [4, 3, 2], spacingMm: [0.9, 1.1, 3], affine, data: Float32Array.from(values), dataType };
}

const valuesByType: Record<VoxelDataType, number[]> = {
  uint8: [0, 1, 2, 3, 254, 255, 128, 7, ...Array.from({ length: 16 }, (_, i) => i * 10)],
  int16: [-32768, 32767, 0, -5, 5, 1000, ...Array.from({ length: 18 }, (_, i) => i * 300 - 2000)],
  int32: [-1e6, 123456, 16777216, -16777216, 0, 1, ...Array.from({ length: 18 }, (_, i) => i * 7919)],
  float32: [1.5, -2.25, 1e-8, 3.4e38, -0, 0.1, ...Array.from({ length: 18 }, (_, i) => Math.sqrt(i))],
  float64: [1.5, -2.25, 1e-30, -3e38, 0, 0.1, ...Array.from({ length: 18 }, (_, i) => -Math.cbrt(i))],
};

function expectAffineClose(actual: Affine, expected: Affine, tolerance = 1e-5): void {
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) expect(Math.abs(actual[r][c] - expected[r][c])).toBeLessThan(tolerance);
  }
}

describe('writeNifti / readNifti round trip', () => {
  for (const dataType of Object.keys(valuesByType) as VoxelDataType[]) {
    for (const gzip of [false, true]) {
      it(`keeps ${dataType} values, dims, spacing and affine (${gzip ? '.nii.gz' : '.nii'})`, () => {
        const volume = volumeOf(valuesByType[dataType], dataType);
        const bytes = writeNifti(volume, dataType, { gzip });
        expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(gzip);
        // no gzip time stamp (bytes 4-7 of the member header): a file is the same whenever it is written
        if (gzip) expect(Array.from(bytes.subarray(4, 8))).toEqual([0, 0, 0, 0]);
        const back = readNifti(bytes);
        expect(back.dims).toEqual([4, 3, 2]);
        expect(back.dataType).toBe(dataType);
        expect(back.data).toEqual(volume.data);
        for (let a = 0; a < 3; a++) expect(back.spacingMm[a]).toBeCloseTo(volume.spacingMm[a], 6);
        expectAffineClose(back.affine, rotatedAffine);
        expect(back.sourceHeader?.length).toBe(348);
      });
    }
  }

  it('writes a qform that encodes the same affine as the sform', () => {
    const bytes = writeNifti(volumeOf(valuesByType.float32, 'float32'), 'float32');
    const view = new DataView(bytes.buffer);
    expect([view.getInt16(252, true), view.getInt16(254, true)]).toEqual([1, 1]);
    view.setInt16(254, 0, true); // drop the sform: the reader must fall back to the qform
    expectAffineClose(readNifti(bytes).affine, rotatedAffine);
  });

  it('writes dim, vox_offset, scaling, cal range and magic as specified', () => {
    const bytes = writeNifti(volumeOf(valuesByType.int16, 'int16'), 'int16');
    const view = new DataView(bytes.buffer);
    expect(bytes.length).toBe(352 + 24 * 2);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => view.getInt16(40 + 2 * i, true))).toEqual([3, 4, 3, 2, 1, 1, 1, 1]);
    expect([view.getInt16(70, true), view.getInt16(72, true)]).toEqual([4, 16]);
    expect([108, 112, 116, 124, 128].map((o) => view.getFloat32(o, true))).toEqual([352, 1, 0, 32767, -32768]);
    expect(Array.from(bytes.subarray(344, 352))).toEqual([0x6e, 0x2b, 0x31, 0, 0, 0, 0, 0]);
  });

  it('rounds and clamps integer types (NaN becomes 0)', () => {
    const values = [2.5, -2.5, 2.4, 40000, -1e6, NaN, 300, -5, ...new Array<number>(16).fill(0)];
    const int16 = readNifti(writeNifti(volumeOf(values, 'float32'), 'int16')).data;
    expect(Array.from(int16.subarray(0, 8))).toEqual([3, -2, 2, 32767, -32768, 0, 300, -5]);
    const uint8 = readNifti(writeNifti(volumeOf(values, 'float32'), 'uint8')).data;
    expect(Array.from(uint8.subarray(0, 8))).toEqual([3, 0, 2, 255, 0, 0, 255, 0]);
  });

  it('keeps the source header fields and geometry when writing a volume that was read', () => {
    const source = readNifti(int16Fixture({ qformCode: 2, sformCode: 3, xyztUnits: 10 }));
    const written = writeNifti(source, 'float32');
    const view = new DataView(written.buffer);
    expect(new TextDecoder().decode(written.subarray(148, 158))).toBe('hand built');
    expect([view.getInt16(252, true), view.getInt16(254, true), written[123]]).toEqual([2, 3, 10]);
    expect(Array.from(written.subarray(280, 328))).toEqual(Array.from(source.sourceHeader!.subarray(280, 328)));
    expect([112, 116].map((o) => view.getFloat32(o, true))).toEqual([1, 0]);
    const back = readNifti(written);
    expect(back.data).toEqual(source.data);
    expect(back.affine).toEqual(source.affine);
  });

  it('rewrites the geometry from the affine when it no longer matches the source header', () => {
    const source = readNifti(int16Fixture());
    const shifted = { ...source, affine: source.affine.map((row, r) => row.map((x, c) => (c === 3 && r < 3 ? x + 5 : x))) };
    const back = readNifti(writeNifti(shifted, 'int16'));
    expectAffineClose(back.affine, shifted.affine);
  });
});

describe('readNifti on hand-built files', () => {
  const expected = [0, 1, -1, 100, -100, 32767, -32768, 5, 6, 7, 8, 9].map((x) => 2 * x + 1);
  const fixtureAffine = [[0.9, 0, 0, -10], [0, 1.1, 0, 20], [0, 0, 3, -30.5], [0, 0, 0, 1]];

  it('applies scl_slope 2 and scl_inter 1 to int16 data and reads the sform', () => {
    const volume = readNifti(int16Fixture());
    expect(Array.from(volume.data)).toEqual(expected);
    expect(volume.dims).toEqual([3, 2, 2]);
    expect(volume.dataType).toBe('float32');
    expectAffineClose(volume.affine, fixtureAffine);
    for (let a = 0; a < 3; a++) expect(volume.spacingMm[a]).toBeCloseTo([0.9, 1.1, 3][a], 6);
  });

  it('reads big-endian files the same, keeping a little-endian source header', () => {
    const volume = readNifti(int16Fixture({ littleEndian: false }));
    expect(Array.from(volume.data)).toEqual(expected);
    expectAffineClose(volume.affine, fixtureAffine);
    expect(new DataView(volume.sourceHeader!.buffer).getInt32(0, true)).toBe(348);
  });

  it('treats scl_slope 0 as no scaling and keeps the int16 type', () => {
    const volume = readNifti(int16Fixture({ sclSlope: 0, sclInter: 7 }));
    expect(Array.from(volume.data)).toEqual([0, 1, -1, 100, -100, 32767, -32768, 5, 6, 7, 8, 9]);
    expect(volume.dataType).toBe('int16');
  });

  it('uses the sform when sform_code > 0 even if qform_code is higher', () => {
    const volume = readNifti(int16Fixture({ qformCode: 2, sformCode: 1, quatern: [0, 0, 1] }));
    expectAffineClose(volume.affine, fixtureAffine);
  });

  it('computes the qform affine: 180 degrees about z, qfac -1', () => {
    const volume = readNifti(int16Fixture({
      sformCode: 0, qformCode: 1, quatern: [0, 0, 1], qoffset: [1, 2, 3], pixdim: [-1, 2, 3, 4],
    }));
    expectAffineClose(volume.affine, [[-2, 0, 0, 1], [0, -3, 0, 2], [0, 0, -4, 3], [0, 0, 0, 1]]);
    expect(volume.spacingMm).toEqual([2, 3, 4]);
  });

  it('computes the qform affine: 90 degrees about x', () => {
    const h = Math.SQRT1_2;
    const volume = readNifti(int16Fixture({ sformCode: 0, qformCode: 1, quatern: [h, 0, 0], pixdim: [1, 1, 2, 3] }));
    expectAffineClose(volume.affine, [[1, 0, 0, 0], [0, 0, -3, 0], [0, 2, 0, 0], [0, 0, 0, 1]]);
  });

  it('reads uint16 as int32, and NaN/Inf voxels as 0 with a note giving their count', () => {
    const u16 = buildNifti({
      dim: [3, 2, 2, 2, 1, 1, 1, 1], datatype: 512, bitpix: 16, values: [0, 1, 2, 3, 4, 5, 65535, 40000],
      writeVoxel: (v, o, x, le) => v.setUint16(o, x, le),
    });
    const volume = readNifti(u16);
    expect([volume.dataType, volume.data[6], volume.data[7]]).toEqual(['int32', 65535, 40000]);
    expect(volume.notes).toBeUndefined();
    const withNan = buildNifti({
      dim: [3, 2, 2, 2, 1, 1, 1, 1], datatype: 16, bitpix: 32, values: [0, NaN, 2, Infinity, 4, 5, 6, -Infinity],
      writeVoxel: (v, o, x, le) => v.setFloat32(o, x, le),
    });
    const flair = readNifti(withNan);
    expect(Array.from(flair.data)).toEqual([0, 0, 2, 0, 4, 5, 6, 0]);
    expect(flair.notes).toEqual(['3 of its 8 voxels are NaN or infinite; they were read as 0 (background)']);
    expect(() => assertFinite(flair, 'FLAIR')).not.toThrow();
    expect(() => assertFinite({ ...flair, data: Float32Array.of(1, NaN) }, 'FLAIR')).toThrow(/^FLAIR contains 1 NaN\/Inf voxels/);
  });

  it('accepts a Uint8Array view with an offset, an ArrayBuffer, and multi-member gzip', () => {
    const plain = int16Fixture();
    const padded = new Uint8Array(plain.length + 3);
    padded.set(plain, 3);
    expect(Array.from(readNifti(padded.subarray(3)).data)).toEqual(expected);
    expect(Array.from(readNifti(plain.slice().buffer).data)).toEqual(expected);
    const twoMembers = new Uint8Array([...gzipSync(plain.subarray(0, 200)), ...gzipSync(plain.subarray(200))]);
    expect(Array.from(readNifti(twoMembers).data)).toEqual(expected);
    const shortFirst = new Uint8Array([...gzipSync(plain.subarray(0, 100)), ...gzipSync(plain.subarray(100))]);
    expect(Array.from(readNifti(shortFirst).data)).toEqual(expected);
    const bgzipLike = new Uint8Array([...gzipSync(plain), ...gzipSync(new Uint8Array(0))]);
    expect(Array.from(readNifti(bgzipLike).data)).toEqual(expected);
  });
});

describe('readNifti errors', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['text bytes', new TextEncoder().encode('hello, this is not an image'), /^not a NIfTI file: 27 bytes/],
    ['a bad header size', new Uint8Array(400), /^not a NIfTI file: the header size field is not 348/],
    ['a bad magic', int16Fixture({ magic: 'xyz' }), /^not a NIfTI-1 file: magic is "xyz"/],
    ['an .hdr of a pair', int16Fixture({ magic: 'ni1' }), /\.hdr\/\.img pair/],
    ['truncated data', int16Fixture().subarray(0, 370), /^truncated NIfTI file: 3x2x2 int16 voxels need 376 bytes, file has 370/],
    ['a 2D image', int16Fixture({ dim: [2, 4, 3, 1, 1, 1, 1, 1] }), /^image is 2D \(4x3 voxels\)/],
    ['a single slice', int16Fixture({ dim: [3, 6, 2, 1, 1, 1, 1, 1] }), /^image is 2D \(6x2x1 voxels\)/],
    ['a 4D image', int16Fixture({ dim: [4, 3, 2, 2, 5, 1, 1, 1] }), /^image is 4D with 5 volumes \(3x2x2x5\)/],
    ['an RGB image', int16Fixture({ datatype: 128, bitpix: 24 }), /^unsupported NIfTI datatype RGB24/],
    ['a bad dim', int16Fixture({ dim: [3, 3, -2, 2, 1, 1, 1, 1] }), /^corrupt NIfTI header: invalid dim/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects ${what}`, () => expect(() => readNifti(bytes)).toThrow(message));
  }

  it('rejects corrupt and truncated gzip', () => {
    const gz = gzipSync(int16Fixture());
    const corrupt = gz.slice();
    corrupt.fill(0xff, 10, 30);
    expect(() => readNifti(corrupt)).toThrow(/^corrupt or truncated gzip data/);
    expect(() => readNifti(gz.subarray(0, gz.length >> 1))).toThrow(/^corrupt or truncated gzip data/);
    expect(() => readNifti(gz.subarray(0, 5))).toThrow(/^corrupt or truncated gzip data/);
  });

  it('starts messages with the file name when given', () => {
    expect(() => readNifti(new Uint8Array(10), 'FLAIR.nii.gz')).toThrow(/^FLAIR\.nii\.gz: not a NIfTI file/);
  });
});
