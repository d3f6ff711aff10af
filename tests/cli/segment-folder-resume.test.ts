/**
 * `segment:folder` interrupted and run again, as a user would: a run killed (SIGKILL, no chance to
 * clean up) after its first case leaves no file a reader would take for a result, and a rerun into
 * the same --output skips that case (its mask untouched, its summary line kept), redoes what was not
 * finished and still lists the corrupt case; --overwrite redoes everything.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelDir } from '../../src/cli/model-files.ts';
import { readNifti, writeNifti } from '../../src/core/nifti-io.ts';
import type { Vec3, Volume } from '../../src/core/types.ts';
import { buildFcDenseNet } from '../../src/model/fc-densenet.ts';
import type { ModelMeta } from '../../src/model/model-meta.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = 'src/cli/segment-folder.ts';

let dir = '';
const file = (name: string) => path.join(dir, name);

/** A FLAIR-like ellipsoid at ~100 with a bright blob (the lesion) and its reference mask. */
function phantom(dims: Vec3): { flair: Volume; truth: Volume } {
  const [nx, ny, nz] = dims;
  const flair = new Float32Array(nx * ny * nz);
  const truth = new Float32Array(nx * ny * nz);
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const v = i + nx * (j + ny * k);
    if (((i - nx / 2) / (0.42 * nx)) ** 2 + ((j - ny / 2) / (0.42 * ny)) ** 2 + ((k - nz / 2) / (0.42 * nz)) ** 2 > 1) continue;
    const lesion = (i - 12) ** 2 + (j - 14) ** 2 + (k - 16) ** 2 <= 9;
    truth[v] = lesion ? 1 : 0;
    flair[v] = (lesion ? 180 : 100) + 10 * Math.sin(0.7 * i + 1.3 * j + 0.4 * k);
  }
  const grid = { dims, spacingMm: [1, 1, 1] as Vec3, affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]] };
  return { flair: { ...grid, data: flair, dataType: 'float32' }, truth: { ...grid, data: truth, dataType: 'uint8' } };
}

/** The CLI run directly by node (not the tsx wrapper), so that a signal reaches the process that writes. */
const nodeArgs = (args: string[]) => ['--import', 'tsx', SCRIPT, ...args];
const runArgs = (output: string, ...more: string[]) =>
  ['--input', file('cohort'), '--output', output, '--model', file('model'), '--backend', 'wasm', '--threads', '1', ...more];

