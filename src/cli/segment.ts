/**
 * `npm run segment -- --flair F [--t1 F] [--t2 F] [--t1post F] --out MASK.nii.gz [--prob P.nii.gz]
 *   [--lesions L.csv] [--model NAME_OR_DIR] [--threshold X] [--fusion bspline|gaussian|mean] [--bspline-order N]
 *   [--overlap X] [--mirror] [--backend cpu|wasm|webgpu]`
 *
 * Whole-volume patch inference and fusion on the model's grid (the scans reoriented and resampled to
 * 1 mm where needed); the mask (and probability map) are written on the FLAIR's grid with its header.
 */
import { writeFile } from 'node:fs/promises';
import type { FusionWindowKind, Volume } from '../core/types.ts';
import { lesionCsvLines, lesionTable } from '../core/lesion-table.ts';
import { writeNifti } from '../core/nifti-io.ts';
import { maskLike } from '../core/volume.ts';
import { isBackendName } from '../model/backend.ts';
import { MODALITY_LABELS, prepareModelInput, probabilityOnScan, thresholdProbability } from '../model/model-input.ts';
import type { Modality } from '../model/model-meta.ts';
import { DEFAULT_SEGMENT_OPTIONS, segmentVolume } from '../model/segment-volume.ts';
import { flag, optionalNumber, optionalString, parseCliArgs, requiredString } from './args.ts';
import { DEFAULT_MODEL, defaultModelForScans, resolveModelDir } from './model-location.ts';
import { loadModelDir } from './model-files.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';
import { initNodeBackend } from './tf-node.ts';

const USAGE = `usage: npm run segment -- --flair F [--t1 F] [--t2 F] [--t1post F] --out MASK.nii.gz [--prob P.nii.gz] [--lesions L.csv]
  [--model ${DEFAULT_MODEL}|DIR] [--threshold 0.5] [--fusion bspline|gaussian|mean] [--bspline-order 2]
  [--overlap 0.5] [--mirror] [--batch 4] [--backend wasm|cpu|webgpu]
  --model: a shipped model name or a model folder; without it, the default for the given modalities in
    public/models/index.json: ${DEFAULT_MODEL}, and ${defaultModelForScans(['flair'])} for a FLAIR alone
  --mirror: also predict each patch flipped left-right and average (test-time mirroring; 2x model time)
  --lesions: the mask's lesions (26-connected components) as CSV: voxels, mL, centroid in voxels and in mm`;

const SPEC = {
  flair: { type: 'string' }, t1: { type: 'string' }, t2: { type: 'string' }, t1post: { type: 'string' },
  out: { type: 'string' }, prob: { type: 'string' }, lesions: { type: 'string' }, model: { type: 'string' }, threshold: { type: 'string' },
  fusion: { type: 'string' }, 'bspline-order': { type: 'string' }, overlap: { type: 'string' },
  batch: { type: 'string' }, mirror: { type: 'boolean' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

const FUSIONS: readonly FusionWindowKind[] = ['bspline', 'gaussian', 'mean'];

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), SPEC);
  if (flag(o, 'help')) return void process.stdout.write(`${USAGE}\n`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const flairPath = requiredString(o, 'flair');
  const out = requiredString(o, 'out');
  const threshold = optionalNumber(o, 'threshold', 0.5);
  if (threshold <= 0 || threshold >= 1) throw new Error('--threshold must be between 0 and 1');
  const fusion = (optionalString(o, 'fusion') ?? 'bspline') as FusionWindowKind;
  if (!FUSIONS.includes(fusion)) throw new Error(`--fusion must be one of ${FUSIONS.join(', ')}`);
  const order = optionalNumber(o, 'bspline-order', 2);
  if (![0, 1, 2, 3].includes(order)) throw new Error('--bspline-order must be 0, 1, 2 or 3');
  const overlap = optionalNumber(o, 'overlap', DEFAULT_SEGMENT_OPTIONS.overlapFraction);
  if (overlap < 0 || overlap >= 1) throw new Error('--overlap must be in [0, 1)');
  const batchSize = optionalNumber(o, 'batch', DEFAULT_SEGMENT_OPTIONS.batchSize);
  const backendArg = optionalString(o, 'backend');
  if (backendArg !== undefined && !isBackendName(backendArg)) throw new Error(`unknown --backend ${backendArg}`);
  const others = (['t1', 't2', 't1post'] as const).flatMap((m) => {
    const file = optionalString(o, m);
    return file === undefined ? [] : [{ modality: m, file }];
  });
  const modelDir = resolveModelDir(optionalString(o, 'model') ?? defaultModelForScans(['flair', ...others.map((s) => s.modality)]));

  const scans: Partial<Record<Modality, Volume>> = { flair: await readVolume('flair', flairPath) };
  for (const { modality, file } of others) scans[modality] = await readVolume(modality, file);
  const backend = await initNodeBackend(backendArg, log);
  const { model, meta } = await loadModelDir(modelDir);
  const input = prepareModelInput(scans, meta);
  for (const m of input.ignored) log(`note: model does not use ${MODALITY_LABELS[m]}; ignored`);
  for (const m of input.missing) log(`note: no ${MODALITY_LABELS[m]} given; the model runs on a blank channel (less accurate)`);
  for (const note of input.notes) log(`note: ${note}`);
  log(`model ${modelDir} (${meta.preset}, ${meta.modalities.join('+')}), backend ${backend}`);

  const flair = scans.flair as Volume;
  const started = performance.now();
  let lastReport = 0;
  const { probability: onModelGrid, timings } = await segmentVolume(model, input.channels, input.grid.dims, input.brain, {
    patchSize: meta.patchSize, overlapFraction: overlap, window: fusion, bsplineOrder: order, batchSize, mirror: flag(o, 'mirror'),
    onProgress: (done, total) => {
      const now = performance.now();
      if (now - lastReport < 5000 && done < total) return;
      lastReport = now;
      const eta = ((now - started) / done) * (total - done) / 1000;
      log(`${done} / ${total} patches, ${((now - started) / 1000).toFixed(0)} s, about ${eta.toFixed(0)} s left`);
    },
  });
  const probability = probabilityOnScan(onModelGrid, input.grid, input.scanBrain);
  const mask = thresholdProbability(probability, threshold);
  await writeFile(out, writeNifti(maskLike(flair, mask), 'uint8', { gzip: out.endsWith('.gz') }));
  const probPath = optionalString(o, 'prob');
  if (probPath !== undefined) {
    await writeFile(probPath, writeNifti(maskLike(flair, probability), 'float32', { gzip: probPath.endsWith('.gz') }));
  }
  const lesions = lesionTable(mask, flair.dims, flair.spacingMm);
  const lesionsPath = optionalString(o, 'lesions');
  if (lesionsPath !== undefined) await writeFile(lesionsPath, `${lesionCsvLines(lesions.rows, { affine: flair.affine }).join('\n')}\n`);
  log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s (model ${(timings.modelMs / 1000).toFixed(1)} s, ` +
    `${timings.patches} patches); ${lesions.count} lesions, ${lesions.totalVolumeMl.toFixed(3)} mL (${lesions.totalVoxels} voxels) -> ${out}`);
});
