/**
 * The page's DICOM input after conversion (case-input.ts): converted series join the case with the
 * role their tags suggest (over their names), a DICOM SEG becomes the reference on the FLAIR's grid,
 * and a SEG drawn on another grid, or without a FLAIR, is a problem naming it while the case stays.
 */
import { describe, expect, it } from 'vitest';
import { caseAfterInput } from '../../src/app/case-input.ts';
import { scansOf } from '../../src/app/case-files.ts';
import { writeDicomSeg } from '../../src/core/dicom-seg.ts';
import { scanDicomFiles } from '../../src/core/dicom-series.ts';
import { dicomSeriesFromVolume } from '../../src/core/dicom-write-series.ts';
import { generatePhantom } from '../../src/core/phantom.ts';

const phantom = generatePhantom({ dims: [24, 26, 24], seed: 4 });
const flairSeries = scanDicomFiles(dicomSeriesFromVolume(phantom.flair, { seriesDescription: 't2_tirm_tra_dark-fluid', seriesNumber: 2 }).files).series[0];
const seg = { name: 'truth.dcm', bytes: writeDicomSeg(phantom.mask.data, phantom.mask, flairSeries) };

describe('caseAfterInput', () => {
  it('takes the role hint over the name, keeps the series, and reads a SEG as the reference', () => {
    const { next, message } = caseAfterInput(null, {
      volumes: [{ name: 'series-2_t2_tirm_tra_dark-fluid.nii', sizeBytes: 1, volume: phantom.flair, roleHint: 'flair', dicomSeries: flairSeries }],
      problems: [], segFiles: [seg],
    });
    expect(message).toBeNull();
    const { flair, truth } = scansOf(next);
    expect(flair?.name).toBe('series-2_t2_tirm_tra_dark-fluid.nii');
    expect(flair?.dicomSeries?.seriesInstanceUid).toBe(flairSeries.seriesInstanceUid);
    expect(truth?.name).toBe('truth.dcm');
    expect(Array.from(truth!.volume.data)).toEqual(Array.from(phantom.mask.data));
  });

  it('refuses a SEG on another grid or without a FLAIR, keeping the case, and reports conversion problems', () => {
    const start = caseAfterInput(null, { volumes: [{ name: 'f.nii', sizeBytes: 1, volume: phantom.flair, roleHint: 'flair' }], problems: [], segFiles: [] }).next!;
    const shifted = { ...phantom.mask, affine: phantom.mask.affine.map((row, r) => (r === 2 ? [...row.slice(0, 3), row[3] + 0.5] : [...row])) };
    const other = caseAfterInput(start, { volumes: [], problems: [], segFiles: [{ name: 'other.dcm', bytes: writeDicomSeg(phantom.mask.data, phantom.mask, flairSeries) }] });
    expect(scansOf(other.next).truth?.name).toBe('other.dcm');
    const off = caseAfterInput({ ...start, files: start.files.map((f) => ({ ...f, volume: shifted })) }, { volumes: [], problems: [], segFiles: [seg] });
    expect(off.message).toMatch(/^truth\.dcm: the SEG's frames do not lie on the scan's voxel grid; was it drawn on another series\? The scans already loaded are kept\.$/);
    expect(scansOf(off.next).truth).toBeNull();
    expect(caseAfterInput(null, { volumes: [], problems: [], segFiles: [seg] }).message).toMatch(/truth\.dcm: a DICOM SEG needs its FLAIR series loaded first/);
    const bad = caseAfterInput(start, { volumes: [], problems: [{ name: 's', message: 'DICOM series 4 "T2" is missing 1 slice' }], segFiles: [] });
    expect(bad).toEqual({ next: null, message: 'DICOM series 4 "T2" is missing 1 slice. The scans already loaded are kept.' });
  });
});
