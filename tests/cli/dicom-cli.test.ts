/**
 * `npm run segment -- --flair DIR --out-seg SEG.dcm` on DICOM series folders written from the
 * phantom: a good series segments with the shipped FLAIR-only model and the SEG over it holds the
 * NIfTI mask's voxels, on dcm2niix's own grid for the series; bad folders end with one line naming
 * the series (never the patient), exit code 1 and no output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeDcm2niix } from '../../src/cli/dcm2niix-node.ts';
import { convertSeries, filesByName } from '../../src/core/dicom-convert.ts';
import { readDicomSeg, segMaskOnGrid } from '../../src/core/dicom-seg-read.ts';
import { writeDicomSeg } from '../../src/core/dicom-seg.ts';
import { type DicomFile, scanDicomFiles } from '../../src/core/dicom-series.ts';
import { dicomSeriesFromVolume } from '../../src/core/dicom-write-series.ts';
import { readNifti, writeNifti } from '../../src/core/nifti-io.ts';
import { generatePhantom } from '../../src/core/phantom.ts';
import { edited } from '../core/dicom-fixture.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const PATIENT = /DOE|JANE|MRN4711/;

let dir = '';
const at = (...parts: string[]) => path.join(dir, ...parts);
const phantom = generatePhantom({ dims: [32, 32, 32], seed: 3 });
const series = (description: string, number: number, prefix = 'IM') => dicomSeriesFromVolume(phantom.flair, {
  seriesDescription: description, seriesNumber: number, patientName: 'DOE^JANE', patientId: 'MRN4711', inversionTimeMs: 2500,
  fileName: (n) => `${prefix}${n}`,
}).files;

async function folder(name: string, files: DicomFile[]): Promise<string> {
  await mkdir(at(name), { recursive: true });
  for (const f of files) await writeFile(at(name, f.name), f.bytes);
  return at(name);
}

function segment(args: string[], script = 'segment') {
  const env = { ...process.env };
  delete env.DEBUG_CLI;
  const r = spawnSync(TSX, [`src/cli/${script}.ts`, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return r;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'dicom-cli-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('segment --flair DIR', () => {
  it('segments a DICOM FLAIR series and writes a SEG that holds the mask on dcm2niix\'s grid', async () => {
    const files = series('AX FLAIR', 3);
    const flairDir = await folder('DOE_JANE/flair', files);
    const r = segment(['--flair', flairDir, '--out', at('mask.nii.gz'), '--out-seg', at('mask-seg.dcm'), '--backend', 'wasm', '--no-mirror']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fbeta15-light-flair/);
    expect(r.stderr).not.toMatch(PATIENT);
    const mask = readNifti(await readFile(at('mask.nii.gz')));
    // the mask is on the grid dcm2niix gives the series
    const { volume: converted } = await convertSeries(nodeDcm2niix, scanDicomFiles(files).series[0], filesByName(files));
    expect(mask.dims).toEqual(converted.dims);
    mask.affine.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(converted.affine[i][j], 4)));
    const seg = readDicomSeg(await readFile(at('mask-seg.dcm')));
    expect(seg.frames).toHaveLength(32);
    const fromSeg = segMaskOnGrid(seg, mask);
    expect(Array.from(fromSeg)).toEqual(Array.from(mask.data));
    expect(fromSeg.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

describe('segment --flair DIR: bad input', () => {
  const cases: [string, () => Promise<string[]>, RegExp][] = [
    ['a folder with no DICOM', async () => {
      await mkdir(at('empty'), { recursive: true });
      await writeFile(at('empty', 'readme'), 'not an image');
      return ['--flair', at('empty')];
    }, /^error: --flair: no DICOM files among its 1 file \(expected a folder of one DICOM series\)$/],
    ['a missing folder', async () => ['--flair', at('no-such-folder')], /^error: cannot read --flair '.*no-such-folder': no such file$/],
    ['two series mixed', async () => ['--flair', await folder('mixed', [...series('AX FLAIR', 3), ...series('T1 SAG', 4, 'T1-')])],
      /--flair holds 2 series \(series 3 "AX FLAIR", series 4 "T1 SAG"\)/],
    ['missing slices', async () => ['--flair', await folder('gap', series('AX FLAIR', 3).filter((_, n) => n !== 9))],
      /--flair: series 3 "AX FLAIR" is missing 1 slice/],
    ['duplicated slices', async () => {
      const files = series('AX FLAIR', 3);
      return ['--flair', await folder('dup', [...files, edited({ ...files[4], name: 'copy' }, (ds) => { ds.SOPInstanceUID = '2.25.99'; })])];
    }, /series 3 "AX FLAIR" has 1 duplicated slice/],
    ['unequal spacing', async () => ['--flair', await folder('uneven', series('AX FLAIR', 3).map((f, n) => (n < 16 ? f : edited(f, (ds) => {
      const p = ds.ImagePositionPatient as number[];
      ds.ImagePositionPatient = [p[0], p[1], p[2] + 0.5];
    }))))], /series 3 "AX FLAIR" has unequal slice spacing/],
    ['a localizer', async () => ['--flair', await folder('scout', series('localizer', 1).slice(0, 3).map((f, n) => edited(f, (ds) => {
      ds.ImageOrientationPatient = [[1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 0, -1], [1, 0, 0, 0, 0, -1]][n];
    })))], /series 1 "localizer" mixes slice orientations/],
    ['a secondary capture', async () => ['--flair', await folder('sc', series('screen save', 99).map((f) => edited(f, (ds) => {
      ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7';
    })))], /series 99 "screen save" is a secondary capture/],
    ['an unsupported transfer syntax', async () => ['--flair', await folder('htj2k', series('AX FLAIR', 3).map((f) => edited(f, (_, meta) => {
      meta.TransferSyntaxUID = '1.2.840.10008.1.2.4.201';
    })))], /series 3 "AX FLAIR" uses transfer syntax 1\.2\.840\.10008\.1\.2\.4\.201, which the converter cannot decode/],
  ];
  for (const [what, args, message] of cases) {
    it(`fails cleanly on ${what}`, async () => {
      const out = at(`out-${what.replace(/\W+/g, '-')}`);
      const r = segment([...(await args()), '--out', `${out}.nii.gz`, '--out-seg', `${out}.dcm`, '--backend', 'wasm']);
      expect(r.status, r.stderr).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.length > 0);
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(message);
      expect(lines[0]).not.toMatch(PATIENT);
      expect(existsSync(`${out}.nii.gz`) || existsSync(`${out}.dcm`)).toBe(false);
    });
  }

  it('refuses --out-seg for a NIfTI FLAIR', async () => {
    await writeFile(at('flair.nii'), writeNifti(phantom.flair, 'float32'));
    const r = segment(['--flair', at('flair.nii'), '--out-seg', at('x.dcm')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('error: --out-seg needs --flair to be a DICOM series folder (a SEG references its source images)\n');
    expect(existsSync(at('x.dcm'))).toBe(false);
  });
});

describe('segment:folder on a DICOM study', () => {
  it('finds the study, takes FLAIR and T2 by their tags, skips a localizer, scores against a SEG and writes a SEG', async () => {
    const study = { studyInstanceUid: '2.25.777', frameOfReferenceUid: '2.25.778', patientName: 'DOE^JANE', patientId: 'MRN4711' };
    const flair = dicomSeriesFromVolume(phantom.flair, { ...study, seriesDescription: 't2_tirm_tra_dark-fluid', seriesNumber: 5, inversionTimeMs: 2500 });
    const t2 = dicomSeriesFromVolume(phantom.t2, { ...study, seriesDescription: 't2_tse_tra', seriesNumber: 6 });
    const t1 = dicomSeriesFromVolume(phantom.t1, { ...study, seriesDescription: '3D sag', seriesNumber: 7, inversionTimeMs: 900, sequenceName: '*tfl3d1' });
    const scout = dicomSeriesFromVolume(phantom.flair, { ...study, seriesDescription: 'localizer', seriesNumber: 1 }).files.slice(0, 3)
      .map((f, n) => edited(f, (ds) => { ds.ImageOrientationPatient = [[1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 0, -1], [1, 0, 0, 0, 0, -1]][n]; }));
    const root = at('studies');
    await folder('studies/study1/5', flair.files);
    await folder('studies/study1/6', t2.files);
    await folder('studies/study1/7', t1.files);
    await folder('studies/study1/1', scout);
    const flairSeries = scanDicomFiles(flair.files).series[0];
    await writeFile(at('studies/study1/truth-seg.dcm'), writeDicomSeg(phantom.mask.data, phantom.mask, flairSeries));
    const out = at('study-out');
    const r = segment(['--input', root, '--output', out, '--backend', 'wasm', '--no-mirror'], 'segment-folder');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/study1: note: series 1 "localizer" skipped: mixes slice orientations/);
    expect(r.stderr).toMatch(/series 5 "t2_tirm_tra_dark-fluid" \(FLAIR\), series 6 "t2_tse_tra" \(T2\), series 7 "3D sag" \(T1\), a DICOM SEG over the FLAIR \(reference mask\)/);
    expect(r.stderr).not.toMatch(PATIENT);
    const summary = (await readFile(path.join(out, 'summary.csv'), 'utf8')).split('\n');
    const columns = summary[0].split(',');
    const line = summary[1].split(',');
    expect(line[columns.indexOf('case')]).toBe('study1');
    // the reference read from the SEG is the phantom's mask (1 mm voxels); the model finds lesions
    const truthMl = phantom.mask.data.reduce((a, v) => a + v, 0) / 1000;
    expect(Number(line[columns.indexOf('volume_truth_ml')])).toBeCloseTo(truthMl, 3);
    expect(Number(line[columns.indexOf('dice')]), summary.join('\n') + r.stderr).toBeGreaterThan(0.25);
    expect(summary.join('\n')).not.toMatch(PATIENT);
    const mask = readNifti(await readFile(path.join(out, 'study1_mask.nii.gz')));
    const seg = readDicomSeg(await readFile(path.join(out, 'study1_seg.dcm')));
    expect(seg.referencedSeriesUids).toEqual([flair.seriesInstanceUid]);
    expect(Array.from(segMaskOnGrid(seg, mask))).toEqual(Array.from(mask.data));

    // a rerun skips the finished study; without its SEG it is segmented again (the SEG is one of its outputs)
    const segPath = path.join(out, 'study1_seg.dcm');
    const segTime = statSync(segPath).mtimeMs;
    const again = segment(['--input', root, '--output', out, '--backend', 'wasm', '--no-mirror'], 'segment-folder');
    expect(again.stderr).toMatch(/^study1: skipped: finished in an earlier run/m);
    expect(statSync(segPath).mtimeMs).toBe(segTime);
    expect(await readFile(path.join(out, 'summary.csv'), 'utf8')).toBe(summary.join('\n'));
    await rm(segPath);
    const redone = segment(['--input', root, '--output', out, '--backend', 'wasm', '--no-mirror'], 'segment-folder');
    expect(redone.status, redone.stderr).toBe(0);
    expect(redone.stderr).toMatch(/^study1: segmented again: study1_seg\.dcm missing/m);
    expect(readDicomSeg(await readFile(segPath)).referencedSeriesUids).toEqual([flair.seriesInstanceUid]);
  });
});
