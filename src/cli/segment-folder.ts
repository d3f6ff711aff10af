/**
 * `npm run segment:folder -- --input DIR --output DIR [--prob] [--model NAME_OR_DIR] [run options of segment]`
 *
 * Segments every case of a folder, as nnU-Net predicts a folder: each subfolder of --input that
 * holds .nii/.nii.gz files is a case (or --input itself when it holds them directly), its files'
 * roles guessed from their names and voxels as the app guesses them (FLAIR, T1, T2, T1 post-contrast,
 * a reference lesion mask). Each model is loaded once. Per case it writes CASE_mask.nii.gz,
 * CASE_lesions.csv (and CASE_prob.nii.gz with --prob) on the FLAIR's grid, and summary.csv gets one
 * line per case: lesion count and volume, and with a reference mask Dice, precision, recall, AP and
 * the lesion-wise rates. A case that fails gets its error in the summary and on stderr, and the
 * others go on; the exit code is 1 when any case failed. Every file is written whole (atomic-write.ts),
 * and a rerun into the same --output skips the cases an earlier run finished unless --overwrite
 * (folder-resume.ts).
 *
 * DICOM: every study under --input (DICOM files at any depth, grouped by StudyInstanceUID) is a case
 * too, named after the folder holding it; its series get roles from their tags, are converted with
 * the dcm2niix WASM build, and a DICOM SEG over the FLAIR series in the study is the reference. Such
 * a case also gets CASE_seg.dcm, the mask as a DICOM SEG over its FLAIR series.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { csvCell } from '../core/csv.ts';
import type { DicomSeries } from '../core/dicom-series.ts';
import { writeDicomSeg } from '../core/dicom-seg.ts';
import { evaluateSegmentation } from '../core/evaluate.ts';
import { assignRoles, guessRole, ROLE_LABELS, voxelEvidence } from '../core/file-roles.ts';
import { lesionCsvLines } from '../core/lesion-table.ts';
import { writeNifti } from '../core/nifti-io.ts';
import type { Modality, Volume } from '../core/types.ts';
import { assertSameGrid, maskLike, referenceLesions } from '../core/volume.ts';
import { type DicomStudy, findDicomStudies, loadStudyCase } from './dicom-studies.ts';
import { flag, optionalString, parseCliArgs, requiredString } from './args.ts';
import { removeStaleTempFiles, writeFileAtomic } from './atomic-write.ts';
import { caseOutputNames, FolderProgress } from './folder-resume.ts';
import { defaultModelForScans, resolveModelDir } from './model-location.ts';
import { loadModelDir } from './model-files.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';
import { defaultThreads, threadPools, type ThreadPools } from './predict-threads.ts';
import { type CaseSettings, RUN_OPTION_SPEC, runSettingsFrom, segmentCase } from './segment-case.ts';
import { initNodeBackend } from './tf-node.ts';

const USAGE = `usage: npm run segment:folder -- --input DIR --output DIR [--prob] [--model NAME|DIR] [--threshold 0.5]
  [--fusion bspline|gaussian|mean] [--bspline-order 2] [--speed fast|classic] [--overlap X] [--mirror|--no-mirror] [--batch 4] [--backend wasm|cpu|webgpu]
  [--threads N] [--min-lesion-mm3 V] [--min-confidence C] [--removed] [--overwrite]
  Every subfolder of --input with .nii/.nii.gz files is a case (roles from the file names and voxels, as in the app),
  and so is every DICOM study under --input (roles from the series' tags; a DICOM SEG over the FLAIR is the reference);
  writes CASE_mask.nii.gz, CASE_lesions.csv (CASE_prob.nii.gz with --prob, CASE_removed.nii.gz with --removed:
  the lesions the lesion filter removed; CASE_seg.dcm for a DICOM study) and summary.csv to --output.
  A rerun into the same --output skips the cases an earlier run finished (recorded in summary.json); --overwrite redoes them.`;

const SPEC = { input: { type: 'string' }, output: { type: 'string' }, prob: { type: 'boolean' }, removed: { type: 'boolean' }, overwrite: { type: 'boolean' }, ...RUN_OPTION_SPEC } as const;

const SUMMARY_COLUMNS = [
  'case', 'model', 'flair', 'lesions', 'volume_ml', 'removed_lesions', 'dice', 'precision', 'recall', 'ap', 'lesion_precision', 'lesion_recall',
  'lesion_f1', 'lesion_tpr', 'lesion_fpr', 'lesions_truth', 'lesion_count_difference', 'volume_truth_ml', 'volume_abs_difference_ml', 'seconds', 'error',
] as const;

const isNifti = (name: string) => /\.nii(\.gz)?$/i.test(name);

/** A case: a folder of NIfTI files, or a DICOM study. */
type FolderCase = { name: string; dir: string; study?: undefined } | { name: string; dir?: undefined; study: DicomStudy };

