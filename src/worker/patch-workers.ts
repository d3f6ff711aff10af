/**
 * The segmentation worker's patch workers: on the wasm and cpu backends, which compute on one
 * thread, each is another copy of the model on another core (the CLI does the same with Node
 * threads: src/cli/predict-threads.ts). A worker that fails to start or crashes is dropped; the
 * segmentation worker itself always computes too, so a run never depends on them.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../model/backend.ts';
import { type RemoteSlot, remoteSlot } from '../model/remote-slot.ts';
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
  remote: RemoteSlot<{ artifacts: tf.io.ModelArtifacts }>;
  post(request: PatchWorkerRequest): void;
}

/** Starts `count` patch workers on `backend`; resolves with those that started. */
export async function openPatchWorkers(count: number, backend: BackendName): Promise<PatchWorkers> {
  const helpers = await Promise.all(Array.from({ length: count }, () => startHelper(backend)));
  const live = () => helpers.filter((h): h is Helper => h !== null && !h.remote.dead);
  return {
    get size() {
      return live().length;
    },
    slots(artifacts) {
      return live().map(({ remote }): PatchSlot => ({
        start: (channels, dims) => remote.start(channels, dims, { artifacts }),
        predict: remote.predict,
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
  const post = (request: PatchWorkerRequest) => worker.postMessage(request);
  const remote = remoteSlot<{ artifacts: tf.io.ModelArtifacts }>(post);
  const kill = (error: Error) => {
    remote.fail(error);
    worker.terminate();
  };
  let isReady = false;
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), START_TIMEOUT_MS);
    worker.onmessage = (event: MessageEvent<PatchWorkerReply>) => {
      const reply = event.data;
      if (reply.type === 'ready') {
        isReady = true;
        clearTimeout(timer);
        resolve(true);
      } else if (isReady) {
        remote.receive(reply);
      } else {
        // the backend did not start
        clearTimeout(timer);
        resolve(false);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      clearTimeout(timer);
      resolve(false);
      kill(new Error(`the patch worker stopped: ${event.message}`));
    };
  });
  post({ type: 'init', backend });
  if (await ready) return { remote, post };
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
