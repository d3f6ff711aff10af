import { describe, expect, it } from 'vitest';
import { writeNifti } from '../../src/core/nifti-io.ts';
import { declaredDims, maxPageVoxels, PAGE_BYTES_PER_VOXEL, scanBudgetProblem } from '../../src/app/scan-budget.ts';
import type { Volume } from '../../src/core/types.ts';

const volume = (dims: [number, number, number]): Volume => ({
  dims, spacingMm: [0.5, 0.5, 0.5], affine: [[-0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 0.5, 0], [0, 0, 0, 1]], data: new Float32Array(dims[0] * dims[1] * dims[2]), dataType: 'int16',
});

describe('scan budget', () => {
  it('allows half the device memory at the measured bytes per voxel', () => {
    expect(maxPageVoxels(8)).toBe(Math.floor((8 * 2 ** 30 * 0.5) / PAGE_BYTES_PER_VOXEL));
    // no report: 8 GB assumed
    expect(maxPageVoxels(undefined)).toBe(maxPageVoxels(8));
    expect(maxPageVoxels(4)).toBe(Math.floor(maxPageVoxels(8) / 2));
  });

  it('takes a 0.5 mm 512x512x350 scan with 8 GB and refuses it with 2 GB, saying what to do', () => {
    expect(scanBudgetProblem('big.nii.gz', [512, 512, 350], 8)).toBeNull();
    const message = scanBudgetProblem('big.nii.gz', [512, 512, 350], 2);
    expect(message).toMatch(/^big\.nii\.gz: 512x512x350 voxels \(92 M\) need about 2\.7 GB in this page/);
    expect(message).toMatch(/this device reports 2 GB; the page takes up to 34 M voxels\): segment it with the command line \(npm run segment\)/);
    // a 1 mm brain is far inside any budget
    expect(scanBudgetProblem('t1.nii.gz', [182, 218, 182], 1)).toBeNull();
  });

  it('reads the dims from the first bytes of a .nii and a .nii.gz, and gives null for other bytes', () => {
    expect(declaredDims(writeNifti(volume([40, 30, 20]), 'int16'))).toEqual([40, 30, 20]);
    const gz = writeNifti(volume([40, 30, 20]), 'int16', { gzip: true });
    expect(declaredDims(gz.subarray(0, 200))).toEqual([40, 30, 20]);
    expect(declaredDims(writeNifti(volume([40, 30, 20]), 'int16', { version: 2 }))).toEqual([40, 30, 20]);
    expect(declaredDims(new Uint8Array(1000).fill(7))).toBeNull();
    expect(declaredDims(Uint8Array.of(0x1f, 0x8b, 1, 2, 3))).toBeNull();
  });
});
