/**
 * The CLI's patch pool: the wasm and cpu backends compute on one thread, so a whole volume runs
 * `threads` copies of the model in worker threads (one per core) and segmentVolume keeps each busy.
 * The browser does the same with Web Workers (src/worker/patch-workers.ts).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PatchBox, Vec3 } from '../core/types.ts';
import type { BackendName } from '../model/backend.ts';
import { slotPredictor } from '../model/patch-slots.ts';
import type { PatchPredictor, PatchSlot } from '../model/segment-volume.ts';

export type ThreadRequest =
  | { type: 'start'; channels: readonly Float32Array[]; dims: Vec3 }
  | { type: 'predict'; id: number; boxes: readonly PatchBox[]; flipped: boolean };
export type ThreadReply =
  | { type: 'ready' } | { type: 'started' }
  | { type: 'probs'; id: number; probs: Float32Array }
  | { type: 'error'; id: number; message: string };

/** Threads by default: one per core, at most 4 (each holds the model and the run's channels, ~0.5 GB); 1 on a GPU. */
export function defaultThreads(backend: BackendName): number {
  return backend === 'wasm' || backend === 'cpu' ? Math.min(4, availableParallelism()) : 1;
}

/**
 * The thread entry under tsx: Node 20 does not pass tsx's loader (--import) on to worker threads,
 * so a CommonJS bootstrap registers it before importing the TypeScript entry.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import('tsx/esm/api').then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

export interface ThreadPool extends PatchPredictor {
  close(): Promise<void>;
}

interface Thread {
  worker: Worker;
  /** Settles the next 'started' reply (with an error when the thread dies first). */
  started: ((error: Error | null) => void)[];
  pending: Map<number, { resolve: (probs: Float32Array) => void; reject: (error: Error) => void }>;
  /** Why the thread stopped, once it has. */
  dead: Error | null;
}

/**
 * Starts `threads` workers, each with its own backend and copy of the model in `modelDir`; batches
 * go to the first idle one (slotPredictor). A thread that cannot start stops them all, so that the
 * process can exit with one error line; a thread that fails later is dropped and its batch rerun.
 */
export async function openThreadPool(modelDir: string, backend: BackendName, threads: number): Promise<ThreadPool> {
  const entry = new URL('./predict-thread.ts', import.meta.url).href;
  const pool: Thread[] = Array.from({ length: threads }, () => ({
    worker: new Worker(BOOTSTRAP, { eval: true, workerData: { entry, modelDir, backend } }), started: [], pending: new Map(), dead: null,
  }));
  let nextId = 0;
  const fail = (thread: Thread, error: Error) => {
    thread.dead = error;
    for (const settle of thread.started.splice(0)) settle(error);
    for (const { reject } of thread.pending.values()) reject(error);
    thread.pending.clear();
  };
  const ready = Promise.all(pool.map((thread) => new Promise<void>((resolve, reject) => {
    thread.worker.on('message', (message: ThreadReply) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'started') thread.started.shift()?.(null);
      else if (message.type === 'error' && message.id === -1) reject(new Error(message.message));
      else {
        const request = thread.pending.get(message.id);
        thread.pending.delete(message.id);
        if (message.type === 'probs') request?.resolve(message.probs);
        else request?.reject(new Error(message.message));
      }
    });
    thread.worker.on('error', (error: Error) => {
      reject(error);
      fail(thread, error);
    });
  })));
  await ready.catch(async (error: Error) => {
    await Promise.all(pool.map(({ worker }) => worker.terminate()));
    throw new Error(`a patch thread did not start: ${error.message}`);
  });

  const predictor = slotPredictor(pool.map((thread): PatchSlot => ({
    // every thread gets a copy of the channels (structured clone), once per run
    start: (channels, dims) => new Promise<void>((resolve, reject) => {
      if (thread.dead) return reject(thread.dead);
      thread.started.push((error) => (error ? reject(error) : resolve()));
      thread.worker.postMessage({ type: 'start', channels, dims } satisfies ThreadRequest);
    }),
    predict: (boxes, flipped) => new Promise<Float32Array>((resolve, reject) => {
      if (thread.dead) return reject(thread.dead);
      const id = nextId++;
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ type: 'predict', id, boxes, flipped } satisfies ThreadRequest);
    }),
  })));
  return {
    get parallel() {
      return predictor.parallel;
    },
    start: (channels, dims) => predictor.start(channels, dims),
    predict: (boxes, flipped) => predictor.predict(boxes, flipped),
    async close() {
      await Promise.all(pool.map(({ worker }) => worker.terminate()));
    },
  };
}