/** The cases: subfolders of `input` with NIfTI files (or `input` itself when it holds them), and the DICOM studies under it. */
async function caseFolders(input: string): Promise<FolderCase[]> {
  if (!existsSync(input) || !statSync(input).isDirectory()) throw new Error(`cannot read --input '${input}': no such folder`);
  const entries = await readdir(input, { withFileTypes: true });
  const cases: FolderCase[] = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = path.join(input, e.name);
    if ((await readdir(dir)).some(isNifti)) cases.push({ name: e.name, dir });
  }
  if (cases.length === 0 && entries.some((e) => e.isFile() && isNifti(e.name))) cases.push({ name: path.basename(path.resolve(input)), dir: input });
  for (const study of await findDicomStudies(input)) {
    const taken = cases.some((c) => c.name === study.name);
    cases.push({ name: taken ? `${study.name}_dicom` : study.name, study });
  }
  if (cases.length === 0) throw new Error(`no case in --input '${input}': no subfolder (or the folder itself) holds .nii or .nii.gz files, and no DICOM images lie under it`);
  return cases;
}

/** One summary line's values by column. */
type SummaryLine = Partial<Record<(typeof SUMMARY_COLUMNS)[number], string | number>>;

type LoadedModel = Awaited<ReturnType<typeof loadModelDir>>;

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), SPEC);
  if (flag(o, 'help')) return void process.stdout.write(`${USAGE}\n`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const input = requiredString(o, 'input');
  const output = requiredString(o, 'output');
  const { settings, backend: backendArg, threads: threadsArg } = runSettingsFrom(o);
  const chosenModel = optionalString(o, 'model');
  if (chosenModel !== undefined) resolveModelDir(chosenModel);
  const cases = await caseFolders(input);
  await mkdir(output, { recursive: true });
  const stale = removeStaleTempFiles(output);
  if (stale.length > 0) log(`note: removed ${stale.length} temporary file${stale.length === 1 ? '' : 's'} an interrupted run left in ${output}`);
  const wanted = { prob: flag(o, 'prob'), removed: flag(o, 'removed') };
  const progress = await FolderProgress.open(output, JSON.stringify({ model: chosenModel ?? null, ...wanted, settings }), flag(o, 'overwrite'), log);
  const backend = await initNodeBackend(backendArg, log);
  const pools = threadPools(backend, threadsArg ?? defaultThreads(backend), log);
  log(`${cases.length} case${cases.length === 1 ? '' : 's'} in ${input}, backend ${backend}`);

  const models = new Map<string, LoadedModel>();
  const summary: SummaryLine[] = [];
  let skipped = 0;
  try {
    for (const c of cases) {
      const outputs = caseOutputNames(c.name, { ...wanted, seg: c.study !== undefined });
      const kept = progress.finishedLine(c.name, outputs, log);
      if (kept) {
        summary.push(kept);
        skipped++;
        continue;
      }
      await progress.restart(c.name, outputs);
      const line: SummaryLine = { case: c.name };
      summary.push(line);
      try {
        await segmentFolderCase(c, { output, settings, pools, chosenModel, ...wanted, models, line, log });
        await progress.finish(c.name, outputs, line);
      } catch (error) {
        line.error = (error as Error).message;
        log(`error: ${c.name}: ${line.error}`);
      }
    }
  } finally {
    await pools.close();
  }
  const csv = [SUMMARY_COLUMNS.join(','), ...summary.map((l) => SUMMARY_COLUMNS.map((k) => csvCell(l[k])).join(','))];
  await writeFileAtomic(path.join(output, 'summary.csv'), `${csv.join('\n')}\n`);
  const failed = summary.filter((l) => l.error !== undefined).length;
  log(`${cases.length - failed} of ${cases.length} cases segmented${skipped > 0 ? ` (${skipped} by an earlier run)` : ''} -> ${path.join(output, 'summary.csv')}`);
  if (failed > 0) process.exitCode = 1;
});

/** What a file's name says it is, for a read error: "the FLAIR", "the reference mask", "the file". */
function namedAs(name: string): string {
  const role = guessRole(name);
  return role === null ? 'the file' : `the ${role === 'mask' ? 'reference mask' : ROLE_LABELS[role]}`;
}

/** A case read: scans by role, the reference, the FLAIR series of a DICOM case, and a heading for the log. */
interface ReadCase {
  scans: Partial<Record<Modality, Volume>>;
  truth: Volume | null;
  flairSeries: DicomSeries | null;
  heading: string;
}

