/**
 * DICOM series built in code (dcmjs) from the phantom, one file per slice, int16 with
 * RescaleSlope/Intercept, converted back by the real dcm2niix WASM build: the voxels and the
 * geometry must be the phantom's (up to dcm2niix's choice of voxel order), axial, sagittal and oblique.
 */
import { describe, expect, it } from 'vitest';
import { nodeDcm2niix } from '../../src/cli/dcm2niix-node.ts';
import { convertSeries, filesByName, seriesFileName, summarizeSeries } from '../../src/core/dicom-convert.ts';
import { scanDicomFiles, seriesLabel } from '../../src/core/dicom-series.ts';
import { dicomSeriesFromVolume } from '../../src/core/dicom-write-series.ts';
import { generatePhantom } from '../../src/core/phantom.ts';
import type { Affine, Volume } from '../../src/core/types.ts';
import { maxAbsDiff, multiply4, onGridOf, rotation4 } from './dicom-fixture.ts';

const phantom = generatePhantom({ dims: [32, 36, 28], seed: 5 });

async function roundTrip(volume: Volume, sliceAxis: 0 | 1 | 2) {
  const written = dicomSeriesFromVolume(volume, { sliceAxis, seriesDescription: 'FLAIR 3D', seriesNumber: 4, patientName: 'DOE^JANE' });
  const scan = scanDicomFiles(written.files);
  expect(scan.series).toHaveLength(1);
  const converted = await convertSeries(nodeDcm2niix, scan.series[0], filesByName(written.files));
  return { written, converted };
}

function expectSameImage(converted: Volume, expected: Volume): void {
  const sizes = (d: readonly number[]) => [...d].sort((a, b) => a - b);
  expect(sizes(converted.dims)).toEqual(sizes(expected.dims));
  const reordered = onGridOf(converted, expected);
  // float32 tolerance of stored * slope + intercept
  expect(maxAbsDiff(reordered, expected.data)).toBeLessThan(1e-4);
}

describe('convertSeries (dcm2niix WASM) on series written from the phantom', () => {
  it('axial, one file per k slice: voxels and affine are the phantom NIfTI\'s', async () => {
    const { written, converted } = await roundTrip(phantom.flair, 2);
    expect(written.files).toHaveLength(28);
    // the stored values are the phantom quantised to int16 steps: close to the phantom itself
    expect(maxAbsDiff(written.stored.data, phantom.flair.data)).toBeLessThan(0.01);
    expectSameImage(converted.volume, written.stored);
    expect(converted.volume.spacingMm.map((s) => Number(s.toFixed(5)))).toEqual([1, 1, 1]);
    expect(converted.name).toBe('series-4_FLAIR_3D.nii');
  });

  it('sagittal, one file per i slice, anisotropic voxels 0.9 x 1.2 x 1.5 mm', async () => {
    const affine: Affine = [[-1.5, 0, 0, 20], [0, 0.9, 0, -15], [0, 0, 1.2, -12], [0, 0, 0, 1]];
    const volume: Volume = { ...phantom.flair, affine, spacingMm: [1.5, 0.9, 1.2] };
    const { written, converted } = await roundTrip(volume, 0);
    expect(written.files).toHaveLength(32);
    expectSameImage(converted.volume, written.stored);
    expect([...converted.volume.spacingMm].map((s) => Number(s.toFixed(4))).sort()).toEqual([0.9, 1.2, 1.5]);
  });

  it('oblique (20 degrees about x, 10 about z), axial slices', async () => {
    const affine = multiply4(multiply4(rotation4(2, 10), rotation4(0, 20)), phantom.flair.affine);
    const volume: Volume = { ...phantom.flair, affine };
    const { written, converted } = await roundTrip(volume, 2);
    expectSameImage(converted.volume, written.stored);
  });

  it('never names the patient: labels, file names, summaries', async () => {
    const { converted } = await roundTrip(phantom.t1, 2);
    const text = JSON.stringify([seriesLabel(converted.series), seriesFileName(converted.series), summarizeSeries(converted.series, null)]);
    expect(text).not.toMatch(/DOE|JANE|PHANTOM/);
    expect(summarizeSeries(converted.series, null)).toMatchObject({ label: 'series 4 "FLAIR 3D"', size: [32, 36, 28], slices: 28, voxelMm: [1, 1, 1] });
  });
});
