/**
 * The segmentation worker's patch workers: on the wasm and cpu backends, which compute on one
 * thread, each is another copy of the model on another core (the CLI does the same with Node
 * threads: src/cli/predict-threads.ts). A worker that fails to start or crashes is dropped; the
 * segmentation worker itself always computes too, so a run never depends on them.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../model/backend.ts';
import type { PatchSlot } from '../model/segment-volume.ts';
import type { PatchWorkerReply, PatchWorkerRequest } from './patch-messages.ts';

/** How long a patch worker may take to start its backend before it is given up (the first run waits for it). */
const START_TIMEOUT_MS = 20_000;

/**
 * Patch workers by default: one fewer than the logical cores (this worker computes too), at most 3:
 * each holds tfjs, the model and a copy of the run's channels (about 120 MB for a whole brain with
 * four modalities).
 */
export function defaultPatchWorkers(cores: number): number {
  return Math.max(0, Math.min(3, Math.floor(cores) - 1));
}

export interface PatchWorkers {
  /** Workers that started and have not crashed. */
  readonly size: number;
  /** One slot per live worker for a run of the model in `artifacts`. */
  slots(artifacts: tf.io.ModelArtifacts): PatchSlot[];
  /** The run is over: the workers drop its channels. */
  end(): void;
}

interface Helper {
  worker: Worker;
  post(request: PatchWorkerRequest): void;
  /** Settles the next 'started' (or a start error). */
  started: ((error: Error | null) => void)[];
  pending: Map<number, { resolve: (probs: Float32Array) => void; reject: (error: Error) => void }>;
  dead: boolean;
}

/** Starts `count` patch workers on `backend`; resolves with those that started. */
export async function openPatchWorkers(count: number, backend: BackendName): Promise<PatchWorkers> {
  const helpers = await Promise.all(Array.from({ length: count }, () => startHelper(backend)));
  const live = () => helpers.filter((h): h is Helper => h !== null && !h.dead);
  let nextId = 0;
  return {
    get size() {
      return live().length;
    },
    slots(artifacts) {
      return live().map((helper): PatchSlot => ({
        start: (channels, dims) => new Promise<void>((resolve, reject) => {
          if (helper.dead) return reject(new Error('the patch worker has stopped'));
          helper.started.push((error) => (error ? reject(error) : resolve()));
          helper.post({ type: 'start', artifacts, channels, dims });
        }),
        predict: (boxes, flipped) => new Promise<Float32Array>((resolve, reject) => {
          if (helper.dead) return reject(new Error('the patch worker has stopped'));
          const id = nextId++;
          helper.pending.set(id, { resolve, reject });
          helper.post({ type: 'predict', id, boxes, flipped });
        }),
      }));
    },
    end() {
      for (const helper of live()) helper.post({ type: 'end' });
    },
  };
}

/** One patch worker with its backend started, or null (it is terminated) when it cannot start. */
async function startHelper(backend: BackendName): Promise<Helper | null> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./patch.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return null;
  }
  const helper: Helper = {
    worker, post: (request) => worker.postMessage(request), started: [], pending: new Map(), dead: false,
  };
  const kill = (error: Error) => {
    helper.dead = true;
    worker.terminate();
    for (const settle of helper.started.splice(0)) settle(error);
    for (const { reject } of helper.pending.values()) reject(error);
    helper.pending.clear();
  };
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
    worker.onmessage = (event: MessageEvent<PatchWorkerReply>) => {
      const reply = event.data;
      if (reply.type === 'ready') {
        clearTimeout(timer);
        resolve(true);
      } else if (reply.type === 'started') {
        helper.started.shift()?.(null);
      } else if (reply.type === 'probs') {
        helper.pending.get(reply.id)?.resolve(reply.probs);
        helper.pending.delete(reply.id);
      } else if (reply.id === null) {
        // init failed (no ready yet) or a start failed
        clearTimeout(timer);
        resolve(false);
        helper.started.shift()?.(new Error(reply.message));
      } else {
        helper.pending.get(reply.id)?.reject(new Error(reply.message));
        helper.pending.delete(reply.id);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      clearTimeout(timer);
      resolve(false);
      kill(new Error(`the patch worker stopped: ${event.message}`));
    };
  });
  helper.post({ type: 'init', backend });
  if (await ready) return helper;
  kill(new Error('the patch worker did not start'));
  return null;
}

/** The model's topology and weights, as a patch worker loads them (tf.io.fromMemory). */
export async function modelArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (saved) => {
    artifacts = saved;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(saved) };
  }));
  if (!artifacts) throw new Error('the model could not be serialised for the patch workers');
  return artifacts;
}
