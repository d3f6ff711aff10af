/**
 * `npm run calibrate -- --model NAME_OR_DIR --out DIR [--cases patient07,patient19] [--patches 24] ...`
 *
 * Temperature scaling of a trained model (src/core/temperature.ts): runs the network on random
 * brain-centred patches of real cases, fits the one temperature that minimises the voxel-wise
 * cross-entropy, and writes the model with that temperature baked into its last convolution. The
 * decision of each patch at 0.5 does not change (the fused mask changes only where overlapping
 * patches disagree); the probabilities spread out, so a beta or threshold
 * slider can move the operating point of a model trained with an overlap loss.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { extractPatch } from '../core/patch-grid.ts';
import { nonZeroIndices, samplePatchBox, type TrainingCase } from '../core/patch-sampling.ts';
import { createRng } from '../core/random.ts';
import { fitTemperature, TEMPERATURE_RANGE } from '../core/temperature.ts';
import { isBackendName } from '../model/backend.ts';
import { batchTensor } from '../model/patch-tensor.ts';
import { applyTemperature, logitsModel } from '../model/temperature-scaling.ts';
import { flag, optionalNumber, optionalString, parseCliArgs, requiredString } from './args.ts';
import { DEFAULT_MODEL, resolveModelDir } from './model-location.ts';
import { loadModelDir, saveModelDir } from './model-files.ts';
import { runCli } from './run-cli.ts';
import { initNodeBackend } from './tf-node.ts';
import { loadCase } from './training-cases.ts';

const USAGE = `usage: npm run calibrate -- --out DIR [--model ${DEFAULT_MODEL}|DIR] [--data ../shared/data/open_ms_data]
  [--cases patient07,patient19] [--patches 24] [--seed 1] [--backend wasm|cpu|webgpu]`;

const SPEC = {
  model: { type: 'string' }, out: { type: 'string' }, data: { type: 'string' }, cases: { type: 'string' },
  patches: { type: 'string' }, seed: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), SPEC);
  if (flag(o, 'help')) return void process.stdout.write(`${USAGE}\n`);
  const out = requiredString(o, 'out');
  const patchesPerCase = optionalNumber(o, 'patches', 24);
  if (!Number.isInteger(patchesPerCase) || patchesPerCase < 1) throw new Error('--patches must be a positive integer');
  const backendArg = optionalString(o, 'backend');
  if (backendArg !== undefined && !isBackendName(backendArg)) throw new Error(`unknown --backend ${backendArg}`);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  await initNodeBackend(backendArg, log);
  const { model, meta } = await loadModelDir(resolveModelDir(optionalString(o, 'model') ?? DEFAULT_MODEL));
  const data = optionalString(o, 'data') ?? path.resolve('../shared/data/open_ms_data');
  const caseNames = (optionalString(o, 'cases') ?? 'patient07,patient19').split(',');
  const rng = createRng(optionalNumber(o, 'seed', 1));
  const logitsNet = logitsModel(model);
  const size = [meta.patchSize, meta.patchSize, meta.patchSize] as const;

  const logits: number[] = [];
  const labels: number[] = [];
  for (const name of caseNames) {
    const c = await loadCase(path.join(data, 'cases', name), meta.modalities);
    const brain = Float32Array.from(c.brain);
    const label = Float32Array.from(c.label);
    const sampling: TrainingCase = {
      name, dims: c.flair.dims, channels: c.channels, label, brainVoxels: nonZeroIndices(c.brain), lesionVoxels: new Uint32Array(0),
    };
    for (let p = 0; p < patchesPerCase; p++) {
      // Brain-centred patches without lesion oversampling: the voxels' natural class balance.
      const box = samplePatchBox(sampling, { patchSize: size, lesionFraction: 0, maxShiftVox: 0 }, rng);
      const x = batchTensor(c.channels, c.flair.dims, [box]);
      const z = logitsNet.predict(x) as tf.Tensor;
      const values = await z.data();
      tf.dispose([x, z]);
      const inBrain = extractPatch(brain, c.flair.dims, box);
      const truth = extractPatch(label, c.flair.dims, box);
      for (let v = 0; v < values.length; v++) {
        if (inBrain[v] > 0) {
          logits.push(values[v]);
          labels.push(truth[v]);
        }
      }
    }
    log(`${name}: ${patchesPerCase} patches, ${logits.length} brain voxels so far`);
  }
  const fit = fitTemperature(logits, labels);
  const beyond = (t: number) => logits.filter((z) => Math.abs(z / t) > 16).length / logits.length;
  log(`temperature ${fit.temperature.toFixed(3)}: cross-entropy ${fit.nllBefore.toFixed(5)} -> ${fit.nllAfter.toFixed(5)} nats/voxel; `
    + `|logit| > 16 on ${(100 * beyond(1)).toFixed(1)}% -> ${(100 * beyond(fit.temperature)).toFixed(1)}% of voxels`);
  if (fit.temperature <= TEMPERATURE_RANGE[0] * 1.01 || fit.temperature >= TEMPERATURE_RANGE[1] * 0.99) {
    throw new Error(`the fit ran to the end of the range (temperature ${fit.temperature.toFixed(3)}): the patches do not constrain it; use more --patches or other --cases`);
  }
  applyTemperature(model, fit.temperature);
  const previous = meta.calibration?.temperature ?? 1;
  await saveModelDir(model, out, {
    ...meta,
    calibration: { temperature: previous * fit.temperature, nllBefore: fit.nllBefore, nllAfter: fit.nllAfter, voxels: logits.length, fitOn: caseNames },
  });
  process.stdout.write(`${JSON.stringify({ temperature: fit.temperature, nllBefore: fit.nllBefore, nllAfter: fit.nllAfter, voxels: logits.length })}\n`);
  log(`wrote ${out}`);
});
