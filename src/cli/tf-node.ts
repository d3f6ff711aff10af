import { createRequire } from 'node:module';
import path from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend, type BackendName } from '../model/backend.ts';

/**
 * Node set-up for tfjs: points the wasm backend at its .wasm files in node_modules and activates
 * the requested backend. The default for training and inference in Node is wasm (fast conv2d;
 * see src/model/layers/conv3d-fast.ts), with cpu as fallback.
 */
export async function initNodeBackend(requested: BackendName | undefined, log: (line: string) => void): Promise<BackendName> {
  try {
    const require = createRequire(import.meta.url);
    setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  } catch {
    // A bundled copy without node_modules (tools/gpu): wasm then reports itself unavailable.
  }
  silenceTfjsNodeHint();
  if (requested === 'webgpu') await provideNodeWebGpu(log);
  const order: BackendName[] = requested ? [requested] : ['wasm', 'cpu'];
  return selectBackend(order, log);
}

/**
 * Node has no navigator.gpu; the optional npm package 'webgpu' (Dawn's dawn.node, not a dependency
 * of this project: `npm i --no-save webgpu`) provides one, e.g. to train on a GPU machine
 * (docs/gpu-training.md). It must exist before tfjs-backend-webgpu is imported.
 */
async function provideNodeWebGpu(log: (line: string) => void): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return;
  const packageName = 'webgpu'; // a variable: the package is optional, so not resolved at build time
  try {
    const dawn = (await import(packageName)) as { create: (flags: string[]) => unknown; globals: object };
    Object.assign(globalThis, dawn.globals);
    Object.defineProperty(globalThis, 'navigator', { value: { ...g.navigator, gpu: dawn.create([]) }, configurable: true });
  } catch (error) {
    log(`WebGPU in Node needs the optional package 'webgpu' (npm i --no-save webgpu): ${(error as Error).message}`);
  }
}

/** tfjs prints a banner recommending tfjs-node (which cannot be installed here) on first use. */
function silenceTfjsNodeHint(): void {
  (globalThis as Record<string, unknown>)['__tfjsNodeHintShown'] = true;
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('tfjs-node')) return;
    original(...args);
  };
}
