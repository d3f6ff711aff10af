/**
 * Checks the model on a GPU backend against the plain-JS cpu backend: the output and the gradient
 * of the F-beta loss with respect to every weight, for one light FC-DenseNet on a seeded 16^3 batch.
 * Run before trusting training on a new backend (webgpu had broken rank-5 ops: platform notes).
 *   npx tsx tools/gpu/grad-check.ts [webgpu|webgl|wasm]
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node.ts';
import { buildFcDenseNet } from '../../src/model/fc-densenet.ts';
import { lossFunction } from '../../src/model/losses.ts';
import { PRESETS } from '../../src/model/presets.ts';
import { createRng } from '../../src/core/random.ts';
import type { BackendName } from '../../src/model/backend.ts';

const target = (process.argv[2] ?? 'webgpu') as BackendName;
const log = (line: string) => process.stderr.write(`${line}\n`);

async function run(): Promise<{ y: Float32Array; grads: Float32Array[]; names: string[] }> {
  const rng = createRng(7);
  const shape = [2, 16, 16, 16, 3] as const;
  const x = tf.tensor5d(Float32Array.from({ length: 2 * 16 ** 3 * 3 }, () => rng() * 2 - 1), [...shape]);
  const label = tf.tensor5d(Float32Array.from({ length: 2 * 16 ** 3 }, () => (rng() < 0.1 ? 1 : 0)), [2, 16, 16, 16, 1]);
  const lossOf = lossFunction('fbeta', 1.5);
  const { grads } = tf.variableGrads(() => lossOf(label, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
  const names = Object.keys(grads).sort();
  const y = (await (model.predict(x) as tf.Tensor).data()) as Float32Array;
  const values = await Promise.all(names.map(async (n) => (await grads[n].data()) as Float32Array));
  return { y, grads: values, names };
}

function relErr(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  let worst = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

await initNodeBackend('cpu', log);
tf.setBackend('cpu');
const model = buildFcDenseNet(PRESETS.light, 3);
const reference = await run();
const active = await initNodeBackend(target, log);
if (active !== target) throw new Error(`backend ${target} did not start`);
const t0 = performance.now();
const other = await run();
log(`${target}: forward+backward ${(performance.now() - t0).toFixed(0)} ms (first run, includes compilation)`);
let worst = relErr(other.y, reference.y);
log(`output max relative error ${worst.toExponential(2)}`);
reference.names.forEach((name, i) => {
  const e = relErr(other.grads[i], reference.grads[i]);
  if (e > 1e-3) log(`  gradient ${name}: relative error ${e.toExponential(2)}`);
  worst = Math.max(worst, e);
});
log(`worst relative error over output and ${reference.names.length} gradients: ${worst.toExponential(2)}`);
process.stdout.write(`${JSON.stringify({ backend: target, worstRelativeError: worst, ok: worst < 1e-3 })}\n`);
