/**
 * NIfTI-2: read from hand-built files (nifti-fixture.ts), written back as NIfTI-2 when the input was,
 * and the written bytes checked with nifti-reader-js's own NIFTI2 parser (what niivue reads them with).
 */
import { gunzipSync } from 'fflate';
import { NIFTI2, isNIFTI2 } from 'nifti-reader-js';
import { describe, expect, it } from 'vitest';
import { readNifti, writeNifti } from '../../src/core/nifti-io.ts';
import { maskLike } from '../../src/core/volume.ts';
import { maskNiftiBytes } from '../../src/app/export.ts';
import { buildNifti2 } from './nifti-fixture.ts';

const values = Array.from({ length: 4 * 3 * 2 }, (_, i) => i * 1.5 - 7);
const srow = [[-0.9, 0.1, 0, 90.25], [0.05, 1.1, 0, -126.5], [0, 0, 3, -72.125]];

function fixture(littleEndian = true): Uint8Array {
  return buildNifti2({ dim: [3, 4, 3, 2, 1, 1, 1, 1], values, pixdim: [1, 0.9, 1.1, 3], sformCode: 4, srow, descrip: 'nifti2 built', littleEndian });
}

describe('NIfTI-2', () => {
  it('reads a hand-built NIfTI-2 file, little- and big-endian: voxels, dims, sform (float64) and pixdim', () => {
    for (const le of [true, false]) {
      const volume = readNifti(fixture(le));
      expect(volume.dims).toEqual([4, 3, 2]);
      expect(Array.from(volume.data)).toEqual(values);
      expect(volume.affine).toEqual([...srow, [0, 0, 0, 1]]);
      expect(volume.spacingMm).toEqual([0.9, 1.1, 3]);
      expect(volume.sourceHeader?.length).toBe(540);
      expect(volume.notes).toBeUndefined();
    }
  });

  it('round-trips: written back as NIfTI-2 with the same voxels, affine and header fields', () => {
    const source = readNifti(fixture());
    for (const gzip of [false, true]) {
      const bytes = writeNifti(source, 'float32', { gzip });
      const plain = gzip ? gunzipSync(bytes) : bytes;
      const view = new DataView(plain.buffer, plain.byteOffset);
      expect(view.getInt32(0, true)).toBe(540);
      expect(Array.from(plain.subarray(4, 12))).toEqual([0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(Number(view.getBigInt64(168, true))).toBe(544);
      expect(plain.length).toBe(544 + 24 * 4);
      const back = readNifti(bytes);
      expect(Array.from(back.data)).toEqual(values);
      expect(back.affine).toEqual(source.affine);
      expect(new TextDecoder().decode(back.sourceHeader!.subarray(240, 252))).toBe('nifti2 built');
      expect(view.getInt32(348, true)).toBe(4); // sform_code kept
      // nifti-reader-js, independently: a NIfTI-2 header with these dims, sform and datatype
      const buffer = plain.slice().buffer;
      expect(isNIFTI2(buffer)).toBe(true);
      const header = new NIFTI2();
      header.readHeader(buffer);
      expect(header.dims.slice(0, 4)).toEqual([3, 4, 3, 2]);
      expect([header.datatypeCode, header.numBitsPerVoxel, header.vox_offset]).toEqual([16, 32, 544]);
      expect(header.affine.slice(0, 3)).toEqual(srow);
    }
  });

  it('writes masks of a NIfTI-2 scan as NIfTI-2 (the export and the CLI), and NIfTI-1 when asked', () => {
    const source = readNifti(fixture());
    const mask = new Uint8Array(24).map((_, i) => i % 2);
    const exported = gunzipSync(maskNiftiBytes(source, mask));
    expect(new DataView(exported.buffer).getInt32(0, true)).toBe(540);
    expect(Array.from(readNifti(exported).data)).toEqual(Array.from(mask));
    expect(readNifti(exported).dataType).toBe('uint8');
    const v1 = writeNifti(maskLike(source, mask), 'uint8', { version: 1 });
    expect(new DataView(v1.buffer).getInt32(0, true)).toBe(348);
    const back = readNifti(v1);
    back.affine.forEach((row, r) => row.forEach((x, c) => expect(x).toBeCloseTo(source.affine[r][c], 5)));
  });

  it('gives NIfTI-2 header problems the same messages', () => {
    const nan = buildNifti2({ dim: [3, 4, 3, 2, 1, 1, 1, 1], values, sformCode: 1, srow: [[NaN, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]] });
    expect(() => readNifti(nan)).toThrow(/^the sform \(sform_code 1\) has entries that are not finite numbers/);
    const huge = buildNifti2({ dim: [3, 100000, 100000, 100000, 1, 1, 1, 1], values: [] });
    expect(() => readNifti(huge)).toThrow(/^image too large: the header declares 100000x100000x100000 float32 voxels/);
    const pair = fixture();
    pair[5] = 0x69; // "ni2": the header of a .hdr/.img pair
    expect(() => readNifti(pair.slice())).toThrow(/\.hdr\/\.img pair/);
  });
});
