/**
 * One thread of the CLI's patch pool (predict-threads.ts): its own tfjs backend and copy of the
 * model, the run's padded channels, and batches of patches in, probabilities out.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import type { Vec3 } from '../core/types.ts';
import type { BackendName } from '../model/backend.ts';
import { predictBatch } from '../model/segment-volume.ts';
import type { ThreadRequest, ThreadReply } from './predict-threads.ts';
import { loadModelDir } from './model-files.ts';
import { initNodeBackend } from './tf-node.ts';

const { modelDir, backend } = workerData as { modelDir: string; backend: BackendName };
const port = parentPort!;
const reply = (message: ThreadReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

async function main(): Promise<void> {
  await initNodeBackend(backend, () => undefined);
  const model: tf.LayersModel = (await loadModelDir(modelDir)).model;
  let channels: readonly Float32Array[] = [];
  let dims: Vec3 = [0, 0, 0];
  port.on('message', (request: ThreadRequest) => {
    if (request.type === 'start') {
      ({ channels, dims } = request);
      reply({ type: 'started' });
      return;
    }
    predictBatch(model, channels, dims, request.boxes, request.flipped).then(
      (probs) => reply({ type: 'probs', id: request.id, probs }, [probs.buffer as ArrayBuffer]),
      (error: Error) => reply({ type: 'error', id: request.id, message: error.message }),
    );
  });
  reply({ type: 'ready' });
}

main().catch((error: Error) => reply({ type: 'error', id: null, message: error.message }));
