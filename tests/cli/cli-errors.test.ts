/**
 * The segment, evaluate, calibrate, average and train CLIs as a user runs them: bad inputs must end with exit code != 0, one
 * line `error: ...` on stderr (no stack trace) and no output file; a good run writes a mask on the
 * FLAIR's grid that evaluate can score.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { createGzip } from 'node:zlib';
import { gunzipSync, gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelDir, saveModelDir } from '../../src/cli/model-files.ts';
import { readNifti, writeNifti } from '../../src/core/nifti-io.ts';
import type { Vec3, Volume } from '../../src/core/types.ts';
import { buildFcDenseNet } from '../../src/model/fc-densenet.ts';
import type { ModelMeta } from '../../src/model/model-meta.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

let dir = '';
const file = (name: string) => path.join(dir, name);

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCli(script: 'segment' | 'segment-folder' | 'evaluate' | 'calibrate' | 'average' | 'train', args: string[]): CliResult {
  const env = { ...process.env };
  delete env.DEBUG_CLI;
  const r = spawnSync(TSX, [`src/cli/${script}.ts`, ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 90_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit code != 0, exactly one stderr line `error: ...` matching `message`, no stack trace. */
function expectOneLineError(r: CliResult, message: RegExp): void {
  expect(r.status, r.stderr).not.toBe(0);
  const lines = r.stderr.split('\n').filter((line) => line.length > 0);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/^ {4}at /m);
}

const DIMS: Vec3 = [32, 32, 32];
const AFFINE = [[1.2, 0, 0, -20], [0, 1, 0, 15], [0, 0, 0.9, 7], [0, 0, 0, 1]];

function volume(data: Float32Array, dims: Vec3 = DIMS): Volume {
  return { dims, spacingMm: [1.2, 1, 0.9], affine: AFFINE, data, dataType: 'float32' };
}

/** A FLAIR-like image: brain ellipsoid at ~100 (+ texture), two bright lesions, 0 outside. */
function phantom(dims: Vec3): { flair: Float32Array; truth: Float32Array } {
  const [nx, ny, nz] = dims;
  const flair = new Float32Array(nx * ny * nz);
  const truth = new Float32Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const v = i + nx * (j + ny * k);
    const r = ((i - nx / 2) / (0.42 * nx)) ** 2 + ((j - ny / 2) / (0.42 * ny)) ** 2 + ((k - nz / 2) / (0.42 * nz)) ** 2;
    if (r > 1) continue;
    const lesion = (i - 12) ** 2 + (j - 14) ** 2 + (k - 16) ** 2 <= 9 || (i - 20) ** 2 + (j - 18) ** 2 + (k - 12) ** 2 <= 4;
    truth[v] = lesion ? 1 : 0;
    flair[v] = (lesion ? 180 : 100) + 10 * Math.sin(0.7 * i + 1.3 * j + 0.4 * k);
  }
  return { flair, truth };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cli-test-'));
  await tf.setBackend('cpu');
  const model = buildFcDenseNet({
    name: 'light', description: 'test', firstFilters: 8, blocksDown: [1], bottleneck: 1, growth: 4, patchSize: 16,
  }, 1);
  const meta: ModelMeta = {
    format: 'lesion-workbench-model/1', preset: 'light', modalities: ['flair'], patchSize: 16,
    normalization: 'zscore-in-brain', loss: 'fbeta', beta: 1.5, steps: 0, trainSeconds: 0, trainedOn: [],
  };
  await saveModelDir(model, file('model'), meta);
  await saveModelDir(model, file('model-calibrated'), {
    ...meta, calibration: { temperature: 2, nllBefore: 0.2, nllAfter: 0.1, voxels: 100, fitOn: ['patientA'] },
  });
  model.dispose();

  const { flair, truth } = phantom(DIMS);
  await writeFile(file('flair.nii.gz'), writeNifti(volume(flair), 'float32', { gzip: true }));
  await writeFile(file('truth.nii.gz'), writeNifti(volume(truth), 'uint8', { gzip: true }));
  await writeFile(file('t1-other-shape.nii'), writeNifti(volume(phantom([32, 32, 30]).flair, [32, 32, 30]), 'float32'));
  const withNaN = flair.slice();
  withNaN[5000] = Number.NaN;
  withNaN[6000] = Number.NaN;
  await writeFile(file('nan.nii'), writeNifti(volume(withNaN), 'float32'));
  await writeFile(file('empty.nii'), writeNifti(volume(new Float32Array(flair.length)), 'float32'));
  await writeFile(file('flat.nii'), writeNifti(volume(new Float32Array(16 * 16).fill(1), [16, 16, 1]), 'float32'));
  // 4D: a valid file whose dim field says [4, 8, 8, 8, 2].
  const fourD = writeNifti(volume(new Float32Array(2 * 8 ** 3).fill(1), [8, 8, 16]), 'float32');
  const header = new DataView(fourD.buffer, fourD.byteOffset, 348);
  [4, 8, 8, 8, 2].forEach((d, n) => header.setInt16(40 + 2 * n, d, true));
  await writeFile(file('4d.nii'), fourD);
  // A gzip stream cut in half.
  const gz = gzipSync(writeNifti(volume(flair), 'float32'));
  await writeFile(file('corrupt.nii.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
  await writeFile(file('notes.nii'), 'these are not voxels\n'.repeat(40));
  await writeHostileFiles(flair);
});

