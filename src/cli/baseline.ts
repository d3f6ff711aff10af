/**
 * `npm run baseline -- --flair F --truth MASK`: the naive FLAIR-threshold baseline of
 * docs/method.md section 6. Voxels brighter than brain mean + k sd are called lesion; k is swept
 * and the Dice of the best k is printed as JSON (an upper bound for the baseline: k is fit on the truth).
 */
import { confusionCounts, voxelMetrics } from '../core/metrics.ts';
import { brainMaskFrom, zscoreInBrain } from '../core/normalize.ts';
import { assertSameGrid, referenceLesions } from '../core/volume.ts';
import { parseCliArgs, requiredString } from './args.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), { flair: { type: 'string' }, truth: { type: 'string' } });
  const flair = await readVolume('--flair', requiredString(o, 'flair'));
  const truth = await readVolume('--truth', requiredString(o, 'truth'));
  assertSameGrid([{ name: 'FLAIR', volume: flair }, { name: 'truth', volume: truth }]);
  const lesions = referenceLesions(truth.data);
  const z = zscoreInBrain(flair, brainMaskFrom(flair), 'FLAIR');
  let best = { k: 0, dice: -1, precision: 0, recall: 0 };
  for (let k = 1; k <= 6; k += 0.1) {
    const pred = Uint8Array.from(z, (v) => (v > k ? 1 : 0));
    const m = voxelMetrics(confusionCounts(pred, lesions));
    if (m.dice > best.dice) best = { k: Math.round(k * 10) / 10, dice: m.dice, precision: m.precision, recall: m.recall };
  }
  process.stdout.write(`${JSON.stringify(best)}\n`);
});
