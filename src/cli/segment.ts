/**
 * `npm run segment -- --flair F|DIR [--t1 F|DIR] [--t2 F|DIR] [--t1post F|DIR] --out MASK.nii.gz [--out-seg SEG.dcm] [--prob P.nii.gz]
 *   [--lesions L.csv] [--model NAME_OR_DIR] [--threshold X] [--fusion bspline|gaussian|mean] [--bspline-order N]
 *   [--speed fast|classic] [--overlap X] [--mirror|--no-mirror] [--backend cpu|wasm|webgpu] [--threads N]
 *   [--min-lesion-mm3 V] [--min-confidence C] [--removed REMOVED.nii.gz] [--no-register]`
 *
 * Whole-volume patch inference and fusion on the model's grid (the scans reoriented and resampled to
 * 1 mm where needed); the mask (and probability map) are written on the FLAIR's grid with its header.
 * A folder is a DICOM series, converted with the dcm2niix WASM build (dicom-input.ts); with a FLAIR
 * series, --out-seg writes the mask as a DICOM SEG over it.
 * The mask holds the lesions the lesion filter keeps (the model's defaults, or the options given);
 * --removed writes the ones it removed. Each output is written whole (a temporary name, then a rename).
 */
import { writeDicomSeg } from '../core/dicom-seg.ts';
import type { Volume } from '../core/types.ts';
import { lesionCsvLines } from '../core/lesion-table.ts';
import { writeNifti } from '../core/nifti-io.ts';
import { maskLike } from '../core/volume.ts';
import type { Modality } from '../model/model-meta.ts';
import { flag, optionalString, parseCliArgs, requiredString } from './args.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { DEFAULT_MODEL, defaultModelForScans, resolveModelDir } from './model-location.ts';
import { loadModelDir } from './model-files.ts';
import { readScanInput } from './dicom-input.ts';
import { runCli } from './run-cli.ts';
import { defaultThreads, threadPools } from './predict-threads.ts';
import { RUN_OPTION_SPEC, runSettingsFrom, segmentCase } from './segment-case.ts';
import { initNodeBackend } from './tf-node.ts';

const USAGE = `usage: npm run segment -- --flair F|DIR [--t1 F|DIR] [--t2 F|DIR] [--t1post F|DIR] --out MASK.nii.gz [--out-seg SEG.dcm]
  [--prob P.nii.gz] [--lesions L.csv]
  [--model ${DEFAULT_MODEL}|DIR] [--threshold 0.5] [--fusion bspline|gaussian|mean] [--bspline-order 2]
  [--speed fast|classic] [--overlap X] [--mirror|--no-mirror] [--batch 4] [--backend wasm|cpu|webgpu] [--threads N]
  [--min-lesion-mm3 V] [--min-confidence C] [--removed REMOVED.nii.gz] [--no-register]
  --no-register: no rigid registration to the template before the model (by default the FLAIR is registered
    with elastix, the scans moved onto the template's grid when the head lies turned or shifted, and the
    results mapped back onto the scan's own grid; docs/registration.md)
  --model: a shipped model name or a model folder; without it, the default for the given modalities in
    public/models/index.json: ${DEFAULT_MODEL}, and ${defaultModelForScans(['flair'])} for a FLAIR alone
    (${defaultModelForScans(['flair'], [1, 1, 3])} for a FLAIR alone in 3 mm slices)
  --no-mirror: no test-time mirroring (by default each voxel is also predicted flipped left-right and the
    two averaged, as nnU-Net does: Dice +0.003 to +0.039 on the training cases; classic tiling doubles the
    model time, fast flips the second pass on two overlap-0 grids only; --mirror is the default)
  --speed: how the volume is tiled: fast (default: a coarse pass finds where lesions can be, then the
    overlap-0.5 grid runs only on the tiles that hold one) or classic (that grid everywhere, as before;
    ~1.6-2.2x the time); --overlap overrides the grid's overlap (docs/cpu-speed.md)
  F: a NIfTI file (.nii, .nii.gz); DIR: a folder of one DICOM series (converted with dcm2niix's WASM build)
  --out-seg: the mask as a DICOM SEG over the FLAIR series (--flair must be a DICOM folder); --out may then be left out
  --lesions: the mask's lesions (26-connected components) as CSV: voxels, mL, centroid in voxels, confidence, centroid in mm
  --min-lesion-mm3, --min-confidence: the lesion filter: a lesion is kept when its volume (mm^3) and its
    confidence (peak probability) reach both; 0 turns either off; default: the model's (its lesionFilter)
  --removed: the lesions the filter removed, as a mask of their own
  --threads: copies of the model computing patches at once on wasm or cpu (default one per core, at most 4)`;

