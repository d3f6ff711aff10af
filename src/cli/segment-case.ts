/**
 * One case through the network as `npm run segment` and `npm run segment:folder` run it: checks and
 * normalisation on the model's grid (model-input), patch inference and fusion, the map back on the
 * FLAIR's grid, the mask and its lesion table. Notes and progress go to `log`.
 */
import type * as tf from '@tensorflow/tfjs';
import { type LesionTable, lesionTable } from '../core/lesion-table.ts';
import { type BackendName, isBackendName } from '../model/backend.ts';
import type { FusionWindowKind, Modality, Volume } from '../core/types.ts';
import { MODALITY_LABELS, prepareModelInput, thresholdProbability } from '../model/model-input.ts';
import { checkLesionFilterRule, describeRule, filterLesions, type LesionFilterRule, NO_LESION_FILTER } from '../core/lesion-filter.ts';
import { lesionFilterOf, type ModelMeta } from '../model/model-meta.ts';
import { type MirrorMode, mirrorsRun } from '../model/mirror-policy.ts';
import { DEFAULT_SEGMENT_OPTIONS, type PatchPredictor, type SegmentOptions, type SegmentTimings } from '../model/segment-volume.ts';
import { segmentPlanned, type TwoPassOptions } from '../model/two-pass.ts';
import { DEFAULT_SPEED, isSpeedPreset, SPEED_PRESETS, TILING_PLANS } from '../model/speed-presets.ts';
import { describePlacement, mapsOnScan, movedScanCutOf, placeModelInput, type PlacedInput } from '../model/registered-input.ts';
import { flag, optionalNumber, optionalString, type ParsedOptions } from './args.ts';
import { nodeRegistration } from './elastix-engine.ts';
import type { ThreadPools } from './predict-threads.ts';

/** How a case is segmented (the CLI's options): segment-volume's options and the mask's threshold. */
export type CaseSettings = Pick<SegmentOptions, 'overlapFraction' | 'window' | 'bsplineOrder' | 'batchSize' | 'tileSize' | 'mirrorGrid'> & {
  mirror: MirrorMode;
  /** The speed preset's first pass (two-pass.ts); absent: one pass over the grid. */
  twoPass?: TwoPassOptions;
  threshold: number;
  /** Rigid registration to the template before inference (--no-register: off). */
  register: boolean;
  /** --min-lesion-mm3 and --min-confidence where given; the rest from the model's lesionFilter. */
  lesionFilter: Partial<LesionFilterRule>;
};

/** The options both segment CLIs take for a run, as parseCliArgs declares them. */
export const RUN_OPTION_SPEC = {
  model: { type: 'string' }, threshold: { type: 'string' }, fusion: { type: 'string' }, 'bspline-order': { type: 'string' },
  overlap: { type: 'string' }, batch: { type: 'string' }, mirror: { type: 'boolean' }, 'no-mirror': { type: 'boolean' }, 'no-register': { type: 'boolean' }, backend: { type: 'string' },
  threads: { type: 'string' }, speed: { type: 'string' }, 'min-lesion-mm3': { type: 'string' }, 'min-confidence': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FUSIONS: readonly FusionWindowKind[] = ['bspline', 'gaussian', 'mean'];

/**
 * The run settings, the --backend and the --threads of parsed options, checked (errors name the
 * option); threads undefined: the backend's default (predict-threads.ts).
 */
export function runSettingsFrom(o: ParsedOptions): { settings: CaseSettings; backend: BackendName | undefined; threads: number | undefined } {
  const threshold = optionalNumber(o, 'threshold', 0.5);
  if (threshold <= 0 || threshold >= 1) throw new Error('--threshold must be between 0 and 1');
  const window = (optionalString(o, 'fusion') ?? 'bspline') as FusionWindowKind;
  if (!FUSIONS.includes(window)) throw new Error(`--fusion must be one of ${FUSIONS.join(', ')}`);
  const bsplineOrder = optionalNumber(o, 'bspline-order', 2);
  if (![0, 1, 2, 3].includes(bsplineOrder)) throw new Error('--bspline-order must be 0, 1, 2 or 3');
  const speed = optionalString(o, 'speed') ?? DEFAULT_SPEED;
  if (!isSpeedPreset(speed)) throw new Error(`--speed must be one of ${SPEED_PRESETS.join(', ')}`);
  const plan = TILING_PLANS[speed];
  const overlapFraction = optionalNumber(o, 'overlap', plan.overlapFraction);
  if (overlapFraction < 0 || overlapFraction >= 1) throw new Error('--overlap must be in [0, 1)');
  const batchSize = optionalNumber(o, 'batch', DEFAULT_SEGMENT_OPTIONS.batchSize);
  const backend = optionalString(o, 'backend');
  if (backend !== undefined && !isBackendName(backend)) throw new Error(`unknown --backend ${backend}`);
  if (flag(o, 'mirror') && flag(o, 'no-mirror')) throw new Error('give --mirror or --no-mirror, not both');
  // a batch tool defaults to accuracy, as nnU-Net's predictor does (the app mirrors small scans only)
  const mirror: MirrorMode = flag(o, 'no-mirror') ? 'off' : 'on';
  const threads = optionalString(o, 'threads') === undefined ? undefined : optionalNumber(o, 'threads', 1);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) throw new Error('--threads must be a whole number from 1 to 64');
  const lesionFilter: Partial<LesionFilterRule> = {};
  if (o['min-lesion-mm3'] !== undefined) lesionFilter.minLesionMm3 = optionalNumber(o, 'min-lesion-mm3', 0);
  if (o['min-confidence'] !== undefined) lesionFilter.minConfidence = optionalNumber(o, 'min-confidence', 0);
  checkLesionFilterRule({ ...NO_LESION_FILTER, ...lesionFilter });
  const settings: CaseSettings = {
    threshold, overlapFraction, window, bsplineOrder, batchSize, mirror, mirrorGrid: plan.mirrorGrid, twoPass: plan.twoPass, register: !flag(o, 'no-register'), lesionFilter,
  };
  return { settings, backend, threads };
}

