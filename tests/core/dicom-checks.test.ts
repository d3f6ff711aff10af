/**
 * Bad DICOM input, built from the phantom's series by editing its files with dcmjs: no DICOM,
 * mixed series, missing, duplicated and unequally spaced slices, a localizer, a secondary capture,
 * a transfer syntax the converter cannot decode. Each gives one line naming the series by number
 * and description, never the patient. And the roles the series' tags suggest.
 */
import { describe, expect, it } from 'vitest';
import { seriesProblem } from '../../src/core/dicom-checks.ts';
import { guessSeriesRole } from '../../src/core/dicom-roles.ts';
import { type DicomFile, scanDicomFiles } from '../../src/core/dicom-series.ts';
import { singleSeries, studySeries } from '../../src/core/dicom-study.ts';
import { dicomSeriesFromVolume } from '../../src/core/dicom-write-series.ts';
import { generatePhantom } from '../../src/core/phantom.ts';
import { edited } from './dicom-fixture.ts';

const phantom = generatePhantom({ dims: [24, 26, 24], seed: 2 });
const good = () => dicomSeriesFromVolume(phantom.flair, { seriesDescription: 'AX FLAIR', seriesNumber: 5, patientName: 'DOE^JANE', patientId: 'MRN123' }).files;

function oneLineError(files: DicomFile[]): string {
  try {
    singleSeries(scanDicomFiles(files), '--flair DIR');
  } catch (error) {
    const message = (error as Error).message;
    expect(message).not.toMatch(/\n/);
    expect(message).not.toMatch(/DOE|JANE|MRN123/);
    return message;
  }
  throw new Error('no error');
}

describe('singleSeries / seriesProblem on bad input', () => {
  it('accepts the good series', () => {
    expect(singleSeries(scanDicomFiles(good()), '--flair DIR').instances).toHaveLength(24);
  });

  it('no DICOM in the folder', () => {
    const text = [{ name: 'notes.txt', bytes: new TextEncoder().encode('hello') }, { name: 'a.nii', bytes: new Uint8Array(400) }];
    expect(oneLineError(text)).toBe('--flair DIR: no DICOM files among its 2 files (expected a folder of one DICOM series)');
  });

  it('several series mixed in one folder', () => {
    const t1 = dicomSeriesFromVolume(phantom.t1, { seriesDescription: 'T1 MPRAGE', seriesNumber: 7, fileName: (n) => `t1-${n}.dcm` }).files;
    expect(oneLineError([...good(), ...t1])).toMatch(/^--flair DIR holds 2 series \(series 5 "AX FLAIR", series 7 "T1 MPRAGE"\); give a folder of one series/);
  });

  it('missing slices', () => {
    const files = good();
    files.splice(10, 2);
    expect(oneLineError(files)).toMatch(/^--flair DIR: series 5 "AX FLAIR" is missing 2 slices \(22 of 24, a gap in the 1.00 mm steps\)/);
  });

  it('duplicated slices (a copy under a new SOP Instance UID)', () => {
    const files = good();
    files.push(edited(files[3], (ds) => { ds.SOPInstanceUID = '2.25.1234'; }));
    expect(oneLineError(files)).toMatch(/series 5 "AX FLAIR" has 1 duplicated slice \(two images at one position\)/);
  });

  it('unequal slice spacing', () => {
    const files = good().map((f, n) => (n < 12 ? f : edited(f, (ds) => {
      const p = ds.ImagePositionPatient as number[];
      ds.ImagePositionPatient = [p[0], p[1], p[2] + 0.4];
    })));
    expect(oneLineError(files)).toMatch(/series 5 "AX FLAIR" has unequal slice spacing \(1.00 to 1.40 mm between slices\)/);
  });

  it('a 2D localizer: three orthogonal slices, or a LOCALIZER image type', () => {
    const files = good().slice(0, 3).map((f, n) => edited(f, (ds) => {
      ds.ImageOrientationPatient = [[1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 0, -1], [1, 0, 0, 0, 0, -1]][n];
    }));
    expect(oneLineError(files)).toMatch(/series 5 "AX FLAIR" mixes slice orientations/);
    const typed = good().map((f) => edited(f, (ds) => { ds.ImageType = ['ORIGINAL', 'PRIMARY', 'LOCALIZER']; }));
    expect(oneLineError(typed)).toMatch(/series 5 "AX FLAIR" is a localizer \(scout\), not a 3D scan/);
    expect(oneLineError(good().slice(0, 1))).toMatch(/has a single 2D image/);
  });

  it('a secondary capture', () => {
    const files = good().map((f) => edited(f, (ds) => { ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7'; }));
    expect(oneLineError(files)).toMatch(/series 5 "AX FLAIR" is a secondary capture/);
  });

  it('a transfer syntax the converter cannot decode (HTJ2K)', () => {
    const files = good().map((f) => edited(f, (_, meta) => { meta.TransferSyntaxUID = '1.2.840.10008.1.2.4.201'; }));
    expect(oneLineError(files)).toMatch(/series 5 "AX FLAIR" uses transfer syntax 1.2.840.10008.1.2.4.201, which the converter cannot decode/);
  });

  it('lists a study: summaries, problems and roles', () => {
    const t2 = dicomSeriesFromVolume(phantom.t2, { seriesDescription: 't2_tse_tra', seriesNumber: 3, fileName: (n) => `t2-${n}.dcm` }).files;
    const listed = studySeries(scanDicomFiles([...good().filter((_, n) => n !== 7), ...t2]));
    expect(listed.map((s) => [s.summary.label, s.role, s.summary.problem === null])).toEqual([
      ['series 3 "t2_tse_tra"', 't2', true],
      ['series 5 "AX FLAIR"', 'flair', false],
    ]);
    expect(listed[0].summary).toMatchObject({ size: [24, 26, 24], voxelMm: [1, 1, 1], slices: 24 });
    expect(seriesProblem(listed[0].series)).toBeNull();
  });
});

describe('guessSeriesRole', () => {
  const s = (description: string, inversionTimeMs: number | null = null, sequenceName = '', protocolName = '') =>
    guessSeriesRole({ description, protocolName, sequenceName, inversionTimeMs });
  it('reads the words, then the inversion time', () => {
    expect(s('AX FLAIR')).toBe('flair');
    expect(s('t2_tirm_tra_dark-fluid', 2500, '*tir2d1_16')).toBe('flair');
    expect(s('Sag CUBE', 1800, '', '3D SAG')).toBe('flair');
    expect(s('t2_tse_tra', null, '*tse2d1_15')).toBe('t2');
    expect(s('t1_mprage_sag', 900, '*tfl3d1')).toBe('t1');
    expect(s('T1 MPRAGE POST')).toBe('t1post');
    expect(s('3D sag', 1000, '*tfl3d1_16ns')).toBe('t1');
    expect(s('t1_se_tra +C')).toBe('t1post');
    expect(s('DWI b1000')).toBeNull();
  });
});
