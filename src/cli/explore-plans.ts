/**
 * Tiling plans tried without running the network again: one case's full grid (overlap 0.5, every
 * tile also flipped, as `--speed classic`) is computed once with every tile's prediction kept; each
 * plan then runs segmentTwoPass through a predictor that serves those predictions and counts the
 * network calls the plan would make. Prints, per plan, the calls, the final mask's Dice against the
 * classic mask and against the reference, and the lesion count (after the model's lesion filter).
 * How the fast preset's numbers were chosen (docs/cpu-speed.md).
 *
 * usage: tsx src/cli/explore-plans.ts --case DIR [--model fbeta15-light] [--threads N]
 */
import path from 'node:path';
import { describeRule, filterLesions } from '../core/lesion-filter.ts';
import { confusionCounts, voxelMetrics } from '../core/metrics.ts';
import type { PatchBox, Volume } from '../core/types.ts';
import { lesionFilterOf } from '../model/model-meta.ts';
import { prepareModelInput, probabilityOnScan, thresholdProbability } from '../model/model-input.ts';
import { placeModelInput } from '../model/registered-input.ts';
import { DEFAULT_SEGMENT_OPTIONS, type PatchPredictor, type SegmentOptions, segmentVolume } from '../model/segment-volume.ts';
import { TILING_PLANS } from '../model/speed-presets.ts';
import { TileCache } from '../model/tile-cache.ts';
import { segmentTwoPass, type TwoPassOptions } from '../model/two-pass.ts';
import { optionalNumber, optionalString, parseCliArgs, requiredString } from './args.ts';
import { DEFAULT_MODEL, resolveModelDir } from './model-location.ts';
import { loadModelDir } from './model-files.ts';
import { defaultThreads, threadPools } from './predict-threads.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';
import { initNodeBackend } from './tf-node.ts';

