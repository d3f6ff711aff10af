/**
 * One entry for the bundle that travels to the GPU machine (tools/gpu/build.sh): runs the CLI named
 * by the first argument with the remaining arguments, e.g. `node main.mjs train --backend webgpu ...`.
 */
const commands: Record<string, () => Promise<unknown>> = {
  train: () => import('../../src/cli/train.ts'),
  calibrate: () => import('../../src/cli/calibrate.ts'),
  segment: () => import('../../src/cli/segment.ts'),
  evaluate: () => import('../../src/cli/evaluate.ts'),
  bench: () => import('../../src/cli/bench.ts'),
  'grad-check': () => import('./grad-check.ts'),
};
const [name, ...rest] = process.argv.slice(2);
const command = name === undefined ? undefined : commands[name];
if (!command) {
  process.stderr.write(`usage: node main.mjs ${Object.keys(commands).join('|')} [args]\n`);
  process.exit(2);
}
process.argv = [process.argv[0], `${name}.ts`, ...rest];
await command();
