/**
 * Each header problem refused (or noted) with a message that names its cause, on hand-built files
 * (nifti-fixture.ts writes the bytes with DataView, independently of the reader).
 */
import { describe, expect, it } from 'vitest';
import { readNifti } from '../../src/core/nifti-io.ts';
import { buildNifti, int16Fixture } from './nifti-fixture.ts';

/** A float32 4x3x2 image with an sform of the given voxel sizes. */
function float32Fixture(overrides: Partial<Parameters<typeof buildNifti>[0]> = {}): Uint8Array {
  return buildNifti({
    dim: [3, 4, 3, 2, 1, 1, 1, 1], datatype: 16, bitpix: 32,
    writeVoxel: (v, o, x, le) => v.setFloat32(o, x, le),
    values: Array.from({ length: 24 }, (_, i) => i + 1),
    pixdim: [1, 1, 1, 1], sformCode: 1, srow: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]],
    ...overrides,
  });
}

describe('readNifti: each message names its cause', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    // these three were "constant inside the brain (sd 0)", "empty brain" and "NaN/Inf voxels" before
    ['0.01 mm voxels', float32Fixture({ pixdim: [1, 0.01, 0.01, 0.01], srow: [[0.01, 0, 0, 0], [0, 0.01, 0, 0], [0, 0, 0.01, 0]] }),
      /^voxel sizes 0\.01 x 0\.01 x 0\.01 mm are outside 0\.05-20 mm, not those of an MRI scan; check the header's pixdim, sform\/qform and units \(xyzt_units says mm\)$/],
    ['a NaN sform', float32Fixture({ srow: [[NaN, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]] }),
      /^the sform \(sform_code 1\) has entries that are not finite numbers \(srow_x\/y\/z\)/],
    ['an scl_slope of 3e38 on finite int16 values', int16Fixture({ sclSlope: 3e38, sclInter: 0 }),
      /^the header's scaling \(scl_slope 3\.0000000054977558e\+38, scl_inter 0\) takes stored values of up to 32768 beyond float32's range \(3\.4e38\); the stored voxels are finite/],
    ['an infinite scl_inter', int16Fixture({ sclSlope: 1, sclInter: Infinity }), /^the header's scaling is infinite \(scl_slope 1, scl_inter Infinity\)/],
    ['an infinite scl_slope', int16Fixture({ sclSlope: -Infinity }), /^the header's scaling is infinite \(scl_slope -Infinity/],
    ['a bitpix of 32 for int16', int16Fixture({ bitpix: 32 }), /^corrupt NIfTI header: bitpix is 32 but datatype int16 has 16 bits per voxel/],
    ['a singular sform', float32Fixture({ srow: [[1, 0, 0, 0], [2, 0, 0, 0], [0, 0, 1, 0]] }),
      /^the sform \(sform_code 1\) is singular \(determinant 0\): its axes do not span 3D space/],
    ['a NaN qform offset', float32Fixture({ sformCode: 0, qformCode: 1, qoffset: [0, NaN, 0] }),
      /^the qform \(qform_code 1\) has entries that are not finite numbers \(quatern_b\/c\/d, qoffset_x\/y\/z\)/],
    ['voxel sizes of 30 mm', float32Fixture({ sformCode: 0, pixdim: [1, 30, 1, 1] }), /^voxel sizes 30 x 1 x 1 mm are outside 0\.05-20 mm/],
    ['an sform of 0.01 mm behind a pixdim of 1 mm', float32Fixture({ srow: [[0.01, 0, 0, 0], [0, 0.01, 0, 0], [0, 0, 0.01, 0]] }),
      /^the sform's voxel sizes 0\.01 x 0\.01 x 0\.01 mm are outside 0\.05-20 mm/],
    ['pixdim in metres (1 m voxels)', float32Fixture({ sformCode: 0, xyztUnits: 1 }), /^voxel sizes 1000 x 1000 x 1000 mm are outside .* \(xyzt_units says metres\)$/],
    ['no finite voxel', float32Fixture({ values: new Array<number>(24).fill(NaN) }), /^every voxel \(24\) is NaN or infinite: there is no image to read$/],
    ['a declared image above the scan limit', int16Fixture({ dim: [3, 1024, 1024, 1024, 1, 1, 1, 1] }),
      /^image too large: the header declares 1024x1024x1024 int16 voxels \(1074 M voxels, 2147 MB\), more than the 134 M voxels \(512x512x512\) a scan may have here/],
    ['float64 voxels over 512 MiB', buildNifti({ dim: [3, 512, 512, 300, 1, 1, 1, 1], datatype: 64, bitpix: 64, writeVoxel: () => undefined, values: [] }),
      /^image too large: the header declares 512x512x300 float64 voxels \(600 MiB stored\), more than the 512 MiB of voxels a scan may have here; convert it to float32 or int16, or crop it$/],
  ];
  for (const [what, bytes, message] of cases) {
    it(`refuses ${what}`, () => expect(() => readNifti(bytes)).toThrow(message));
  }

  it('reads zero, negative and NaN voxel sizes as 1 mm, with a note saying so', () => {
    for (const bad of [0, -1.2, NaN]) {
      const volume = readNifti(float32Fixture({ sformCode: 0, qformCode: 0, pixdim: [1, bad, 2, 3] }));
      expect(volume.spacingMm).toEqual([1, 2, 3]);
      expect(volume.affine).toEqual([[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 3, 0], [0, 0, 0, 1]]);
      expect(volume.notes).toEqual([
        `its header gives voxel sizes (pixdim) of ${bad} x 2 x 3; a voxel size that is zero, negative or not a number was read as 1 mm (as nifti1_io does): check the scan's voxel sizes`,
      ]);
    }
    // with a qform, as nifti1_io.c's quatern_to_mat44 does
    const qform = readNifti(float32Fixture({ sformCode: 0, qformCode: 1, pixdim: [1, 0, 0, 2] }));
    expect(qform.spacingMm).toEqual([1, 1, 2]);
    expect(qform.notes?.[0]).toMatch(/read as 1 mm/);
  });

  it('takes the voxel sizes from the sform when pixdim is zero, with a note', () => {
    const volume = readNifti(float32Fixture({ pixdim: [1, 0, 0, 0], srow: [[0.9, 0, 0, 1], [0, 1.1, 0, 2], [0, 0, 3, 3]] }));
    expect(volume.spacingMm.map((s) => Number(s.toFixed(5)))).toEqual([0.9, 1.1, 3]);
    expect(volume.notes).toEqual([
      "its header gives voxel sizes (pixdim) of 0 x 0 x 0; the voxel sizes were taken from the sform (0.9 x 1.1 x 3 mm): check the scan's voxel sizes",
    ]);
  });

  it('treats scl_slope NaN (nibabel writes it for unscaled images) and 0 as no scaling, a NaN scl_inter as 0', () => {
    expect(readNifti(int16Fixture({ sclSlope: NaN, sclInter: NaN })).dataType).toBe('int16');
    const scaled = readNifti(int16Fixture({ sclSlope: 2, sclInter: NaN }));
    expect(Array.from(scaled.data.subarray(0, 4))).toEqual([0, 2, -2, 200]);
  });

  it('reads up to the limits: 512x512x350 int16 (a 0.5 mm 3D FLAIR) passes the header checks', () => {
    // the header alone: the file is short, so the message is about truncation, not size
    const header = buildNifti({ dim: [3, 512, 512, 350, 1, 1, 1, 1], datatype: 4, bitpix: 16, writeVoxel: () => undefined, values: [] });
    expect(() => readNifti(header)).toThrow(/^truncated NIfTI file: 512x512x350 int16 voxels need 183501152 bytes/);
  });

  it('accepts voxel sizes at the ends of 0.05-20 mm', () => {
    const fine = readNifti(float32Fixture({ sformCode: 0, pixdim: [1, 0.05, 20, 1] }));
    expect(fine.spacingMm[1]).toBe(20);
  });
});