/** Header problems that once gave misleading messages, an all-NaN image, a gzip bomb and a NIfTI-2 FLAIR with NaN voxels. */
async function writeHostileFiles(flair: Float32Array): Promise<void> {
  await writeFile(file('all-nan.nii'), writeNifti(volume(new Float32Array(flair.length).fill(Number.NaN)), 'float32'));
  const tiny: Volume = { ...volume(flair), spacingMm: [0.01, 0.01, 0.01], affine: [[0.01, 0, 0, 0], [0, 0.01, 0, 0], [0, 0, 0.01, 0], [0, 0, 0, 1]] };
  await writeFile(file('tiny-voxels.nii'), writeNifti(tiny, 'float32'));
  const nanSform = writeNifti(volume(flair), 'float32');
  new DataView(nanSform.buffer).setFloat32(280, Number.NaN, true);
  await writeFile(file('nan-sform.nii'), nanSform);
  const slope = writeNifti(volume(flair), 'int16');
  new DataView(slope.buffer).setFloat32(112, 3e38, true);
  await writeFile(file('slope.nii'), slope);
  // 64^3 zeros (an empty brain) behind which the gzip stream goes on to 1 GiB of zeros
  const gzip = createGzip({ level: 1 });
  const parts: Buffer[] = [];
  gzip.on('data', (part: Buffer) => parts.push(part));
  const ended = new Promise((resolve) => gzip.on('end', resolve));
  const zeros = Buffer.alloc(16 << 20);
  gzip.write(writeNifti(volume(new Float32Array(64 ** 3), [64, 64, 64]), 'float32'));
  for (let n = 0; n < 64; n++) if (!gzip.write(zeros)) await new Promise((r) => gzip.once('drain', r));
  gzip.end();
  await ended;
  await writeFile(file('bomb.nii.gz'), Buffer.concat(parts));
  const nan2 = flair.slice();
  nan2[5000] = Number.NaN;
  nan2[6000] = Number.POSITIVE_INFINITY;
  await writeFile(file('flair-nifti2.nii.gz'), writeNifti(volume(nan2), 'float32', { gzip: true, version: 2 }));
}

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('calibrate: bad inputs', () => {
  it('fails cleanly on a data folder without the cases, writing nothing', () => {
    const out = file('calibrated');
    const r = runCli('calibrate', ['--model', file('model'), '--out', out, '--data', file('no-data'), '--cases', 'patientA', '--backend', 'wasm']);
    expectOneLineError(r, /no-data\/cases\/patientA\/FLAIR\.nii\.gz.*no such file/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a patch count that is not a positive integer', () => {
    expectOneLineError(runCli('calibrate', ['--out', file('calibrated'), '--patches', '0']), /--patches must be a positive integer/);
  });
});

/** A data folder as train reads it: cases/caseA with the phantom FLAIR and truth, no donor masks. */
async function makeDataDir(): Promise<void> {
    await mkdir(file('data/cases/caseA'), { recursive: true });
    await mkdir(file('data/masks_mni'), { recursive: true });
    await copyFile(file('flair.nii.gz'), file('data/cases/caseA/FLAIR.nii.gz'));
    await copyFile(file('truth.nii.gz'), file('data/cases/caseA/lesion_mask.nii.gz'));
}

describe('train', () => {
  it('keeps a snapshot of each checkpoint from --keep-from on, for average, and records --thick-slices', async () => {
    await makeDataDir();
    const out = file('trained');
    const r = runCli('train', ['--out', out, '--data', file('data'), '--cases', 'caseA', '--transplants', '0', '--modalities', 'flair',
      '--patch', '16', '--batch', '1', '--steps', '4', '--checkpoint-every', '2', '--keep-from', '4', '--thick-slices', '1', '--backend', 'wasm']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(path.join(out, 'snapshots', '2'))).toBe(false);
    const json = JSON.parse(await readFile(path.join(out, 'snapshots', '4', 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.steps).toBe(4);
    expect(json.userDefinedMetadata.thickSlices).toBe(1);
    expect(await readFile(path.join(out, 'snapshots', '4', 'weights.bin'))).toEqual(await readFile(path.join(out, 'weights.bin')));
  });
});

describe('train --steps 0 and --init-from', () => {
  it('writes the start model, and a calibrated start has its temperature taken out of the logits layer', async () => {
    await makeDataDir();
    const out = file('started');
    const r = runCli('train', ['--out', out, '--init-from', file('model-calibrated'), '--steps', '0', '--data', file('data'), '--cases', 'caseA',
      '--transplants', '0', '--modalities', 'flair', '--patch', '16', '--augment', 'strong', '--backend', 'wasm']);
    expect(r.status, r.stderr).toBe(0);
    const started = await loadModelDir(out);
    const original = await loadModelDir(file('model'));
    expect(started.meta.calibration).toBeUndefined();
    expect(started.meta.augment).toBe('strong');
    for (const layer of original.model.layers) {
      const factor = layer.name === 'logits' ? 2 : 1; // model-calibrated claims temperature 2 over model's weights
      const a = layer.getWeights().map((w) => Array.from(w.dataSync()));
      const b = started.model.getLayer(layer.name).getWeights().map((w) => Array.from(w.dataSync()));
      a.forEach((w, i) => w.forEach((x, j) => expect(b[i][j]).toBeCloseTo(factor * x, 6)));
    }
    expect(existsSync(path.join(out, 'optimizer.json'))).toBe(true);
    expectOneLineError(runCli('train', ['--out', out, '--init-from', file('model'), '--resume']), /either --resume .* or --init-from/);
    expectOneLineError(runCli('train', ['--out', out, '--augment', 'heavy']), /--augment must be basic, strong or resample/);
    expectOneLineError(runCli('train', ['--out', out, '--thick-slices', '1.5']), /--thick-slices must be a probability/);
  });
});

describe('average', () => {
  it('writes the average of checkpoints with the steps it averaged', async () => {
    const out = file('averaged');
    const r = runCli('average', ['--models', `${file('model')},${file('model')}`, '--out', out, '--backend', 'wasm']);
    expect(r.status).toBe(0);
    const json = JSON.parse(await readFile(path.join(out, 'model.json'), 'utf8'));
    expect(json.userDefinedMetadata.averagedSteps).toEqual([0, 0]);
    expect(await readFile(path.join(out, 'weights.bin'))).toEqual(await readFile(file('model/weights.bin')));
  });

  it('refuses fewer than two checkpoints and calibrated ones, writing nothing', () => {
    const out = file('not-averaged');
    expectOneLineError(runCli('average', ['--models', file('model'), '--out', out]), /at least two checkpoint folders/);
    const r = runCli('average', ['--models', `${file('model')},${file('model-calibrated')}`, '--out', out, '--backend', 'wasm']);
    expectOneLineError(r, /model-calibrated is calibrated: average the uncalibrated checkpoints/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('segment: bad inputs', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a missing FLAIR file', () => ['--flair', file('nope.nii.gz')], /cannot read --flair .*nope\.nii\.gz.*no such file/],
    ['a file that is not NIfTI', () => ['--flair', file('notes.nii')], /not a readable NIfTI file: not a NIfTI file/],
    ['a corrupt .nii.gz', () => ['--flair', file('corrupt.nii.gz')], /corrupt or truncated gzip/],
    ['a 2D image', () => ['--flair', file('flat.nii')], /image is 2D/],
    ['a 4D image', () => ['--flair', file('4d.nii')], /image is 4D with 2 volumes/],
    ['FLAIR and T1 of different shapes', () => ['--flair', file('flair.nii.gz'), '--t1', file('t1-other-shape.nii')], /not on the same voxel grid/],
    ['no finite voxel', () => ['--flair', file('all-nan.nii')], /is not a readable NIfTI file: every voxel \(32768\) is NaN or infinite: there is no image to read$/],
    ['0.01 mm voxels', () => ['--flair', file('tiny-voxels.nii')], /voxel sizes 0\.01 x 0\.01 x 0\.01 mm are outside 0\.05-20 mm/],
    ['a NaN sform', () => ['--flair', file('nan-sform.nii')], /the sform \(sform_code 1\) has entries that are not finite numbers/],
    ['an scl_slope of 3e38', () => ['--flair', file('slope.nii')], /the header's scaling \(scl_slope 3\.0000000054977558e\+38, scl_inter 0\) takes stored values of up to \d+ beyond float32's range/],
    ['a 1 GiB gzip bomb behind an empty 64^3 image', () => ['--flair', file('bomb.nii.gz')], /empty brain/],
    ['an all-zero FLAIR (empty brain)', () => ['--flair', file('empty.nii')], /empty brain/],
    ['both --mirror and --no-mirror', () => ['--flair', file('flair.nii.gz'), '--mirror', '--no-mirror'], /give --mirror or --no-mirror, not both/],
    ['--threads 0', () => ['--flair', file('flair.nii.gz'), '--threads', '0'], /--threads must be a whole number from 1 to 64/],
    ['--threads 1.5', () => ['--flair', file('flair.nii.gz'), '--threads', '1.5'], /--threads must be a whole number from 1 to 64/],
  ];
  for (const [what, args, message] of cases) {
    it(`fails cleanly on ${what}`, () => {
      const out = file(`mask-${what.replace(/\W+/g, '-')}.nii.gz`);
      const started = performance.now();
      const r = runCli('segment', [...args(), '--out', out, '--model', file('model')]);
      // a 4.7 MB file inflating to 1 GiB: read only as far as its image, well within 10 s
      if (what.includes('bomb')) expect(performance.now() - started).toBeLessThan(10_000);
      expectOneLineError(r, message);
      expect(r.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('NaN voxels and NIfTI-2', () => {
  it('segments a NIfTI-2 FLAIR with NaN voxels as background, says so, and writes its mask as NIfTI-2', async () => {
    const out = file('nifti2-mask.nii.gz');
    const r = runCli('segment', ['--flair', file('flair-nifti2.nii.gz'), '--out', out, '--model', file('model'), '--backend', 'wasm', '--no-mirror']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^note: FLAIR: 2 of its 32768 voxels are NaN or infinite; they were read as 0 \(background\)$/m);
    const bytes = gunzipSync(await readFile(out));
    expect(new DataView(bytes.buffer, bytes.byteOffset).getInt32(0, true)).toBe(540);
    expect(readNifti(bytes).dims).toEqual(DIMS);
  });
});

describe('evaluate: bad inputs', () => {
  it('never scores from nothing: an all-NaN prediction against itself exits 1', () => {
    const r = runCli('evaluate', ['--pred', file('all-nan.nii'), '--truth', file('all-nan.nii')]);
    expectOneLineError(r, /--pred '.*all-nan\.nii' is not a readable NIfTI file: every voxel \(32768\) is NaN or infinite/);
    expect(r.stdout).toBe('');
  });

  it('scores a prediction with NaN voxels as background, with the note segment gives', () => {
    const r = runCli('evaluate', ['--pred', file('nan.nii'), '--truth', file('truth.nii.gz')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr.trim()).toMatch(/^note: --pred '.*nan\.nii': 2 of its 32768 voxels are NaN or infinite; they were read as 0 \(background\)$/);
    expect(JSON.parse(r.stdout).tp + JSON.parse(r.stdout).fp).toBeGreaterThan(0);
  });

  it('fails cleanly on a missing truth file', () => {
    const r = runCli('evaluate', ['--pred', file('truth.nii.gz'), '--truth', file('missing.nii')]);
    expectOneLineError(r, /cannot read --truth .*missing\.nii.*no such file/);
    expect(r.stdout).toBe('');
  });

  it('fails cleanly on masks of different shapes', () => {
    const r = runCli('evaluate', ['--pred', file('t1-other-shape.nii'), '--truth', file('truth.nii.gz')]);
    expectOneLineError(r, /not on the same voxel grid/);
    expect(r.stdout).toBe('');
  });
});

describe('segment: the default model by modality', () => {
  it('without --model, a FLAIR alone gets the shipped FLAIR-only model and FLAIR with T1 the three-modality default', async () => {
    // on a 1 mm grid, so that the 32^3 scan is exactly one patch of the shipped models
    const oneMm: Volume = { ...volume(phantom(DIMS).flair), spacingMm: [1, 1, 1], affine: [[1, 0, 0, -20], [0, 1, 0, 15], [0, 0, 1, 7], [0, 0, 0, 1]] };
    await writeFile(file('flair-1mm.nii.gz'), writeNifti(oneMm, 'float32', { gzip: true }));
    const alone = runCli('segment', ['--flair', file('flair-1mm.nii.gz'), '--out', file('alone.nii.gz'), '--backend', 'wasm']);
    expect(alone.status, alone.stderr).toBe(0);
    expect(alone.stderr).toMatch(/models\/fbeta15-light-flair \(light, flair\)/);
    expect(alone.stderr).not.toMatch(/blank channel/);
    // one tile, mirrored, in two passes (the second reuses the first's two calls): the note once, progress to the end, no estimate from 0 done
    expect(alone.stderr).toMatch(/(\d+) \/ \1 patches/);
    expect(alone.stderr.match(/note: test-time mirroring/g)).toHaveLength(1);
    expect(alone.stderr).not.toMatch(/Infinity|NaN/);
    const withT1 = runCli('segment', ['--flair', file('flair.nii.gz'), '--t1', file('flair.nii.gz'), '--out', file('with-t1.nii.gz'), '--backend', 'wasm']);
    expect(withT1.status, withT1.stderr).toBe(0);
    expect(withT1.stderr).toMatch(/models\/fbeta15-light \(light, flair\+t1\+t2\)/);
    expect(withT1.stderr).toMatch(/no T2 given/);
  });

  it('a FLAIR alone in 1.25 mm slices gets the three-modality default (index.json: the FLAIR-only rule is for 1 mm scans)', async () => {
    const dims: Vec3 = [32, 32, 12];
    const thick: Volume = {
      dims, spacingMm: [1, 1, 1.25], affine: [[1, 0, 0, -20], [0, 1, 0, 15], [0, 0, 1.25, 7], [0, 0, 0, 1]],
      data: phantom(dims).flair, dataType: 'float32',
    };
    await writeFile(file('thick-flair.nii.gz'), writeNifti(thick, 'float32', { gzip: true }));
    const r = runCli('segment', ['--flair', file('thick-flair.nii.gz'), '--out', file('thick-mask.nii.gz'), '--backend', 'wasm']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/models\/fbeta15-light \(light, flair\+t1\+t2\)/);
    expect(r.stderr).toMatch(/no T1 given/);
  });
});

describe('segment then evaluate', () => {
  it('writes a mask and probability map on the FLAIR grid, which evaluate scores', async () => {
    const maskPath = file('mask.nii.gz');
    const probPath = file('prob.nii');
    const lesionsPath = file('lesions.csv');
    const seg = runCli('segment', ['--flair', file('flair.nii.gz'), '--out', maskPath, '--prob', probPath, '--lesions', lesionsPath, '--model', file('model'), '--backend', 'wasm']);
    expect(seg.status, seg.stderr).toBe(0);
    expect(seg.stderr).not.toMatch(/^error/m);
    // the CLI mirrors by default, and says so
    expect(seg.stderr).toMatch(/note: test-time mirroring: every voxel is also predicted flipped left-right, on the tiles of two grids of overlap 0 \(--no-mirror turns it off\)/);

    const flair = readNifti(await readFile(file('flair.nii.gz')));
    const mask = readNifti(await readFile(maskPath));
    const prob = readNifti(await readFile(probPath));
    for (const v of [mask, prob]) {
      expect(v.dims).toEqual(DIMS);
      v.affine.forEach((row, r) => row.forEach((x, c) => expect(x).toBeCloseTo(AFFINE[r][c], 5)));
      expect(v.spacingMm[0]).toBeCloseTo(1.2, 5);
    }
    expect(mask.dataType).toBe('uint8');
    // the lesion table: one line per lesion whose voxels add up to the mask's, world centroids through the affine
    const [header, ...lines] = (await readFile(lesionsPath, 'utf8')).trim().split('\n');
    expect(header).toBe('lesion,voxels,volume_ml,centroid_i,centroid_j,centroid_k,centroid_x_mm,centroid_y_mm,centroid_z_mm,confidence');
    const table = lines.filter((l) => l.length > 0).map((l) => l.split(',').map(Number));
    expect(table.length).toBeGreaterThan(0);
    expect(table.reduce((n, row) => n + row[1], 0)).toBe(mask.data.reduce((n, v) => n + v, 0));
    for (const row of table) {
      [0, 1, 2].forEach((r) => expect(row[6 + r]).toBeCloseTo(AFFINE[r][0] * row[3] + AFFINE[r][1] * row[4] + AFFINE[r][2] * row[5] + AFFINE[r][3], 1));
    }
    expect(seg.stderr).toMatch(new RegExp(`; ${table.length} lesions, `));
    // mask = (prob >= 0.5); prob in [0, 1] and 0 outside the brain (FLAIR > 0).
    for (let v = 0; v < mask.data.length; v++) {
      const p = prob.data[v];
      expect(p >= 0 && p <= 1).toBe(true);
      if (flair.data[v] <= 0) expect(p).toBe(0);
      expect(mask.data[v]).toBe(p >= 0.5 ? 1 : 0);
    }

    const ev = runCli('evaluate', ['--pred', maskPath, '--truth', file('truth.nii.gz'), '--prob', probPath]);
    expect(ev.status, ev.stderr).toBe(0);
    const report = JSON.parse(ev.stdout) as Record<string, number | null>;
    for (const key of ['dice', 'precision', 'recall', 'specificity', 'f2', 'ap', 'lesionTPR', 'lesionFPR']) {
      expect(report, key).toHaveProperty(key);
      expect(typeof report[key], key).toBe('number');
    }
    // Voxel counts and Dice recomputed here from the files.
    const truth = readNifti(await readFile(file('truth.nii.gz')));
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let v = 0; v < mask.data.length; v++) {
      if (mask.data[v] && truth.data[v]) tp++;
      else if (mask.data[v]) fp++;
      else if (truth.data[v]) fn++;
    }
    expect([report.tp, report.fp, report.fn]).toEqual([tp, fp, fn]);
    expect(report.dice).toBeCloseTo(2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : 1, 5);

    // the probability map cut at 0.3 by evaluate: the counts recomputed here at the same cut
    const cut = runCli('evaluate', ['--pred', probPath, '--truth', file('truth.nii.gz'), '--threshold', '0.3']);
    expect(cut.status, cut.stderr).toBe(0);
    const at03 = JSON.parse(cut.stdout) as Record<string, number>;
    let tp3 = 0;
    let fp3 = 0;
    for (let v = 0; v < prob.data.length; v++) {
      if (prob.data[v] > 0.3 && truth.data[v]) tp3++;
      else if (prob.data[v] > 0.3) fp3++;
    }
    expect([at03.tp, at03.fp]).toEqual([tp3, fp3]);
    expect(at03.tp + at03.fp).toBeGreaterThanOrEqual(tp + fp);
    expectOneLineError(runCli('evaluate', ['--pred', probPath, '--truth', file('truth.nii.gz'), '--threshold', '1']), /--threshold must be in \[0, 1\)/);

    // a truth resampled with interpolation: lesions at 0.8, a rim of 0.3 around them; cut at one
    // half it is the binary truth again, not the truth dilated by its rim
    const soft = Float32Array.from(truth.data, (t) => (t ? 0.8 : 0));
    truth.data.forEach((t, v) => {
      if (t && !truth.data[v + 1]) soft[v + 1] = 0.3;
    });
    expect(soft.filter((x) => x > 0 && x < 0.5).length).toBeGreaterThan(0);
    await writeFile(file('truth-soft.nii.gz'), writeNifti({ ...truth, data: soft, dataType: 'float32' }, 'float32', { gzip: true }));
    const fromSoft = runCli('evaluate', ['--pred', maskPath, '--truth', file('truth-soft.nii.gz'), '--prob', probPath]);
    expect(fromSoft.status, fromSoft.stderr).toBe(0);
    expect(JSON.parse(fromSoft.stdout)).toEqual(report);
    // the lesion-wise keys, from the counts evaluate reports
    const truePred = Math.round((1 - (report.lesionFPR as number)) * (report.lesionCountPred as number));
    expect(report.lesionPrecision).toBeCloseTo((report.lesionCountPred as number) > 0 ? truePred / (report.lesionCountPred as number) : 0, 5);
    expect(report.lesionRecall).toBe(report.lesionTPR);
    const [lp, lr] = [report.lesionPrecision as number, report.lesionRecall as number];
    expect(report.lesionF1).toBeCloseTo(lp + lr > 0 ? (2 * lp * lr) / (lp + lr) : 0, 5);
    expect(report.lesionCountDifference).toBe((report.lesionCountPred as number) - (report.lesionCountTruth as number));
  });

  it("applies the model's lesion filter, or --min-lesion-mm3 and --min-confidence, and writes the removed lesions", async () => {
    // the unfiltered map of this (untrained, randomly initialised) model, cut high enough to give many lesions
    const base = runCli('segment', ['--flair', file('flair.nii.gz'), '--out', file('kept.nii.gz'), '--prob', file('prob-f.nii'), '--no-mirror', '--backend', 'wasm', '--model', file('model')]);
    expect(base.status, base.stderr).toBe(0);
    const prob = readNifti(await readFile(file('prob-f.nii')));
    const inBrain = prob.data.filter((p) => p > 0).sort();
    const threshold = Number(inBrain[Math.floor(inBrain.length * 0.97)].toFixed(6));
    const lesions = componentsByHand(prob.data, DIMS, threshold);
    expect(lesions.length).toBeGreaterThan(2);
    // the model with a lesion filter in its metadata: the median lesion's peak
    const peaks = lesions.map((l) => Math.max(...l.map((v) => prob.data[v]))).sort((a, b) => a - b);
    const minConfidence = Number(peaks[Math.floor(peaks.length / 2)].toFixed(6));
    const voxelMm3 = 1.2 * 1 * 0.9;
    // a size minimum that keeps only the largest lesions
    const largest = Math.max(...lesions.map((l) => l.length));
    expect(lesions.some((l) => l.length < largest)).toBe(true);
    await mkdir(file('model-filtered'), { recursive: true });
    await copyFile(path.join(file('model'), 'weights.bin'), path.join(file('model-filtered'), 'weights.bin'));
    const json = JSON.parse(await readFile(path.join(file('model'), 'model.json'), 'utf8'));
    json.userDefinedMetadata.lesionFilter = { minLesionMm3: 0, minConfidence, chosenBy: 'test' };
    await writeFile(path.join(file('model-filtered'), 'model.json'), JSON.stringify(json));
    const cases = [
      { args: ['--model', file('model-filtered')], minMm3: 0, minConf: minConfidence },
      { args: ['--model', file('model-filtered'), '--min-confidence', '0', '--min-lesion-mm3', String(largest * voxelMm3)], minMm3: largest * voxelMm3, minConf: 0 },
    ];
    for (const c of cases) {
      const r = runCli('segment', ['--flair', file('flair.nii.gz'), '--out', file('kept.nii.gz'), '--removed', file('removed.nii.gz'), '--threshold', String(threshold), '--no-mirror', '--backend', 'wasm', ...c.args]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/lesion filter \(lesions of .*\): kept \d+ of \d+ lesions, removed \d+/);
      const kept = readNifti(await readFile(file('kept.nii.gz')));
      const removed = readNifti(await readFile(file('removed.nii.gz')));
      const map = prob;
      // kept and removed lesions split the map cut at the threshold
      const all = Float32Array.from(kept.data, (k, v) => k + removed.data[v]);
      all.forEach((x, v) => expect(x).toBe(map.data[v] >= threshold ? 1 : 0));
      let keptCount = 0;
      let removedCount = 0;
      for (const l of componentsByHand(all, DIMS, 0.5)) {
        const inKept = l.every((v) => kept.data[v] === 1);
        expect(inKept || l.every((v) => removed.data[v] === 1)).toBe(true);
        const passes = l.length * voxelMm3 >= c.minMm3 - 1e-9 && l.some((v) => map.data[v] >= c.minConf);
        if (inKept) keptCount++;
        else removedCount++;
        expect(passes).toBe(inKept);
      }
      expect(keptCount).toBeGreaterThan(0);
      expect(removedCount).toBeGreaterThan(0);
    }
    expectOneLineError(runCli('segment', ['--flair', file('flair.nii.gz'), '--out', file('x.nii.gz'), '--min-confidence', '2', '--model', file('model')]), /--min-confidence must be from 0 to 1/);
    expect(existsSync(file('x.nii.gz'))).toBe(false);
  });
});

/** 26-connected components of the voxels at or above `cut` by flood fill over index triples (independent of core/components.ts). */
function componentsByHand(data: ArrayLike<number>, dims: Vec3, cut: number): number[][] {
  const [nx, ny, nz] = dims;
  const seen = new Uint8Array(data.length);
  const out: number[][] = [];
  for (let s = 0; s < data.length; s++) {
    if (!(data[s] >= cut) || seen[s]) continue;
    const comp: number[] = [];
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const v = stack.pop()!;
      comp.push(v);
      const [i, j, k] = [v % nx, Math.floor(v / nx) % ny, Math.floor(v / (nx * ny))];
      for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
        const [a, b, c] = [i + di, j + dj, k + dk];
        if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny || c >= nz) continue;
        const w = a + nx * (b + ny * c);
        if (data[w] >= cut && !seen[w]) {
          seen[w] = 1;
          stack.push(w);
        }
      }
    }
    out.push(comp);
  }
  return out;
}

describe('segment on several threads', () => {
  it('gives the same probabilities on three threads as on one, and says how many ran', async () => {
    const maps = [];
    for (const threads of [1, 3]) {
      const probPath = file(`prob-threads-${threads}.nii.gz`);
      const r = runCli('segment', ['--flair', file('flair.nii.gz'), '--out', file(`mask-threads-${threads}.nii.gz`), '--prob', probPath,
        '--model', file('model'), '--backend', 'wasm', '--threads', String(threads)]);
      expect(r.status, r.stderr).toBe(0);
      if (threads > 1) expect(r.stderr).toMatch(/backend wasm, 3 threads$/m);
      else expect(r.stderr).not.toMatch(/backend wasm, \d+ threads/);
      maps.push(readNifti(await readFile(probPath)).data);
    }
    // each thread runs the same wasm kernels on whole batches: not just close, equal
    expect(maps[1].length).toBe(maps[0].length);
    expect(maps[1].some((p) => p > 0.01)).toBe(true);
    expect(Array.from(maps[1])).toEqual(Array.from(maps[0]));
  });
});

describe('segment:folder', () => {
  it('segments every case folder, scores those with a reference, and reports a bad case without stopping', async () => {
    const input = file('batch');
    const output = file('batch-out');
    await mkdir(path.join(input, 'caseA'), { recursive: true });
    await mkdir(path.join(input, 'caseB'), { recursive: true });
    await mkdir(path.join(input, 'caseC'), { recursive: true });
    await mkdir(path.join(input, 'no-nifti'), { recursive: true });
    await copyFile(file('flair.nii.gz'), path.join(input, 'caseA', 'sub-A_FLAIR.nii.gz'));
    await copyFile(file('truth.nii.gz'), path.join(input, 'caseA', 'sub-A_lesion_mask.nii.gz'));
    await copyFile(file('corrupt.nii.gz'), path.join(input, 'caseB', 'FLAIR.nii.gz'));
    await copyFile(file('flair.nii.gz'), path.join(input, 'caseC', 'flair.nii.gz'));
    // a label map whose name says nothing is still the reference (roles from names and voxels)
    await copyFile(file('truth.nii.gz'), path.join(input, 'caseC', 'rater2.nii.gz'));
    await writeFile(path.join(input, 'no-nifti', 'readme.txt'), 'not a case\n');
    const r = runCli('segment-folder', ['--input', input, '--output', output, '--model', file('model'), '--backend', 'wasm', '--threads', '2']);
    // caseB fails (exit 1, one error line naming it), caseA is segmented all the same
    expect(r.status).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: caseB: the FLAIR '.*FLAIR\.nii\.gz' is not a readable NIfTI file/);
    expect(r.stderr).not.toMatch(/^ {4}at /m);
    expect(existsSync(path.join(output, 'caseB_mask.nii.gz'))).toBe(false);

    // caseA's mask is what `segment` writes for the same FLAIR and model
    const single = file('single-mask.nii.gz');
    expect(runCli('segment', ['--flair', file('flair.nii.gz'), '--out', single, '--model', file('model'), '--backend', 'wasm']).status).toBe(0);
    const batchMask = readNifti(await readFile(path.join(output, 'caseA_mask.nii.gz')));
    expect(Array.from(batchMask.data)).toEqual(Array.from(readNifti(await readFile(single)).data));
    expect(existsSync(path.join(output, 'caseA_lesions.csv'))).toBe(true);
    // caseC, the same FLAIR, reuses caseA's threads: they start once, and give the same mask
    expect(r.stderr.match(/2 patch threads started/g)).toHaveLength(1);
    const again = readNifti(await readFile(path.join(output, 'caseC_mask.nii.gz')));
    expect(Array.from(again.data)).toEqual(Array.from(batchMask.data));

    // the summary: one line per case folder with NIfTI files; caseA's Dice is evaluate's on its mask
    const [header, ...lines] = (await readFile(path.join(output, 'summary.csv'), 'utf8')).trim().split('\n');
    const columns = header.split(',');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, n) => [columns[n], v])));
    expect(rows.map((row) => row.case)).toEqual(['caseA', 'caseB', 'caseC']);
    expect(rows[0]).toMatchObject({ model: 'model', flair: 'sub-A_FLAIR.nii.gz', error: '' });
    const ev = JSON.parse(runCli('evaluate', ['--pred', path.join(output, 'caseA_mask.nii.gz'), '--truth', file('truth.nii.gz')]).stdout) as Record<string, number>;
    expect(Number(rows[0].dice)).toBeCloseTo(ev.dice, 4);
    expect(Number(rows[0].lesions)).toBe(ev.lesionCountPred);
    expect(rows[1].error).toMatch(/not a readable NIfTI file/);
    expect(rows[2]).toMatchObject({ flair: 'flair.nii.gz', dice: rows[0].dice, error: '' });
  });

  it('refuses a folder without cases, or a file, in one line', () => {
    expectOneLineError(runCli('segment-folder', ['--input', file('model'), '--output', file('nothing-out')]), /no case in --input/);
    expectOneLineError(runCli('segment-folder', ['--input', file('flair.nii.gz'), '--output', file('nothing-out')]), /cannot read --input .*no such folder/);
    expect(existsSync(file('nothing-out'))).toBe(false);
  });
});