const SPEC = {
  flair: { type: 'string' }, t1: { type: 'string' }, t2: { type: 'string' }, t1post: { type: 'string' },
  out: { type: 'string' }, 'out-seg': { type: 'string' }, prob: { type: 'string' }, lesions: { type: 'string' }, removed: { type: 'string' }, ...RUN_OPTION_SPEC,
} as const;

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), SPEC);
  if (flag(o, 'help')) return void process.stdout.write(`${USAGE}\n`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const flairPath = requiredString(o, 'flair');
  const segPath = optionalString(o, 'out-seg');
  const out = segPath === undefined ? requiredString(o, 'out') : optionalString(o, 'out');
  const { settings, backend: backendArg, threads: threadsArg } = runSettingsFrom(o);
  const others = (['t1', 't2', 't1post'] as const).flatMap((m) => {
    const file = optionalString(o, m);
    return file === undefined ? [] : [{ modality: m, file }];
  });
  const flairInput = await readScanInput('--flair', flairPath);
  if (segPath !== undefined && flairInput.series === null) throw new Error('--out-seg needs --flair to be a DICOM series folder (a SEG references its source images)');
  const flairVolume = flairInput.volume;
  const modelDir = resolveModelDir(optionalString(o, 'model') ?? defaultModelForScans(['flair', ...others.map((s) => s.modality)], flairVolume.spacingMm));

  const scans: Partial<Record<Modality, Volume>> = { flair: flairVolume };
  for (const { modality, file } of others) scans[modality] = (await readScanInput(`--${modality}`, file)).volume;
  const backend = await initNodeBackend(backendArg, log);
  const { model, meta } = await loadModelDir(modelDir);
  const heading = `model ${modelDir} (${meta.preset}, ${meta.modalities.join('+')}), backend ${backend}`;
  const pools = threadPools(backend, threadsArg ?? defaultThreads(backend), log);
  const { flair, probability, mask, lesions, removed, timings, seconds } = await segmentCase(model, meta, scans, settings, log, heading, { pools, modelDir })
    .finally(() => pools.close());
  // the SEG is made first: nothing is written if it fails
  const seg = flairInput.series && segPath !== undefined
    ? writeDicomSeg(mask, flair, flairInput.series, { algorithmName: `lesion-workbench ${meta.preset} (${modelDir.split(/[\\/]/).pop()})` })
    : null;
  if (out !== undefined) await writeFileAtomic(out, writeNifti(maskLike(flair, mask), 'uint8', { gzip: out.endsWith('.gz') }));
  if (seg && segPath !== undefined) await writeFileAtomic(segPath, seg);
  const probPath = optionalString(o, 'prob');
  if (probPath !== undefined) {
    await writeFileAtomic(probPath, writeNifti(maskLike(flair, probability), 'float32', { gzip: probPath.endsWith('.gz') }));
  }
  const removedPath = optionalString(o, 'removed');
  if (removedPath !== undefined) await writeFileAtomic(removedPath, writeNifti(maskLike(flair, removed), 'uint8', { gzip: removedPath.endsWith('.gz') }));
  const lesionsPath = optionalString(o, 'lesions');
  if (lesionsPath !== undefined) await writeFileAtomic(lesionsPath, `${lesionCsvLines(lesions.rows, { affine: flair.affine }).join('\n')}\n`);
  log(`done in ${seconds.toFixed(1)} s (model ${(timings.modelMs / 1000).toFixed(1)} s, ` +
    `${timings.patches} patches); ${lesions.count} lesions, ${lesions.totalVolumeMl.toFixed(3)} mL (${lesions.totalVoxels} voxels) -> ${[out, segPath].filter(Boolean).join(', ')}`);
});
