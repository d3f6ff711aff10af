/**
 * The CLI's patch pool: the wasm and cpu backends compute on one thread, so a whole volume runs
 * `threads` copies of the model in worker threads (one per core) and segmentVolume keeps each busy.
 * The browser keeps one worker; this is Node's way to use the other cores.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PatchBox, Vec3 } from '../core/types.ts';
import type { BackendName } from '../model/backend.ts';
import type { PatchPredictor } from '../model/segment-volume.ts';

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

/** Starts `threads` workers, each with its own backend and copy of the model in `modelDir`. */
export async function openThreadPool(modelDir: string, backend: BackendName, threads: number): Promise<ThreadPool> {
  const entry = new URL('./predict-thread.ts', import.meta.url).href;
  const workers = Array.from({ length: threads }, () => new Worker(BOOTSTRAP, { eval: true, workerData: { entry, modelDir, backend } }));
  const idle: Worker[] = [];
  const waiting: ((worker: Worker) => void)[] = [];
  const pending = new Map<number, { resolve: (probs: Float32Array) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | null = null;
  const release = (worker: Worker) => {
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  };
  const acquire = () => new Promise<Worker>((resolve) => {
    const worker = idle.pop();
    if (worker) resolve(worker);
    else waiting.push(resolve);
  });
  const fail = (error: Error) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  // one resolver per thread's 'started' reply; any reply settles any of them, as start awaits them all
  const started: (() => void)[] = [];

  const ready = Promise.all(workers.map((worker) => new Promise<void>((resolve, reject) => {
    worker.on('message', (message: ThreadReply) => {
      if (message.type === 'ready') {
        resolve();
        idle.push(worker);
      } else if (message.type === 'started') {
        started.shift()?.();
      } else {
        const request = pending.get(message.id);
        if (message.type === 'error' && message.id === -1) reject(new Error(message.message));
        if (!request) return;
        pending.delete(message.id);
        release(worker);
        if (message.type === 'probs') request.resolve(message.probs);
        else request.reject(new Error(message.message));
      }
    });
    worker.on('error', (error: Error) => {
      reject(error);
      fail(error);
    });
  })));
  // a thread that cannot start (backend, model) stops the others, so that the process can exit
  await ready.catch(async (error: Error) => {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw new Error(`a patch thread did not start: ${error.message}`);
  });

  return {
    parallel: threads,
    async start(channels, dims) {
      if (failure) throw failure;
      // every thread gets a copy of the channels (structured clone), once per run
      await Promise.all(workers.map((worker) => new Promise<void>((resolve) => {
        started.push(resolve);
        worker.postMessage({ type: 'start', channels, dims } satisfies ThreadRequest);
      })));
    },
    async predict(boxes, flipped) {
      if (failure) throw failure;
      const worker = await acquire();
      const id = nextId++;
      return new Promise<Float32Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: 'predict', id, boxes, flipped } satisfies ThreadRequest);
      });
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
