/**
 * `npm run bench [-- --skip-volume] [--no-mirror] [--threads N] [--backends wasm,cpu] [--flair F]`: a benchmark, not a test.
 *
 * Prints (1) ms per patch for each preset and backend (forward pass, batch 1, at the preset's patch
 * size), (2) streaming fusion against a naive version, (3) the CPU's share of a whole-volume run apart
 * from the network (bench-cpu-side), (4) whole-volume segmentation time and peak memory for a
 * 182x218x182 FLAIR (the shared patient07 when present, else a generated phantom-free noise volume
 * of that size) with the light preset on wasm, as `npm run segment` runs it by default: mirrored
 * (`--no-mirror`: one pass) on one thread per core (`--threads`; predict-threads.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Volume } from '../core/types.ts';
import { buildFcDenseNet } from '../model/fc-densenet.ts';
import { prepareModelInput } from '../model/model-input.ts';
import type { Modality, ModelMeta } from '../model/model-meta.ts';
import { PRESETS, type PresetName } from '../model/presets.ts';
import { DEFAULT_SEGMENT_OPTIONS, segmentVolume } from '../model/segment-volume.ts';
import { isBackendName } from '../model/backend.ts';
import { flag, optionalNumber, optionalString, parseCliArgs } from './args.ts';
import { benchCpuSide } from './bench-cpu-side.ts';
import { benchRegistration } from './bench-registration.ts';
import { benchFusion } from './bench-fusion.ts';
import { DEFAULT_MODEL, resolveModelDir } from './model-location.ts';
import { loadModelDir } from './model-files.ts';
import { defaultThreads, openThreadPool } from './predict-threads.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';
import { syntheticFlair } from './synthetic-flair.ts';
import { initNodeBackend } from './tf-node.ts';

const SPEC = {
  'skip-volume': { type: 'boolean' }, 'no-mirror': { type: 'boolean' }, threads: { type: 'string' }, backends: { type: 'string' }, flair: { type: 'string' },
} as const;
const REAL_FLAIR = path.resolve('../shared/data/open_ms_data/cases/patient07/FLAIR.nii.gz');

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), SPEC);
  const backends = (optionalString(o, 'backends') ?? 'wasm,cpu').split(',');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  print('# Forward pass per patch (batch 1)');
  print('| preset | params | patch | backend | ms per patch |');
  print('|---|---|---|---|---|');
  for (const backend of backends) {
    if (!isBackendName(backend)) throw new Error(`unknown backend ${backend}`);
    await initNodeBackend(backend, log);
    for (const name of Object.keys(PRESETS) as PresetName[]) {
      // The cpu backend's conv3d runs at ~0.5 GFLOP/s: the heavier presets take minutes per patch there.
      if (backend === 'cpu' && name !== 'light') continue;
      const { params, ms } = await timePatch(name);
      print(`| ${name} | ${params} | ${PRESETS[name].patchSize}^3 | ${backend} | ${ms.toFixed(0)} |`);
    }
  }

  print('\n# Fusion of 150 patches of 64^3 on 182x218x182 (quadratic B-spline)');
  const fusion = benchFusion();
  print(`streaming ${fusion.fastMs.toFixed(0)} ms, naive ${fusion.naiveMs.toFixed(0)} ms ` +
    `(${(fusion.naiveMs / fusion.fastMs).toFixed(1)}x), ${(fusion.voxelsPerSecond / 1e6).toFixed(0)} M voxels/s`);

  print('\n# CPU side of a 182x218x182 run apart from the network (pointwise model, wasm, median of 5)');
  await initNodeBackend('wasm', log);
  const side = await benchCpuSide();
  print(`${side.patches} patches of 32^3: grid + fusion + result ${side.otherMs.toFixed(0)} ms; ` +
    `batch assembly + pointwise model + read-back ${side.assemblyMs.toFixed(0)} ms`);

  if (flag(o, 'skip-volume')) return;
  print('\n# Whole volume, light preset, wasm');
  const flairPath = optionalString(o, 'flair') ?? (existsSync(REAL_FLAIR) ? REAL_FLAIR : undefined);
  const flair = flairPath ? await readVolume('--flair', flairPath) : syntheticFlair();
  await wholeVolume(flair, flairPath ?? 'synthetic 182x218x182', !flag(o, 'no-mirror'), optionalNumber(o, 'threads', defaultThreads('wasm')));
});

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function timePatch(name: PresetName): Promise<{ params: number; ms: number }> {
  const model = buildFcDenseNet(PRESETS[name], 3);
  const s = PRESETS[name].patchSize;
  const x = tf.randomNormal([1, s, s, s, 3]);
  const run = async () => {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  };
  // Warm-up (wasm memory growth) and repeats only where a pass is short: a paper-preset pass is ~2 min on wasm.
  const reps = name === 'light' ? 3 : 1;
  if (name === 'light') await run();
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) await run();
  const ms = (performance.now() - t0) / reps;
  const params = model.countParams();
  x.dispose();
  model.dispose();
  return { params, ms };
}

async function wholeVolume(flair: Volume, label: string, mirror: boolean, threads: number): Promise<void> {
  const { model, meta, source, dir } = await benchModel();
  const input = prepareModelInput({ flair }, meta);
  // threads need the model as files (an untrained stand-in runs here, on one)
  const pool = dir !== undefined && threads > 1 ? await openThreadPool(dir, 'wasm', threads) : undefined;
  let peakRss = process.memoryUsage().rss;
  let peakTfBytes = 0;
  const started = performance.now();
  const { timings } = await segmentVolume(model, input.channels, input.grid.dims, input.brain, {
    ...DEFAULT_SEGMENT_OPTIONS, patchSize: meta.patchSize, mirror: mirror ? 'on' : 'off', predictor: pool,
    onProgress: () => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      peakTfBytes = Math.max(peakTfBytes, tf.memory().numBytes);
    },
  }).finally(() => pool?.close());
  const totalS = (performance.now() - started) / 1000;
  print(`${label} with ${source}: ${timings.patches} patches of ${meta.patchSize}^3, overlap ${DEFAULT_SEGMENT_OPTIONS.overlapFraction}, ` +
    `${timings.mirrored ? 'each also mirrored (the CLI default)' : 'not mirrored'}, ${pool ? `${pool.parallel} threads` : 'one thread'}: ` +
    `${totalS.toFixed(1)} s total, model ${(timings.modelMs / 1000).toFixed(1)} s, ` +
    `other ${(timings.otherMs / 1000).toFixed(1)} s (${((100 * timings.otherMs) / timings.modelMs).toFixed(1)}% of model); ` +
    `peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (the threads' memory included), peak tfjs tensors ${(peakTfBytes / 2 ** 20).toFixed(0)} MiB (this thread)`);
  const reg = await benchRegistration(flair, meta);
  print(`registration of the same FLAIR turned by ${reg.rotationDeg.toFixed(1)}°: ${(reg.placeS + reg.backS).toFixed(1)} s ` +
    `(elastix ${reg.engineS.toFixed(1)} s, checks and channels moved ${(reg.placeS - reg.engineS).toFixed(1)} s, map back ${reg.backS.toFixed(1)} s), ` +
    `${((100 * (reg.placeS + reg.backS)) / (timings.modelMs / 1000)).toFixed(1)}% of the model time above`);
}

/** The shipped default model, or an untrained light network when it is absent (same cost). */
async function benchModel(): Promise<{ model: tf.LayersModel; meta: Pick<ModelMeta, 'modalities' | 'patchSize'>; source: string; dir?: string }> {
  try {
    const dir = resolveModelDir(DEFAULT_MODEL);
    return { ...(await loadModelDir(dir)), source: dir, dir };
  } catch {
    const meta = { modalities: ['flair', 't1', 't2'] as Modality[], patchSize: PRESETS.light.patchSize };
    return { model: buildFcDenseNet(PRESETS.light, 3), meta, source: 'an untrained light network' };
  }
}
