/**
 * DICOM in and out on the built page: a series folder written from the phantom (one file per slice,
 * int16 with rescale, patient name set) is picked as a folder, converted in the DICOM worker
 * (progress shown), listed with its tags and segmented; the mask downloads as a DICOM SEG that
 * holds the NIfTI mask's voxels on dcm2niix's grid, and a SEG of the phantom's truth loads as the
 * reference. A broken series (a slice missing) gives a message naming it while the scans stay.
 * A .zip of a study adds its T2 series. The patient's name appears nowhere on the page or in a file name.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { zipSync } from 'fflate';
import { nodeDcm2niix } from '../src/cli/dcm2niix-node.ts';
import { convertSeries, filesByName } from '../src/core/dicom-convert.ts';
import { readDicomSeg, segMaskOnGrid } from '../src/core/dicom-seg-read.ts';
import { writeDicomSeg } from '../src/core/dicom-seg.ts';
import { type DicomFile, scanDicomFiles } from '../src/core/dicom-series.ts';
import { dicomSeriesFromVolume } from '../src/core/dicom-write-series.ts';
import { generatePhantom } from '../src/core/phantom.ts';
import { onGridOf } from '../tests/core/dicom-fixture.ts';
import { downloadVolume, openApp, segmentAndWait, snapshot, trackPageErrors } from './helpers/page.ts';

const phantom = generatePhantom({ dims: [32, 32, 32], seed: 9 });
const SERIES = { patientName: 'DOE^JANE', patientId: 'MRN4711', studyInstanceUid: '2.25.4242', frameOfReferenceUid: '2.25.4243' };

function writeFolder(root: string, name: string, files: DicomFile[]): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(path.join(dir, f.name), f.bytes);
  return dir;
}

async function downloadBytes(page: Page, testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const chunks: Buffer[] = [];
  for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
  return { name: download.suggestedFilename(), bytes: Buffer.concat(chunks) };
}

test('a DICOM series folder converts, segments and exports a DICOM SEG; a SEG loads as reference; a broken series is refused', async ({ page }, testInfo) => {
  test.setTimeout(5 * 60_000);
  const errors = trackPageErrors(page);
  const root = mkdtempSync(path.join(tmpdir(), 'dicom-e2e-'));
  try {
    const flair = dicomSeriesFromVolume(phantom.flair, { ...SERIES, seriesDescription: 'AX FLAIR', seriesNumber: 3, inversionTimeMs: 2500, sequenceName: '*tir2d1' });
    const dir = writeFolder(root, 'DOE_JANE_study', flair.files);
    await openApp(page, '?mirror=off');

    await page.getByTestId('folder-input').setInputFiles(dir);
    await expect(page.getByTestId('case-title')).toHaveText('series-3_AX_FLAIR.nii', { timeout: 60_000 });
    await expect(page.getByTestId('dicom-series')).toHaveText('DICOM series 3 "AX FLAIR" · *tir2d1 · 32×32×32 · 1×1×1 mm · 32 slices');
    await expect(page.getByTestId('role-select')).toHaveValue('flair');
    await segmentAndWait(page, 3 * 60_000);
    await snapshot(page, testInfo, '20-dicom-segmented');

    const mask = await downloadVolume(page, 'download-mask');
    const seg = await downloadBytes(page, 'download-seg');
    expect(seg.name).toBe('series-3_AX_FLAIR_lesion_seg.dcm');
    // the page's mask is on the grid dcm2niix itself gives the series (here its WASM build in Node)
    const converted = await convertSeries(nodeDcm2niix, scanDicomFiles(flair.files).series[0], filesByName(flair.files));
    expect(mask.volume.dims).toEqual(converted.volume.dims);
    mask.volume.affine.forEach((row, r) => row.forEach((v, c) => expect(v).toBeCloseTo(converted.volume.affine[r][c], 4)));
    const read = readDicomSeg(seg.bytes);
    expect(read.referencedSeriesUids).toEqual([flair.seriesInstanceUid]);
    expect(read.frames).toHaveLength(32);
    const fromSeg = segMaskOnGrid(read, mask.volume);
    expect(Array.from(fromSeg)).toEqual(Array.from(mask.volume.data));
    expect(fromSeg.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // the phantom's truth as a SEG (as 3D Slicer or OHIF would save one) becomes the reference
    const truthSeg = writeDicomSeg(phantom.mask.data, phantom.mask, scanDicomFiles(flair.files).series[0]);
    await page.getByTestId('file-input').setInputFiles([{ name: 'truth-seg.dcm', mimeType: 'application/dicom', buffer: Buffer.from(truthSeg) }]);
    await expect(page.getByTestId('file-row')).toHaveCount(2);
    await expect(page.getByTestId('role-select').nth(1)).toHaveValue('mask');
    await expect(page.getByTestId('metrics')).toBeVisible();
    const reference = await downloadVolume(page, 'download-reference');
    expect(Array.from(onGridOf(reference.volume, phantom.mask))).toEqual(Array.from(phantom.mask.data));

    // a broken series: one slice missing; the message names it, the case stays
    const broken = dicomSeriesFromVolume(phantom.t2, { ...SERIES, seriesDescription: 'T2 BROKEN', seriesNumber: 4, fileName: (n) => `T2-${n}.dcm` });
    const brokenDir = writeFolder(root, 'broken', broken.files.filter((_, n) => n !== 12));
    await page.getByTestId('folder-input').setInputFiles(brokenDir);
    const banner = page.getByTestId('error-message');
    await expect(banner).toContainText('DICOM series 4 "T2 BROKEN" is missing 1 slice (31 of 32');
    await expect(banner).toContainText('The scans already loaded are kept.');
    await snapshot(page, testInfo, '21-dicom-broken-series');
    await expect(page.getByTestId('case-title')).toHaveText('series-3_AX_FLAIR.nii');
    await expect(page.getByTestId('file-row')).toHaveCount(2);

    // a .zip of a study folder: the T2 series inside joins the case with the role its tags give
    const t2 = dicomSeriesFromVolume(phantom.t2, { ...SERIES, seriesDescription: 't2_tse_tra', seriesNumber: 5 });
    const zip = zipSync(Object.fromEntries(t2.files.map((f) => [`DOE_JANE/t2/${f.name}`, f.bytes])));
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByTestId('file-input').setInputFiles([{ name: 'study.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) }]);
    await expect(page.getByTestId('file-row')).toHaveCount(3);
    await expect(page.getByTestId('role-select').nth(2)).toHaveValue('t2');
    await expect(page.getByTestId('dicom-series').nth(1)).toContainText('series 5 "t2_tse_tra"');
    await expect(page.getByTestId('error-message')).toHaveCount(0);

    expect(await page.locator('body').innerText()).not.toMatch(/DOE|JANE|MRN4711/);
    expect(mask.name + seg.name + reference.name).not.toMatch(/DOE|JANE|MRN4711/);
    expect(errors).toEqual([]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