/** Reads a NIfTI case folder: roles from names and voxels. */
async function readNiftiCase(dir: string, line: SummaryLine): Promise<ReadCase> {
  const files = (await readdir(dir)).filter(isNifti).sort();
  const volumes: Volume[] = [];
  for (const name of files) volumes.push(await readVolume(namedAs(name), path.join(dir, name)));
  const roles = assignRoles(files.map((name, n) => ({ name, evidence: voxelEvidence(volumes[n].data) })));
  const scans: Partial<Record<Modality, Volume>> = {};
  let truth: Volume | null = null;
  for (const [n, name] of files.entries()) {
    const role = roles[n];
    if (role === 'ignore') continue;
    const volume = volumes[n];
    if (role === 'mask') truth = volume;
    else scans[role] = volume;
    if (role === 'flair') line.flair = name;
  }
  if (!scans.flair) throw new Error(`no FLAIR among ${files.join(', ')}`);
  return { scans, truth, flairSeries: null, heading: files.map((f, n) => `${f} (${roles[n]})`).join(', ') };
}

/** Reads, segments, writes and scores one case (NIfTI folder or DICOM study), filling its summary line. */
async function segmentFolderCase(
  c: FolderCase,
  run: {
    output: string; settings: CaseSettings; pools: ThreadPools; chosenModel: string | undefined; prob: boolean; removed: boolean;
    models: Map<string, LoadedModel>; line: SummaryLine; log: (line: string) => void;
  },
): Promise<void> {
  let read: ReadCase;
  if (c.study) {
    const study = await loadStudyCase(c.study, (l) => run.log(`${c.name}: ${l}`));
    read = { ...study, heading: study.described.join(', ') };
    run.line.flair = study.described[0];
  } else {
    read = await readNiftiCase(c.dir, run.line);
  }
  const { scans, truth } = read;
  if (!scans.flair) throw new Error('no FLAIR');
  if (truth) assertSameGrid([{ name: 'FLAIR', volume: scans.flair }, { name: 'lesion mask', volume: truth }]);
  const modelDir = resolveModelDir(run.chosenModel ?? defaultModelForScans(Object.keys(scans) as Modality[], scans.flair.spacingMm));
  let loaded = run.models.get(modelDir);
  if (!loaded) {
    loaded = await loadModelDir(modelDir);
    run.models.set(modelDir, loaded);
  }
  run.line.model = path.basename(modelDir);
  const heading = `${read.heading}; model ${run.line.model}`;
  const result = await segmentCase(loaded.model, loaded.meta, scans, run.settings, (l) => run.log(`${c.name}: ${l}`), heading,
    { pools: run.pools, modelDir });
  // the scans' reader notes came with segmentCase's; the reference's are said here
  for (const note of truth?.notes ?? []) run.log(`${c.name}: note: lesion mask: ${note}`);
  const { flair, mask, lesions } = result;
  const out = (suffix: string) => path.join(run.output, `${c.name}_${suffix}`);
  // the mask last: a case's mask on disk means its other outputs are written too
  if (run.prob) await writeFileAtomic(out('prob.nii.gz'), writeNifti(maskLike(flair, result.probability), 'float32', { gzip: true }));
  if (read.flairSeries) await writeFileAtomic(out('seg.dcm'), writeDicomSeg(mask, flair, read.flairSeries, { algorithmName: `lesion-workbench ${loaded.meta.preset}` }));
  if (run.removed) await writeFileAtomic(out('removed.nii.gz'), writeNifti(maskLike(flair, result.removed), 'uint8', { gzip: true }));
  await writeFileAtomic(out('lesions.csv'), `${lesionCsvLines(lesions.rows, { affine: flair.affine }).join('\n')}\n`);
  await writeFileAtomic(out('mask.nii.gz'), writeNifti(maskLike(flair, mask), 'uint8', { gzip: true }));
  Object.assign(run.line, {
    lesions: lesions.count, volume_ml: lesions.totalVolumeMl.toFixed(4), removed_lesions: result.removedLesions.count, seconds: result.seconds.toFixed(1),
  });
  if (truth) {
    const m = evaluateSegmentation({ pred: mask, truth: referenceLesions(truth.data), dims: flair.dims, spacingMm: flair.spacingMm, prob: result.probability, beta: loaded.meta.beta });
    const f = (x: number | null) => (x === null ? '' : x.toFixed(4));
    Object.assign(run.line, {
      dice: f(m.dice), precision: f(m.precision), recall: f(m.recall), ap: f(m.ap),
      lesion_precision: f(m.lesionPrecision), lesion_recall: f(m.lesionRecall), lesion_f1: f(m.lesionF1),
      lesion_tpr: f(m.lesionTPR), lesion_fpr: f(m.lesionFPR), lesions_truth: m.lesionCountTruth, lesion_count_difference: m.lesionCountDifference,
      volume_truth_ml: f(m.volumeTruthMl), volume_abs_difference_ml: f(m.volumeAbsDifferenceMl),
    });
  }
  run.log(`${c.name}: ${lesions.count} lesions, ${lesions.totalVolumeMl.toFixed(3)} mL in ${result.seconds.toFixed(1)} s` +
    (run.line.dice !== undefined ? `; Dice ${run.line.dice}` : ''));
}
