/**
 * `npm run lesion-filter:cv -- --case NAME=PROB,TRUTH [--case ...] [--threshold 0.5] [--out table.csv]`
 *
 * Chooses the lesion filter's minimum size (mm^3) and minimum confidence (peak probability) by
 * leave-one-out cross-validation over cases: for every held-out case the rule with the best mean
 * lesion-wise F1 on the other cases (exact ties: the larger minimums) is scored on it. A case is a
 * probability map from `npm run segment --prob` and its reference mask on the same grid. Prints
 * every case's unfiltered scores, each fold, and the rule chosen on all cases (what a model's
 * `lesionFilter` metadata would get); `--out` writes every case x rule as CSV.
 */
import { writeFile } from 'node:fs/promises';
import { labelComponents } from '../core/components.ts';
import type { EvaluationReport } from '../core/evaluate.ts';
import { componentStats, keptLabels, type LesionFilterRule } from '../core/lesion-filter.ts';
import { lesionOverlaps, scoresOfKept } from '../core/lesion-scores.ts';
import { assertSameGrid, referenceLesions } from '../core/volume.ts';
import { optionalNumber, optionalString, parseCliArgs } from './args.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';

const USAGE = 'usage: npm run lesion-filter:cv -- --case NAME=PROB.nii.gz,TRUTH.nii.gz [--case ...] [--threshold 0.5] [--out table.csv]';

/** The grid of rules tried: sizes in mm^3 and peak probabilities. */
export const SIZES_MM3 = [0, 2, 3, 5, 8, 10, 15, 20, 30, 50] as const;
export const CONFIDENCES = [0, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98] as const;

interface CaseScores {
  name: string;
  /** scores[s][c] for SIZES_MM3[s], CONFIDENCES[c]. */
  scores: EvaluationReport[][];
}

/**
 * The best rule by mean lesion F1 over `cases`. On an exact tie (the rules keep the same lesions
 * on every case) the larger minimums win: they cost nothing measured and remove more of the
 * specks a new scan may have.
 */
export function bestRule(cases: readonly CaseScores[]): { s: number; c: number; f1: number } {
  let best = { s: 0, c: 0, f1: -1 };
  for (let s = 0; s < SIZES_MM3.length; s++) {
    for (let c = 0; c < CONFIDENCES.length; c++) {
      const f1 = cases.reduce((sum, k) => sum + k.scores[s][c].lesionF1, 0) / cases.length;
      if (f1 >= best.f1 - 1e-12) best = { s, c, f1 };
    }
  }
  return best;
}

async function scoreCase(spec: string, threshold: number): Promise<CaseScores> {
  const m = /^([^=]+)=([^,]+),(.+)$/.exec(spec);
  if (!m) throw new Error(`--case must be NAME=PROB,TRUTH, got '${spec}'`);
  const [, name, probPath, truthPath] = m;
  const prob = await readVolume(`${name}'s map`, probPath);
  const truth = await readVolume(`${name}'s reference`, truthPath);
  assertSameGrid([{ name: probPath, volume: prob }, { name: truthPath, volume: truth }]);
  const mask = new Uint8Array(prob.data.length);
  for (let v = 0; v < mask.length; v++) mask[v] = prob.data[v] >= threshold ? 1 : 0;
  const pred = labelComponents(mask, prob.dims, 26);
  const stats = componentStats(pred, prob.data, prob.dims, prob.spacingMm);
  const overlaps = lesionOverlaps(pred, labelComponents(referenceLesions(truth.data), prob.dims, 26), prob.spacingMm);
  const scores = SIZES_MM3.map((minLesionMm3) => CONFIDENCES.map((minConfidence) => {
    const rule: LesionFilterRule = { minLesionMm3, minConfidence };
    return scoresOfKept(overlaps, keptLabels(stats, rule), 1.5, null);
  }));
  return { name, scores };
}

const line = (r: EvaluationReport) =>
  `Dice ${r.dice.toFixed(3)}, lesions ${r.lesionCountPred} for ${r.lesionCountTruth}: lesion P ${r.lesionPrecision.toFixed(3)} R ${r.lesionRecall.toFixed(3)} F1 ${r.lesionF1.toFixed(3)}`;
const ruleText = (s: number, c: number) => `>= ${SIZES_MM3[s]} mm^3, confidence >= ${CONFIDENCES[c]}`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const caseSpecs = argv.flatMap((a, i) => (argv[i - 1] === '--case' ? [a] : []));
  const options = parseCliArgs(argv.filter((a, i) => a !== '--case' && argv[i - 1] !== '--case'), { threshold: { type: 'string' }, out: { type: 'string' } });
  if (caseSpecs.length < 2) throw new Error(`give at least two --case (leave-one-out); ${USAGE}`);
  const threshold = optionalNumber(options, 'threshold', 0.5);
  const cases: CaseScores[] = [];
  for (const spec of caseSpecs) cases.push(await scoreCase(spec, threshold));
  for (const k of cases) process.stdout.write(`${k.name} unfiltered: ${line(k.scores[0][0])}\n`);
  for (const held of cases) {
    const best = bestRule(cases.filter((k) => k !== held));
    process.stdout.write(`fold ${held.name}: chosen on the others ${ruleText(best.s, best.c)} -> ${line(held.scores[best.s][best.c])}\n`);
  }
  const all = bestRule(cases);
  process.stdout.write(`on all cases: ${ruleText(all.s, all.c)} (mean lesion F1 ${all.f1.toFixed(3)})\n`);
  const out = optionalString(options, 'out');
  if (out) {
    const rows = ['case,min_lesion_mm3,min_confidence,dice,lesion_precision,lesion_recall,lesion_f1,lesions_pred,lesions_truth'];
    for (const k of cases) {
      SIZES_MM3.forEach((size, s) => CONFIDENCES.forEach((conf, c) => {
        const r = k.scores[s][c];
        rows.push([k.name, size, conf, r.dice.toFixed(4), r.lesionPrecision.toFixed(4), r.lesionRecall.toFixed(4), r.lesionF1.toFixed(4), r.lesionCountPred, r.lesionCountTruth].join(','));
      }));
    }
    await writeFile(out, `${rows.join('\n')}\n`);
  }
}

runCli(main);
