/**
 * `npm run evaluate -- --pred MASK_OR_PROB --truth MASK [--threshold 0.5] [--prob PROB] [--beta 1.5]`
 *
 * Scores a predicted lesion mask, or a probability map cut at --threshold (NIfTI, .nii or .nii.gz),
 * against the truth mask on the same grid (lesion where above 0.5: binary and labelled masks as they
 * are, a mask resampled with interpolation cut at one half) and prints one JSON object (see EvaluationReport in src/core/evaluate.ts), numbers rounded to 6 decimals.
 * NaN/Inf voxels count as background, with a note on stderr giving their count (as `segment` reads
 * scans); a file with no finite voxel is refused (exit 1).
 */
import { evaluateSegmentation } from '../core/evaluate.ts';
import { assertSameGrid, referenceLesions } from '../core/volume.ts';
import { optionalNumber, optionalString, parseCliArgs, requiredString } from './args.ts';
import { readNoteLines, readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';

const USAGE = 'usage: npm run evaluate -- --pred MASK_OR_PROB --truth MASK [--threshold 0.5] [--prob PROB] [--beta 1.5]';

/** Rounds numbers to 6 decimals; non-finite numbers become null (as JSON would print them). */
function roundForJson(report: object): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(report)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) out[key] = null;
    else out[key] = Number.isInteger(value) ? value : Math.round(value * 1e6) / 1e6;
  }
  return out;
}

async function main(): Promise<void> {
  const options = parseCliArgs(process.argv.slice(2), {
    pred: { type: 'string' },
    truth: { type: 'string' },
    prob: { type: 'string' },
    beta: { type: 'string' },
    threshold: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const predPath = requiredString(options, 'pred');
  const truthPath = requiredString(options, 'truth');
  const probPath = optionalString(options, 'prob');
  const beta = optionalNumber(options, 'beta', 1.5);
  if (!(beta > 0)) throw new Error(`--beta must be positive, got ${beta}`);
  const threshold = optionalNumber(options, 'threshold', 0.5);
  if (!(threshold >= 0 && threshold < 1)) throw new Error(`--threshold must be in [0, 1), got ${threshold}`);

  const pred = await readVolume('--pred', predPath);
  const truth = await readVolume('--truth', truthPath);
  const prob = probPath === undefined ? undefined : await readVolume('--prob', probPath);
  const grid = [
    { name: truthPath, volume: truth },
    { name: predPath, volume: pred },
    ...(prob && probPath ? [{ name: probPath, volume: prob }] : []),
  ];
  assertSameGrid(grid);
  // NaN/Inf voxels were read as 0 (not lesion) with a note, as segment reads them; a file with no
  // finite voxel was refused by the reader, so nothing is ever scored from nothing
  for (const { name, volume } of grid) {
    const what = volume === pred ? '--pred' : volume === truth ? '--truth' : '--prob';
    for (const line of readNoteLines(what, name, volume)) process.stderr.write(`${line}\n`);
  }
  const report = evaluateSegmentation({
    // a voxel of --pred is lesion when above the threshold (a probability map can be scored at any cut)
    pred: pred.data.map((x) => (x > threshold ? 1 : 0)),
    truth: referenceLesions(truth.data),
    dims: truth.dims,
    spacingMm: truth.spacingMm,
    prob: prob?.data,
    beta,
  });
  process.stdout.write(`${JSON.stringify(roundForJson(report), null, 2)}\n`);
}

runCli(main);
