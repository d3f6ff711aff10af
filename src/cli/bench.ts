/**
 * `npm run bench [-- --skip-volume] [--threads N] [--backends wasm,cpu] [--presets light,...] [--case DIR] [--speeds classic,fast]`: a benchmark, not a test.
 *
 * Prints (1) ms per patch for each preset and backend (forward pass, batch 1, at the preset's patch
 * size), (2) streaming fusion against a naive version, (3) the CPU's share of a whole-volume run apart
 * from the network (bench-cpu-side), (4) the default model's FLOPs per voxel, its kernel profile and
 * this CPU's matMul GFLOP/s on wasm (bench-flops), (5) the whole-volume run of a real case (the shared
 * patient07 by default) as `npm run segment` runs it, under each --speeds preset one after the other:
 * seconds, GFLOP/s, peak RSS, lesions, and the Dice of the masks against each other and the reference
 * (bench-volume).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildFcDenseNet } from '../model/fc-densenet.ts';
import type { Modality, ModelMeta } from '../model/model-meta.ts';
import { PRESETS, type PresetName } from '../model/presets.ts';
import { DEFAULT_SEGMENT_OPTIONS } from '../model/segment-volume.ts';
import { isBackendName } from '../model/backend.ts';
import { flag, optionalNumber, optionalString, parseCliArgs } from './args.ts';
import { benchCpuSide } from './bench-cpu-side.ts';
import { benchRegistration } from './bench-registration.ts';
import { benchFusion } from './bench-fusion.ts';
import { matMulPeak, profileForward } from './bench-flops.ts';
import { benchSideBySide } from './bench-volume.ts';
import { isSpeedPreset, type SpeedPreset } from '../model/speed-presets.ts';
import { DEFAULT_MODEL, resolveModelDir } from './model-location.ts';
import { loadModelDir } from './model-files.ts';
import { defaultThreads } from './predict-threads.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';
import { initNodeBackend } from './tf-node.ts';

const SPEC = {
  'skip-volume': { type: 'boolean' }, presets: { type: 'string' }, threads: { type: 'string' }, backends: { type: 'string' }, case: { type: 'string' }, speeds: { type: 'string' },
} as const;
const REAL_CASE = path.resolve('../shared/data/open_ms_data/cases/patient07');

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
    const names = (optionalString(o, 'presets')?.split(',') ?? Object.keys(PRESETS)) as PresetName[];
    for (const name of names) {
      if (!(name in PRESETS)) throw new Error(`--presets: unknown preset ${name}`);
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

  print('\n# Forward pass of the default model on wasm: FLOPs and where the time goes (tf.profile, one thread)');
  const { model: defaultModel, meta: defaultMeta } = await benchModel();
  const batch = DEFAULT_SEGMENT_OPTIONS.batchSize;
  const profile = await profileForward(defaultModel, defaultMeta.patchSize, batch, defaultMeta.modalities.length);
  const flopsPerVoxel = profile.flops / (batch * defaultMeta.patchSize ** 3);
  const matMulGflops = await matMulPeak(1024);
  print(`batch of ${batch} x ${defaultMeta.patchSize}^3: ${(profile.flops / 1e9).toFixed(2)} GFLOP (${(flopsPerVoxel / 1e3).toFixed(1)} kFLOP per voxel), ` +
    `${profile.ms.toFixed(0)} ms = ${(profile.flops / profile.ms / 1e6).toFixed(1)} GFLOP/s; 1024^2 matMul on this thread ${matMulGflops.toFixed(1)} GFLOP/s`);
  print('| kernel | calls | ms | share of the pass |');
  print('|---|---|---|---|');
  for (const k of profile.kernels.filter((k) => k.kernel !== 'unnamed scope').slice(0, 8)) {
    print(`| ${k.kernel} | ${k.calls} | ${k.ms.toFixed(0)} | ${((100 * k.ms) / profile.ms).toFixed(0)}% |`);
  }

  if (flag(o, 'skip-volume')) return;
  const caseDir = optionalString(o, 'case') ?? REAL_CASE;
  if (!existsSync(path.join(caseDir, 'FLAIR.nii.gz'))) {
    print(`\n(no whole-volume comparison: ${caseDir} holds no FLAIR.nii.gz; give --case DIR with FLAIR, T1, T2 and lesion_mask .nii.gz)`);
    return;
  }
  const speeds = (optionalString(o, 'speeds') ?? 'classic,fast').split(',');
  for (const speed of speeds) if (!isSpeedPreset(speed)) throw new Error(`--speeds: unknown preset ${speed}`);
  print(`\n# Whole volume, ${path.basename(caseDir)} FLAIR+T1+T2, default model, wasm, one after the other in this run (in-sample case)`);
  await benchSideBySide(caseDir, speeds as SpeedPreset[], optionalNumber(o, 'threads', defaultThreads('wasm')), { flopsPerVoxel, matMulGflops }, print);

  print(`\n# Registration (issue 32): ${path.basename(caseDir)}'s FLAIR turned by 10, 0, 5 degrees and shifted, registered to the template`);
  const reg = await benchRegistration(await readVolume('FLAIR', path.join(caseDir, 'FLAIR.nii.gz')), defaultMeta);
  print(`found a ${reg.rotationDeg.toFixed(1)}° rotation: ${(reg.placeS + reg.backS).toFixed(1)} s in all (elastix ${reg.engineS.toFixed(1)} s, ` +
    `checks and channels moved ${(reg.placeS - reg.engineS).toFixed(1)} s, map and its peaks back ${reg.backS.toFixed(1)} s); compare with the model seconds above`);
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
