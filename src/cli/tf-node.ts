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
  const require = createRequire(import.meta.url);
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  setWasmPaths(wasmDir + path.sep);
  silenceTfjsNodeHint();
  const order: BackendName[] = requested ? [requested] : ['wasm', 'cpu'];
  return selectBackend(order, log);
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