function runFolder(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, nodeArgs(args), { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { status: r.status, stderr: r.stderr };
}

/** Starts a run and sends it `signal` once summary.json records `caseName`; resolves with its stderr and exit code. */
async function killAfterCase(args: string[], caseName: string, output: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ stderr: string; code: number | null }> {
  const child = spawn(process.execPath, nodeArgs(args), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const record = path.join(output, 'summary.json');
    if (existsSync(record) && caseName in (JSON.parse(await readFile(record, 'utf8')) as { cases: object }).cases) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the run ended before ${caseName} was recorded:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill(signal);
  const code = await exited;
  return { stderr, code };
}

/** Every file in `output` a reader would open is whole: NIfTI files parse, CSV files end their last line, the JSON parses. */
async function expectOnlyWholeOutputs(output: string): Promise<void> {
  for (const name of readdirSync(output)) {
    if (name.startsWith('.')) {
      expect(name).toMatch(/\.tmp$/);
      continue;
    }
    const bytes = await readFile(path.join(output, name));
    if (name.endsWith('.nii.gz')) expect(() => readNifti(bytes), name).not.toThrow();
    else if (name.endsWith('.csv')) expect(bytes.toString('utf8').endsWith('\n'), name).toBe(true);
    else expect(() => JSON.parse(bytes.toString('utf8')), name).not.toThrow();
  }
}

function summaryRows(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trim().split('\n');
  const columns = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, n) => [columns[n], v])));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'folder-resume-'));
  await tf.setBackend('cpu');
  const model = buildFcDenseNet({ name: 'light', description: 'test', firstFilters: 8, blocksDown: [1], bottleneck: 1, growth: 4, patchSize: 16 }, 1);
  const meta: ModelMeta = {
    format: 'lesion-workbench-model/1', preset: 'light', modalities: ['flair'], patchSize: 16,
    normalization: 'zscore-in-brain', loss: 'fbeta', beta: 1.5, steps: 0, trainSeconds: 0, trainedOn: [],
  };
  await saveModelDir(model, file('model'), meta);
  model.dispose();
  const small = phantom([32, 32, 32]);
  const large = phantom([64, 64, 48]);
  for (const c of ['caseA', 'caseB', 'caseC', 'caseD']) await mkdir(file(`cohort/${c}`), { recursive: true });
  await writeFile(file('cohort/caseA/FLAIR.nii.gz'), writeNifti(small.flair, 'float32', { gzip: true }));
  await writeFile(file('cohort/caseA/lesion_mask.nii.gz'), writeNifti(small.truth, 'uint8', { gzip: true }));
  const gz = gzipSync(writeNifti(small.flair, 'float32'));
  await writeFile(file('cohort/caseB/FLAIR.nii.gz'), gz.subarray(0, gz.length >> 1));
  await copyFile(file('cohort/caseA/FLAIR.nii.gz'), file('cohort/caseC/FLAIR.nii.gz'));
  await writeFile(file('cohort/caseD/FLAIR.nii.gz'), writeNifti(large.flair, 'float32', { gzip: true }));
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('segment:folder, killed and run again', () => {
  it('leaves only whole files, then skips the finished case, redoes the rest, and --overwrite redoes all', async () => {
    const output = file('out');
    const { stderr: killedLog } = await killAfterCase(runArgs(output), 'caseA', output);
    // killed midway: caseA done, summary.csv not yet written, no half-written file under a result's name
    expect(killedLog).not.toMatch(/cases segmented/);
    expect(existsSync(path.join(output, 'summary.csv'))).toBe(false);
    expect(existsSync(path.join(output, 'caseD_mask.nii.gz'))).toBe(false);
    await expectOnlyWholeOutputs(output);
    const maskA = path.join(output, 'caseA_mask.nii.gz');
    const mtimeA = statSync(maskA).mtimeMs;
    // what a kill during a write leaves (a temporary file), and a stray caseC mask with no record
    await writeFile(path.join(output, '.caseC_mask.nii.gz.4242-0.tmp'), 'half a file');
    await writeFile(path.join(output, 'caseC_mask.nii.gz'), 'not a finished mask');

    const resumed = runFolder(runArgs(output));
    expect(resumed.status, resumed.stderr).toBe(1);
    expect(resumed.stderr).toMatch(/note: removed 1 temporary file an interrupted run left/);
    expect(resumed.stderr).toMatch(/^caseA: skipped: finished in an earlier run/m);
    expect(resumed.stderr).not.toMatch(/^caseA: .*lesions, /m);
    expect(resumed.stderr).toMatch(/^caseC: .*lesions, /m);
    expect(resumed.stderr.split('\n').filter((l) => l.startsWith('error: '))).toEqual([expect.stringMatching(/^error: caseB: the FLAIR .* is not a readable NIfTI file/)]);
    expect(resumed.stderr).toMatch(/3 of 4 cases segmented \(1 by an earlier run\)/);
    expect(statSync(maskA).mtimeMs).toBe(mtimeA);
    expect(readdirSync(output).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await expectOnlyWholeOutputs(output);
    // caseC (caseA's FLAIR) was segmented again: its mask is caseA's
    const masks = await Promise.all(['caseA', 'caseC', 'caseD'].map(async (c) => readNifti(await readFile(path.join(output, `${c}_mask.nii.gz`)))));
    expect(Array.from(masks[1].data)).toEqual(Array.from(masks[0].data));
    expect(masks[2].dims).toEqual([64, 64, 48]);
    expect(existsSync(path.join(output, 'caseB_mask.nii.gz'))).toBe(false);
    const rows = summaryRows(await readFile(path.join(output, 'summary.csv'), 'utf8'));
    expect(rows.map((r) => r.case)).toEqual(['caseA', 'caseB', 'caseC', 'caseD']);
    const recorded = (JSON.parse(await readFile(path.join(output, 'summary.json'), 'utf8')) as { cases: Record<string, { line: Record<string, string> }> }).cases;
    expect(rows[0].dice).toBe(recorded.caseA.line.dice);
    expect(rows[0].dice).not.toBe('');
    expect(rows[1].error).toMatch(/not a readable NIfTI file/);
    expect(Object.keys(recorded).sort()).toEqual(['caseA', 'caseC', 'caseD']);

    const again = runFolder(runArgs(output, '--overwrite'));
    expect(again.status, again.stderr).toBe(1);
    expect(again.stderr).not.toMatch(/skipped/);
    expect(again.stderr).toMatch(/^caseA: .*lesions, /m);
    expect(statSync(maskA).mtimeMs).toBeGreaterThan(mtimeA);
    expect(summaryRows(await readFile(path.join(output, 'summary.csv'), 'utf8')).map((r) => r.error === '')).toEqual([true, false, true, true]);
  }, 240_000);

  it('stops on Ctrl-C (SIGINT) with exit code 130 between writes, leaving no temporary file', async () => {
    const output = file('out-sigint');
    const { stderr, code } = await killAfterCase(runArgs(output), 'caseA', output, 'SIGINT');
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/stopped \(SIGINT\); every output file written so far is whole/);
    expect(readdirSync(output).filter((n) => n.startsWith('.'))).toEqual([]);
    await expectOnlyWholeOutputs(output);
  }, 120_000);
});