/** A predictor that answers from `cache` (every tile of the full grid) and counts what it is asked. */
function cachedPredictor(cache: TileCache): PatchPredictor & { calls: number } {
  const p = {
    parallel: 1, calls: 0,
    start: async () => undefined,
    predict: async (boxes: readonly PatchBox[], flipped: boolean) => {
      p.calls += boxes.length;
      const tiles = boxes.map((b) => {
        const t = cache.get(b, flipped);
        if (!t) throw new Error(`tile ${b.start.join(',')} (${flipped ? 'flipped' : 'plain'}) is not on the full grid`);
        return t;
      });
      const out = new Float32Array(tiles.reduce((n, t) => n + t.length, 0));
      let at = 0;
      for (const t of tiles) {
        out.set(t, at);
        at += t.length;
      }
      return out;
    },
  };
  return p;
}

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), { case: { type: 'string' }, model: { type: 'string' }, threads: { type: 'string' } });
  const dir = requiredString(o, 'case');
  const scans: Record<'flair' | 't1' | 't2', Volume> = {
    flair: await readVolume('FLAIR', path.join(dir, 'FLAIR.nii.gz')),
    t1: await readVolume('T1', path.join(dir, 'T1.nii.gz')),
    t2: await readVolume('T2', path.join(dir, 'T2.nii.gz')),
  };
  const truth = (await readVolume('lesion mask', path.join(dir, 'lesion_mask.nii.gz'))).data;
  await initNodeBackend('wasm', () => undefined);
  const modelDir = resolveModelDir(optionalString(o, 'model') ?? DEFAULT_MODEL);
  const { meta } = await loadModelDir(modelDir);
  const placed = await placeModelInput(prepareModelInput(scans, meta), meta.modalities, null);
  const pools = threadPools('wasm', optionalNumber(o, 'threads', defaultThreads('wasm')), () => undefined);
  const full: SegmentOptions = { ...DEFAULT_SEGMENT_OPTIONS, patchSize: meta.patchSize, overlapFraction: 0.5, mirror: 'on', mirrorGrid: 'same' };
  const cache = new TileCache();
  const started = performance.now();
  const classic = await segmentVolume(null as never, placed.channels, placed.dims, placed.brain, {
    ...full, predictor: await pools.get(modelDir), saveTiles: cache,
  }).finally(() => pools.close());
  const rule = lesionFilterOf(meta);
  const flair = scans.flair;
  const finish = (onGrid: Float32Array) => {
    const probability = probabilityOnScan(placed.back(onGrid), placed.input.grid, placed.input.scanBrain);
    return filterLesions(thresholdProbability(probability, 0.5), probability, flair.dims, flair.spacingMm, rule);
  };
  const reference = finish(classic.probability);
  const diceOf = (a: ArrayLike<number>, b: ArrayLike<number>) => voxelMetrics(confusionCounts(a, b)).dice;
  process.stdout.write(`${path.basename(dir)}: full grid ${cache.size} network calls in ${((performance.now() - started) / 1000).toFixed(0)} s; ` +
    `lesion filter ${describeRule(rule)}; classic: Dice ${diceOf(reference.mask, truth).toFixed(4)}, ${reference.keptComponents.count} lesions\n`);
  process.stdout.write('| plan | calls | vs classic calls | Dice vs classic mask | Dice vs reference | lesions (classic) |\n|---|---|---|---|---|---|\n');
  const base = TILING_PLANS.fast.twoPass as TwoPassOptions;
  const plans: [string, TwoPassOptions][] = [
    ['fast (shipped)', base],
    ['margin 4', { ...base, coreMargin: 4 }],
    ['margin 5', { ...base, coreMargin: 5 }],
    ['margin 6', { ...base, coreMargin: 6 }],
    ['margin 7', { ...base, coreMargin: 7 }],
    ['margin 8', { ...base, coreMargin: 8 }],
    ['margin 6, grown 2', { ...base, coreMargin: 6, dilateVoxels: 2 }],
    ['cut 0.45, margin 6', { ...base, candidateAbove: 0.45, coreMargin: 6 }],
    ['cut 0.45', { ...base, candidateAbove: 0.45 }],
    ['cut 0.45, margin 5', { ...base, candidateAbove: 0.45, coreMargin: 5 }],
    ['no growth', { ...base, dilateVoxels: 0 }],
    ['no growth, margin 5', { ...base, dilateVoxels: 0, coreMargin: 5 }],
    ['second pass flipped on the overlap-0 grids', { ...base, fineMirror: 'halves' }],
    ['second pass flipped on the overlap-0 grids, margin 5', { ...base, fineMirror: 'halves', coreMargin: 5 }],
    ['second pass flipped on the overlap-0 grids, margin 7', { ...base, fineMirror: 'halves', coreMargin: 7 }],
    ['second pass flipped on the overlap-0 grids, grown 2', { ...base, fineMirror: 'halves', dilateVoxels: 2 }],
    ['margin 7, cut 0.45', { ...base, coreMargin: 7, candidateAbove: 0.45 }],
    ['second pass unmirrored', { ...base, fineMirror: 'off' }],
    ['second pass: first pass flips only', { ...base, fineMirror: 'reused' }],
    ['second pass: first pass flips only, margin 4', { ...base, fineMirror: 'reused', coreMargin: 4 }],
    ['second pass: first pass flips only, margin 5', { ...base, fineMirror: 'reused', coreMargin: 5 }],
    ['second pass: first pass flips only, grown 2', { ...base, fineMirror: 'reused', dilateVoxels: 2 }],
    ['second pass: first pass flips only, cut 0.35', { ...base, fineMirror: 'reused', candidateAbove: 0.35 }],
    ['first pass unmirrored, cut 0.3', { ...base, coarse: { overlapFraction: 0, mirror: 'off' }, candidateAbove: 0.3 }],
    ['first pass unmirrored, cut 0.3, margin 5', { ...base, coarse: { overlapFraction: 0, mirror: 'off' }, candidateAbove: 0.3, coreMargin: 5 }],
  ];
  const classicCount = lesionCount(reference);
  for (const [name, plan] of plans) {
    const predictor = cachedPredictor(cache);
    const run = await segmentTwoPass(null as never, placed.channels, placed.dims, placed.brain, { ...full, predictor }, { ...plan, minTiles: 0 });
    const result = finish(run.probability);
    process.stdout.write(`| ${name} | ${predictor.calls} | ${(predictor.calls / cache.size).toFixed(3)} | ${diceOf(result.mask, reference.mask).toFixed(4)} | ` +
      `${diceOf(result.mask, truth).toFixed(4)} | ${lesionCount(result)} (${classicCount}) |\n`);
  }
});

function lesionCount(f: ReturnType<typeof filterLesions>): number {
  return f.keptComponents.count;
}
