import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/** tfjs backends this project runs on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * Activates the first backend of `order` that initialises, logging why each earlier one was
 * skipped. The WebGPU backend registers itself only when navigator.gpu exists at import time, so
 * it is imported lazily here.
 */
export async function selectBackend(order: readonly BackendName[], log: (line: string) => void = () => {}): Promise<BackendName> {
  for (const name of order) {
    const reason = await tryBackend(name);
    if (reason === null) return name;
    log(`backend ${name} unavailable: ${reason}`);
  }
  throw new Error(`no usable tfjs backend among ${order.join(', ')}`);
}

async function tryBackend(name: BackendName): Promise<string | null> {
  if (name === 'webgpu') {
    const gpu = (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu;
    if (!gpu) return 'navigator.gpu is missing (no WebGPU in this runtime)';
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  if (!tf.findBackendFactory(name)) return 'not registered in this runtime';
  if (name === 'wasm') throwOnXnnpackFailures();
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok ? null : 'initialisation failed';
  } catch (error) {
    return (error as Error).message;
  }
}

const XNNPACK_FAILURE = /^XNN status for \S+ is not successful/;
let xnnpackGuardInstalled = false;

/**
 * When XNNPACK fails inside tfjs-wasm (e.g. out of memory on large batches), the backend only prints
 * "XNN status for ... is not successful" through console.warn and the op returns garbage. Make that
 * a thrown error instead of a silent wrong answer. The wasm module binds console.warn when it
 * initialises, so this must run before the first tf.setBackend('wasm').
 */
export function throwOnXnnpackFailures(): void {
  if (xnnpackGuardInstalled) return;
  xnnpackGuardInstalled = true;
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && XNNPACK_FAILURE.test(args[0])) {
      throw new Error(`the wasm backend failed inside XNNPACK (${args[0].trim()}): most likely out of memory; use smaller patches or batches`);
    }
    original.apply(console, args);
  };
}