/** A segmented case, on the FLAIR's grid. */
export interface CaseResult {
  flair: Volume;
  probability: Float32Array;
  /** The map cut at the threshold, less the lesions the filter removed. */
  mask: Uint8Array;
  lesions: LesionTable;
  /** The lesions the filter removed, as a mask and a table. */
  removed: Uint8Array;
  removedLesions: LesionTable;
  /** The filter rule applied (the model's defaults with the options given). */
  rule: LesionFilterRule;
  timings: SegmentTimings;
  seconds: number;
}

/**
 * Segments `scans` (FLAIR required) with a loaded model; throws a one-line Error on bad input,
 * before anything is logged. `heading` is logged once the scans are checked, before the notes.
 * `threads`: the run's thread pools (predict-threads.ts) and the model folder they load.
 */
export async function segmentCase(
  model: tf.LayersModel, meta: ModelMeta, scans: Partial<Record<Modality, Volume>>, settings: CaseSettings,
  log: (line: string) => void, heading: string, threads?: { pools: ThreadPools; modelDir: string },
): Promise<CaseResult> {
  const input = prepareModelInput(scans, meta);
  const count = threads?.pools.count ?? 1;
  log(count > 1 ? `${heading}, ${count} threads` : heading);
  const placing = performance.now();
  // the patch threads load their model copies while the main thread registers the scan
  const starting = threads?.pools.get(threads.modelDir);
  starting?.catch(() => undefined);
  const placed = await placeModelInput(input, meta.modalities, settings.register ? await nodeRegistration() : null, movedScanCutOf(meta));
  log(`${describePlacement(placed)}${placed.placement ? `; ${((performance.now() - placing) / 1000).toFixed(1)} s with the checks and the move` : ''}`);
  for (const warning of placed.warnings) log(`warning: ${warning}`);
  // the threads start once the scans have passed their checks
  const pool = await starting;
  return runCase(model, meta, placed, scans.flair as Volume, settings, log, pool);
}

async function runCase(
  model: tf.LayersModel, meta: ModelMeta, placed: PlacedInput, flair: Volume, settings: CaseSettings,
  log: (line: string) => void, predictor: PatchPredictor | undefined,
): Promise<CaseResult> {
  const { input } = placed;
  for (const m of input.ignored) log(`note: model does not use ${MODALITY_LABELS[m]}; ignored`);
  for (const m of input.missing) log(`note: no ${MODALITY_LABELS[m]} given; the model runs on a blank channel (less accurate)`);
  for (const note of input.notes) log(`note: ${note}`);
  if (settings.twoPass) log('note: two passes (--speed fast): a coarse pass, then the full grid only on the tiles near what it found (--speed classic: the whole grid)');
  const started = performance.now();
  let lastReport = 0;
  // progress can report 0 done twice (a mirrored run of one batch: the plain half, then the flipped)
  let mirrorNoted = false;
  const { probability: onModelGrid, timings } = await segmentPlanned(model, placed.channels, placed.dims, placed.brain, {
    patchSize: meta.patchSize, overlapFraction: settings.overlapFraction, window: settings.window,
    bsplineOrder: settings.bsplineOrder, batchSize: settings.batchSize, mirror: settings.mirror, predictor,
    tileSize: settings.tileSize, mirrorGrid: settings.mirrorGrid,
    onProgress: (done, total) => {
      if (!mirrorNoted && mirrorsRun(settings.mirror, total)) {
        mirrorNoted = true;
        log(settings.twoPass?.fineMirror === 'halves'
          ? 'note: test-time mirroring: every voxel is also predicted flipped left-right, on the tiles of two grids of overlap 0 (--no-mirror turns it off)'
          : 'note: test-time mirroring: each patch also runs flipped left-right (2x model time; --no-mirror turns it off)');
      }
      const now = performance.now();
      if (now - lastReport < 5000 && done < total) return;
      lastReport = now;
      const eta = done > 0 ? `, about ${(((now - started) / done) * (total - done) / 1000).toFixed(0)} s left` : '';
      log(`${done} / ${total} patches, ${((now - started) / 1000).toFixed(0)} s${eta}`);
    },
  }, settings.twoPass);
  // a moved scan's lesions are judged on the peaks the network gave them (registered-input.ts)
  const { probability, peaks } = mapsOnScan(placed, onModelGrid, input.grid, input.scanBrain);
  const rule: LesionFilterRule = { ...lesionFilterOf(meta), ...settings.lesionFilter };
  const filtered = filterLesions(thresholdProbability(probability, settings.threshold), probability, flair.dims, flair.spacingMm, rule, peaks);
  const lesions = lesionTable(filtered.mask, flair.dims, flair.spacingMm, { probability, peaks, components: { mask: filtered.keptComponents } });
  const removedLesions = lesionTable(filtered.removed, flair.dims, flair.spacingMm, { probability, peaks, components: { mask: filtered.removedComponents } });
  if (filtered.stats.length > 0) log(`lesion filter (${describeRule(rule)}): kept ${lesions.count} of ${filtered.stats.length} lesions, removed ${removedLesions.count} (${removedLesions.totalVolumeMl.toFixed(3)} mL)`);
  return {
    flair, probability, mask: filtered.mask, lesions, removed: filtered.removed, removedLesions, rule, timings, seconds: (performance.now() - started) / 1000,
  };
}
