/**
 * `npm run average -- --models DIR1,DIR2,... --out DIR`
 *
 * Averages the weights of checkpoints of one training run (src/model/average-weights.ts) and writes
 * one model with the last checkpoint's metadata plus the steps averaged. Average before
 * `npm run calibrate`: a baked-in temperature would be averaged with the weights.
 */
import { averageWeightsInto } from '../model/average-weights.ts';
import { isBackendName } from '../model/backend.ts';
import { flag, optionalString, parseCliArgs, requiredString } from './args.ts';
import { loadModelDir, saveModelDir } from './model-files.ts';
import { runCli } from './run-cli.ts';
import { initNodeBackend } from './tf-node.ts';

const USAGE = 'usage: npm run average -- --models DIR1,DIR2,... --out DIR [--backend wasm|cpu]';

const SPEC = { models: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), SPEC);
  if (flag(o, 'help')) return void process.stdout.write(`${USAGE}\n`);
  const dirs = requiredString(o, 'models').split(',').filter((d) => d !== '');
  const out = requiredString(o, 'out');
  if (dirs.length < 2) throw new Error('--models needs at least two checkpoint folders, separated by commas');
  const backendArg = optionalString(o, 'backend');
  if (backendArg !== undefined && !isBackendName(backendArg)) throw new Error(`unknown --backend ${backendArg}`);
  await initNodeBackend(backendArg, (line) => process.stderr.write(`${line}\n`));
  const loaded = [];
  for (const dir of dirs) {
    const checkpoint = await loadModelDir(dir);
    if (checkpoint.meta.calibration) throw new Error(`${dir} is calibrated: average the uncalibrated checkpoints, then calibrate`);
    loaded.push(checkpoint);
  }
  const last = loaded[loaded.length - 1];
  averageWeightsInto(last.model, loaded.map((c) => c.model));
  const averagedSteps = loaded.map((c) => c.meta.steps);
  await saveModelDir(last.model, out, { ...last.meta, averagedSteps });
  loaded.forEach((c) => c.model.dispose());
  process.stderr.write(`averaged ${dirs.length} checkpoints (steps ${averagedSteps.join(', ')}) -> ${out}\n`);
});
