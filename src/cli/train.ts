/**
 * `npm run train -- --out DIR [--preset light] [--loss fbeta|dice|focal|gdice] [--beta 1.5] ...`
 *
 * Trains an FC-DenseNet preset on open_ms_data cases (plus lesion transplants) and writes a model
 * folder in the tfjs layers format, with checkpoints that --resume continues from.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../core/random.ts';
import { DEFAULT_JITTER, DEFAULT_STRONG, RESAMPLE_STRONG } from '../core/augment.ts';
import { thickSliceAugment } from '../core/thick-slices.ts';
import { buildFcDenseNet } from '../model/fc-densenet.ts';
import { selectInputModalities } from '../model/input-channels.ts';
import type { LossName } from '../model/losses.ts';
import type { Modality, ModelMeta } from '../model/model-meta.ts';
import { presetByName } from '../model/presets.ts';
import { applyTemperature } from '../model/temperature-scaling.ts';
import { makeTrainingBatch } from '../model/training-batch.ts';
import { trainLoop } from '../model/train-loop.ts';
import { isBackendName } from '../model/backend.ts';
import { flag, optionalNumber, optionalString, parseCliArgs, requiredString } from './args.ts';
import { loadModelDir, saveModelDir } from './model-files.ts';
import { runCli } from './run-cli.ts';
import { initNodeBackend } from './tf-node.ts';
import { buildTrainingSet } from './training-cases.ts';
import { WeightSync } from './weight-sync.ts';

const SPEC = {
  out: { type: 'string' }, preset: { type: 'string' }, loss: { type: 'string' }, beta: { type: 'string' },
  steps: { type: 'string' }, patch: { type: 'string' }, minutes: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' },
  data: { type: 'string' }, cases: { type: 'string' }, 'exclude-donors': { type: 'string' },
  transplants: { type: 'string' }, 'modality-dropout': { type: 'string' }, 'lesion-fraction': { type: 'string' }, modalities: { type: 'string' },
  seed: { type: 'string' }, 'checkpoint-every': { type: 'string' }, 'keep-from': { type: 'string' }, resume: { type: 'boolean' }, 'init-from': { type: 'string' }, augment: { type: 'string' },
  'thick-slices': { type: 'string' }, 'thick-slice-mm': { type: 'string' },
  backend: { type: 'string' }, workers: { type: 'string' }, rank: { type: 'string' }, 'sync-dir': { type: 'string' },
  'sync-every': { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

const USAGE = `usage: npm run train -- --out DIR [--preset light|standard|paper] [--loss fbeta|dice|focal|gdice]
  [--beta 1.5] [--steps 2000] [--minutes M] [--patch N] [--batch 2] [--lr 0.002] [--data ../shared/data/open_ms_data]
  [--cases patient07,patient19] [--exclude-donors patient07] [--transplants 4] [--lesion-fraction 0.5] [--modality-dropout 0.25]
  [--modalities flair,t1,t2] [--seed 1] [--checkpoint-every 100] [--keep-from STEP] [--resume | --init-from MODEL_DIR]
  [--augment basic|strong|resample] [--thick-slices P [--thick-slice-mm 1.1-5]] [--backend wasm|cpu|webgpu]
  [--workers K --rank R --sync-dir DIR [--sync-every 10]]   (K processes training one model: local SGD)`;

const LOSSES: readonly LossName[] = ['fbeta', 'dice', 'focal', 'gdice'];
const MODALITIES: readonly Modality[] = ['flair', 't1', 't2', 't1post'];

interface TrainState {
  step: number;
  trainSeconds: number;
}

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), SPEC);
  if (flag(o, 'help')) return void process.stdout.write(`${USAGE}\n`);
  const out = requiredString(o, 'out');
  const preset = presetByName(optionalString(o, 'preset') ?? 'light');
  const loss = (optionalString(o, 'loss') ?? 'fbeta') as LossName;
  if (!LOSSES.includes(loss)) throw new Error(`--loss must be one of ${LOSSES.join(', ')}`);
  const beta = loss === 'dice' ? 1 : optionalNumber(o, 'beta', 1.5);
  if (beta <= 0) throw new Error('--beta must be positive');
  const steps = optionalNumber(o, 'steps', 2000);
  const minutes = optionalNumber(o, 'minutes', Infinity);
  const batchSize = optionalNumber(o, 'batch', 2);
  const patchSize = optionalNumber(o, 'patch', preset.patchSize);
  const multiple = 2 ** preset.blocksDown.length;
  if (patchSize < multiple || patchSize % multiple !== 0) throw new Error(`--patch must be a multiple of ${multiple} for preset ${preset.name}`);
  const modalities = (optionalString(o, 'modalities') ?? 'flair,t1,t2').split(',') as Modality[];
  if (modalities[0] !== 'flair' || modalities.some((m) => !MODALITIES.includes(m))) {
    throw new Error(`--modalities must start with flair and use ${MODALITIES.join(', ')}`);
  }
  const backendArg = optionalString(o, 'backend');
  if (backendArg !== undefined && !isBackendName(backendArg)) throw new Error(`unknown --backend ${backendArg}`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const backend = await initNodeBackend(backendArg, log);

  const data = optionalString(o, 'data') ?? path.resolve('../shared/data/open_ms_data');
  const caseNames = (optionalString(o, 'cases') ?? 'patient07,patient19').split(',');
  const excludeDonors = [...caseNames, ...(optionalString(o, 'exclude-donors')?.split(',') ?? [])];
  const workers = optionalNumber(o, 'workers', 1);
  const rank = optionalNumber(o, 'rank', 0);
  const syncEvery = optionalNumber(o, 'sync-every', 10);
  const checkpointEvery = optionalNumber(o, 'checkpoint-every', 100);
  // checkpoints from this step on are also kept in OUT/snapshots/STEP, for `npm run average`
  const keepFrom = optionalNumber(o, 'keep-from', Infinity);
  const sync = workers > 1 ? new WeightSync({ dir: requiredString(o, 'sync-dir'), rank, workers }) : null;
  if (sync && (!Number.isInteger(syncEvery) || syncEvery < 1 || checkpointEvery % syncEvery !== 0)) {
    throw new Error('--sync-every must be a positive integer that divides --checkpoint-every');
  }
  const resume = flag(o, 'resume');
  const initFrom = optionalString(o, 'init-from');
  if (resume && initFrom !== undefined) throw new Error('use either --resume (continue OUT) or --init-from (start OUT from another model)');
  if (sync && !resume && initFrom === undefined) {
    throw new Error('--workers needs --resume or --init-from: all workers must start from the same weights (--steps 0 writes a start model)');
  }
  const augment = optionalString(o, 'augment') ?? 'basic';
  if (augment !== 'basic' && augment !== 'strong' && augment !== 'resample') throw new Error('--augment must be basic, strong or resample');
  const thickSlices = optionalNumber(o, 'thick-slices', 0);
  if (!(thickSlices >= 0 && thickSlices <= 1)) throw new Error('--thick-slices must be a probability between 0 and 1');
  const thickMmText = optionalString(o, 'thick-slice-mm');
  const thickMm = thickMmText === undefined ? undefined : thickSliceRange(thickMmText);
  const thick = thickSlices > 0 ? thickSliceAugment(thickSlices, thickMm) : null;
  // each worker draws its own transplants and batches
  const seed = optionalNumber(o, 'seed', 1) + 7919 * rank;
  const cases = await buildTrainingSet({
    caseDirs: caseNames.map((c) => path.join(data, 'cases', c)), donorDir: path.join(data, 'masks_mni'),
    excludeDonors, modalities, copies: optionalNumber(o, 'transplants', 4), seed, log,
  });
  log(`training set: ${cases.length} volumes (${caseNames.join(', ')} + transplants), backend ${backend}`);

  const start = resume ? await loadModelDir(out) : initFrom !== undefined ? await loadModelDir(initFrom) : null;
  // a start model with more modalities than asked for (e.g. a FLAIR-only model from the default) keeps the asked ones
  const narrowed = initFrom !== undefined && start && start.meta.modalities.join() !== modalities.join();
  if (narrowed) log(`taking the ${modalities.join('+')} input channels of ${initFrom} (${start.meta.modalities.join('+')})`);
  const model = !start ? buildFcDenseNet(preset, modalities.length)
    : narrowed ? selectInputModalities(start.model, preset, start.meta.modalities, modalities) : start.model;
  // a calibrated model has its temperature baked into the last layer: undo it, training needs the raw logits
  if (initFrom !== undefined && start?.meta.calibration) applyTemperature(model, 1 / start.meta.calibration.temperature);
  const state: TrainState = resume ? JSON.parse(await readFile(path.join(out, 'train-state.json'), 'utf8'))
    : start ? { step: start.meta.steps, trainSeconds: start.meta.trainSeconds } : { step: 0, trainSeconds: 0 };
  if (sync && state.step % syncEvery !== 0) throw new Error(`--resume at step ${state.step}: workers must start at a multiple of --sync-every`);
  const optimizer = tf.train.adam(optionalNumber(o, 'lr', 2e-3));
  if (resume) await restoreOptimizer(optimizer, out, log);
  if (initFrom !== undefined) log(`starting from ${initFrom} at step ${state.step} with fresh optimizer moments`);
  log(`model ${preset.name}: ${model.countParams()} parameters, patch ${patchSize}^3, batch ${batchSize}, ${loss} beta ${beta}`);

  const rng = createRng(seed + 1000 * state.step);
  const size = [patchSize, patchSize, patchSize] as const;
  const batchOptions = {
    batchSize, patchSize: size, lesionFraction: optionalNumber(o, 'lesion-fraction', 0.5),
    maxShiftVox: Math.floor(patchSize * 3 / 8), flip: true, jitter: DEFAULT_JITTER,
    modalityDropout: optionalNumber(o, 'modality-dropout', 0.25), strong: augment === 'strong' ? DEFAULT_STRONG : augment === 'resample' ? RESAMPLE_STRONG : null,
    thickSlices: thick,
  };
  const started = performance.now();
  const seconds = () => state.trainSeconds + (performance.now() - started) / 1000;
  const timeUp = () => seconds() - state.trainSeconds > minutes * 60;
  let syncedStop = false;
  let recent: number[] = [];
  const meta = (step: number): ModelMeta => ({
    format: 'lesion-workbench-model/1', preset: preset.name, modalities, patchSize,
    normalization: 'zscore-in-brain', loss, beta, steps: step, trainSeconds: Math.round(seconds()), trainedOn: caseNames, augment,
    ...(thick ? { thickSlices, thickSliceMm: thick.thickness } : {}),
  });
  const checkpoint = async (step: number) => {
    await saveModelDir(model, out, meta(step));
    await saveOptimizer(optimizer, out);
    await writeFile(path.join(out, 'train-state.json'), JSON.stringify({ step, trainSeconds: seconds() }));
    log(`checkpoint at step ${step} -> ${out}`);
    if (step >= keepFrom) await saveModelDir(model, path.join(out, 'snapshots', String(step)), meta(step));
  };
  const done = await trainLoop(model, optimizer, {
    steps, startStep: state.step, learningRate: optionalNumber(o, 'lr', 2e-3), finalLearningRateFraction: 0.1,
    loss, beta, checkpointEvery,
    nextBatch: () => makeTrainingBatch(cases, batchOptions, rng),
    onStep: async (step, value, ms) => {
      // with workers, stopping is decided together at a sync round, so all end on the same weights
      if (sync && step % syncEvery === 0) syncedStop = await sync.average(model, step / syncEvery, timeUp());
      recent = [...recent.slice(-19), value];
      if (step % 10 === 0) {
        const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
        log(`step ${step}/${steps} loss ${mean.toFixed(4)} (${ms.toFixed(0)} ms/step, ${seconds().toFixed(0)} s)`);
      }
    },
    onCheckpoint: checkpoint,
    shouldStop: () => (sync ? syncedStop : timeUp()),
    // With a time budget the learning rate decays by elapsed time too, so a run cut by --minutes
    // still ends at the low rate.
    budgetUsed: () => (seconds() - state.trainSeconds) / (minutes * 60),
  });
  // --steps 0 writes the untrained (or --init-from) model: one start folder for several workers
  if (done === state.step || (done % checkpointEvery !== 0 && done !== steps)) await checkpoint(done);
  log(`done: ${done} steps in ${seconds().toFixed(0)} s`);
});

async function saveOptimizer(optimizer: tf.AdamOptimizer, dir: string): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(await optimizer.getWeights());
  await writeFile(path.join(dir, 'optimizer.bin'), new Uint8Array(data));
  await writeFile(path.join(dir, 'optimizer.json'), JSON.stringify(specs));
}

/** Restores Adam's moments saved beside a checkpoint; a folder without them (a copied model) starts them afresh. */
async function restoreOptimizer(optimizer: tf.AdamOptimizer, dir: string, log: (line: string) => void): Promise<void> {
  try {
    await access(path.join(dir, 'optimizer.json'));
  } catch {
    return log(`${dir} has no optimizer state: Adam starts with fresh moments`);
  }
  const specs = JSON.parse(await readFile(path.join(dir, 'optimizer.json'), 'utf8'));
  const bytes = await readFile(path.join(dir, 'optimizer.bin'));
  const named = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), specs);
  await optimizer.setWeights(Object.entries(named).map(([name, tensor]) => ({ name, tensor })));
}

/** `--thick-slice-mm MIN-MAX` (the training grid is 1 mm, so millimetres are voxels). */
function thickSliceRange(text: string): [number, number] {
  const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(text);
  if (!m) throw new Error(`--thick-slice-mm must be MIN-MAX in mm, e.g. 1.1-5; got ${text}`);
  return [Number(m[1]), Number(m[2])];
}
