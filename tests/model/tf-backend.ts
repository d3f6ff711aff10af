/**
 * Test set-up for tfjs in Node: activates 'wasm' (with its .wasm files from node_modules, through the
 * CLI's own initNodeBackend) or 'cpu', the plain-JS reference backend. Both can be active in turn in
 * one test file; tensors move between them on use.
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../src/cli/tf-node.ts';

export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  const active = await initNodeBackend(name, (line) => {
    throw new Error(`backend ${name} did not start: ${line}`);
  });
  if (active !== name || tf.getBackend() !== name) throw new Error(`backend ${name} is not active`);
}

/** Seeded uniform floats in [lo, hi) (mulberry32), for reproducible test tensors. */
export function seededValues(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(count);
  for (let n = 0; n < count; n++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[n] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** Largest |a - b| relative to the largest |b| (at least 1e-6): one number for array closeness. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  let scale = 1e-6;
  for (let n = 0; n < b.length; n++) scale = Math.max(scale, Math.abs(b[n]));
  for (let n = 0; n < a.length; n++) {
    const d = Math.abs(a[n] - b[n]);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  return worst / scale;
}
