/**
 * The CLI's patch pool: the wasm and cpu backends compute on one thread, so a whole volume runs
 * `threads` copies of the model in worker threads (one per core) and segmentVolume keeps each busy.
 * The browser does the same with Web Workers (src/worker/patch-workers.ts).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../model/backend.ts';
import { slotPredictor } from '../model/patch-slots.ts';
import { type PredictRequest, remoteSlot, type SlotReply, type StartRequest } from '../model/remote-slot.ts';
import type { PatchPredictor, PatchSlot } from '../model/segment-volume.ts';

export type ThreadRequest = StartRequest<object> | PredictRequest;
/** An error with id null before 'ready': the thread did not start. */
export type ThreadReply = { type: 'ready' } | SlotReply;

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
  /** Every thread still runs. */
  readonly intact: boolean;
  close(): Promise<void>;
}

/**
 * Starts `threads` workers, each with its own backend and copy of the model in `modelDir`; batches
 * go to the first idle one (slotPredictor). A thread that cannot start stops them all, so that the
 * process can exit with one error line; a thread that fails later is dropped and its batch rerun.
 */
export async function openThreadPool(modelDir: string, backend: BackendName, threads: number): Promise<ThreadPool> {
  const entry = new URL('./predict-thread.ts', import.meta.url).href;
  const workers = Array.from({ length: threads }, () => new Worker(BOOTSTRAP, { eval: true, workerData: { entry, modelDir, backend } }));
  // every thread gets a copy of the channels (structured clone), once per run
  const remotes = workers.map((worker) => remoteSlot((request: ThreadRequest) => worker.postMessage(request)));
  const ready = Promise.all(workers.map((worker, t) => new Promise<void>((resolve, reject) => {
    let isReady = false;
    worker.on('message', (reply: ThreadReply) => {
      if (reply.type === 'ready') {
        isReady = true;
        resolve();
      } else if (isReady) remotes[t].receive(reply);
      else if (reply.type === 'error') reject(new Error(reply.message));
    });
    worker.on('error', (error: Error) => {
      reject(error);
      remotes[t].fail(error);
    });
  })));
  await ready.catch(async (error: Error) => {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw new Error(`a patch thread did not start: ${error.message}`);
  });

  const predictor = slotPredictor(remotes.map((remote): PatchSlot => ({
    start: (channels, dims) => remote.start(channels, dims, {}),
    predict: remote.predict,
  })));
  return {
    get parallel() {
      return predictor.parallel;
    },
    get intact() {
      return remotes.every((remote) => !remote.dead);
    },
    start: (channels, dims) => predictor.start(channels, dims),
    predict: (boxes, flipped) => predictor.predict(boxes, flipped),
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/** The thread pools of a run of one or more cases. */
export interface ThreadPools {
  /** Threads per pool; 1: cases run in this thread. */
  readonly count: number;
  /** The pool for a model folder (undefined when count is 1). */
  get(modelDir: string): Promise<PatchPredictor | undefined>;
  close(): Promise<void>;
}

/**
 * One pool per model folder, opened when a case first needs it and kept for the next: starting two
 * threads costs about 1.6 s here, a good part of a small case's run. A pool that lost a thread is
 * replaced.
 */
export function threadPools(backend: BackendName, count: number, log: (line: string) => void): ThreadPools {
  const pools = new Map<string, Promise<ThreadPool>>();
  return {
    count,
    async get(modelDir) {
      if (count <= 1) return undefined;
      const pool = await pools.get(modelDir);
      if (pool?.intact) return pool;
      await pool?.close();
      const started = performance.now();
      const opening = openThreadPool(modelDir, backend, count).then((opened) => {
        log(`${count} patch threads started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
        return opened;
      });
      pools.set(modelDir, opening);
      // a pool that could not start is not kept: the next case tries again
      opening.catch(() => pools.delete(modelDir));
      return opening;
    },
    async close() {
      await Promise.all([...pools.values()].map((opening) => opening.then((pool) => pool.close(), () => undefined)));
      pools.clear();
    },
  };
}
