/**
 * A patch worker: a second (third, ...) copy of the model on the CPU, so that a wasm or cpu run uses
 * more than one core. The segmentation worker sends it the model and the run's channels, then
 * batches; it answers with the batches' probabilities (predictBatch, the same code as in-process).
 */
import * as tf from '@tensorflow/tfjs';
import '../model/layers/register-all.ts';
import { selectBackend } from '../model/backend.ts';
import { predictBatch } from '../model/segment-volume.ts';
import type { Vec3 } from '../core/types.ts';
import type { PatchWorkerReply, PatchWorkerRequest } from './patch-messages.ts';
import { configureWasmPaths } from './wasm-paths.ts';

const scope = self as unknown as {
  postMessage(message: PatchWorkerReply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<PatchWorkerRequest>) => void) | null;
};
const reply = (message: PatchWorkerReply, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

let model: tf.LayersModel | null = null;
let channels: readonly Float32Array[] = [];
let dims: Vec3 = [0, 0, 0];

// Messages are handled one at a time, in order: a batch never overlaps a start.
let queue = Promise.resolve();
scope.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};

async function handle(request: PatchWorkerRequest): Promise<void> {
  switch (request.type) {
    case 'init':
      try {
        configureWasmPaths();
        await selectBackend([request.backend]);
        reply({ type: 'ready' });
      } catch (error) {
        reply({ type: 'error', id: null, message: (error as Error).message });
      }
      return;
    case 'start':
      try {
        model?.dispose();
        model = null;
        model = await tf.loadLayersModel(tf.io.fromMemory(request.artifacts));
        ({ channels, dims } = request);
        reply({ type: 'started' });
      } catch (error) {
        reply({ type: 'error', id: null, message: (error as Error).message });
      }
      return;
    case 'predict':
      try {
        if (!model) throw new Error('no model: the run did not start here');
        const probs = await predictBatch(model, channels, dims, request.boxes, request.flipped);
        reply({ type: 'probs', id: request.id, probs }, [probs.buffer]);
      } catch (error) {
        reply({ type: 'error', id: request.id, message: (error as Error).message });
      }
      return;
    case 'end':
      channels = [];
      return;
  }
}
