/**
 * What the worker holds in memory, for the page's diagnostics and the soak test (e2e/soak.spec.ts):
 * tfjs's tensor bookkeeping, the wasm backend's heap and the worker's JS heap where the browser
 * reports one.
 */
import * as tf from '@tensorflow/tfjs';
import type { WorkerMemory } from './protocol.ts';

/** The wasm module's linear memory (bytes) when the wasm backend is active, else null. */
function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.byteLength ?? null;
}

/** Chromium's non-standard performance.memory (used JS heap, bytes), where the worker has it. */
function jsHeapBytes(): number | null {
  const memory = (performance as unknown as { memory?: { usedJSHeapSize?: number } }).memory;
  return typeof memory?.usedJSHeapSize === 'number' ? memory.usedJSHeapSize : null;
}

/** A snapshot of the worker's memory now. */
export function workerMemory(): WorkerMemory {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return {
    backend: tf.getBackend() ?? null,
    numTensors: m.numTensors,
    numDataBuffers: m.numDataBuffers,
    numBytes: m.numBytes,
    gpuBytes: m.numBytesInGPU ?? null,
    wasmHeapBytes: wasmHeapBytes(),
    jsHeapBytes: jsHeapBytes(),
  };
}
