/**
 * One whole-volume run of the side-by-side benchmark (bench-volume.ts starts one process per speed
 * preset, so each peak RSS is its own): a case's FLAIR+T1+T2 through `npm run segment`'s path
 * (segmentCase, one thread per core), the final mask written raw to --mask, one JSON line on stdout.
 *
 * usage: tsx src/cli/bench-volume-child.ts --case DIR --speed fast|classic --mask FILE [--threads N]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Volume } from '../core/types.ts';
import { isSpeedPreset, TILING_PLANS } from '../model/speed-presets.ts';
import { DEFAULT_SEGMENT_OPTIONS } from '../model/segment-volume.ts';
import { optionalNumber, parseCliArgs, requiredString } from './args.ts';
import { DEFAULT_MODEL, resolveModelDir } from './model-location.ts';
import { loadModelDir } from './model-files.ts';
import { defaultThreads, threadPools } from './predict-threads.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';
import { segmentCase } from './segment-case.ts';
import { initNodeBackend } from './tf-node.ts';

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), { case: { type: 'string' }, speed: { type: 'string' }, mask: { type: 'string' }, threads: { type: 'string' } });
  const dir = requiredString(o, 'case');
  const speed = requiredString(o, 'speed');
  if (!isSpeedPreset(speed)) throw new Error(`unknown --speed ${speed}`);
  const scans: Record<'flair' | 't1' | 't2', Volume> = {
    flair: await readVolume('FLAIR', path.join(dir, 'FLAIR.nii.gz')),
    t1: await readVolume('T1', path.join(dir, 'T1.nii.gz')),
    t2: await readVolume('T2', path.join(dir, 'T2.nii.gz')),
  };
  await initNodeBackend('wasm', () => undefined);
  const modelDir = resolveModelDir(DEFAULT_MODEL);
  const { model, meta } = await loadModelDir(modelDir);
  const pools = threadPools('wasm', optionalNumber(o, 'threads', defaultThreads('wasm')), () => undefined);
  const settings = {
    ...DEFAULT_SEGMENT_OPTIONS, ...TILING_PLANS[speed], threshold: 0.5, mirror: 'on' as const, lesionFilter: {},
    // the tiling alone: the shared case lies on the template's grid (npm run bench times registration apart)
    register: false,
  };
  const result = await segmentCase(model, meta, scans, settings, () => undefined, speed, { pools, modelDir }).finally(() => pools.close());
  writeFileSync(requiredString(o, 'mask'), result.mask);
  process.stdout.write(`${JSON.stringify({
    speed, seconds: result.seconds, modelSeconds: result.timings.modelMs / 1000, patches: result.timings.patches,
    voxelsComputed: result.timings.voxelsComputed, lesions: result.lesions.count, threads: pools.count,
    // the peak resident set of this process, its patch threads included (maxRSS is in KiB)
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`);
});
