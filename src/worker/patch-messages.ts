/**
 * Messages between the segmentation worker and its patch workers (patch.worker.ts): the model and
 * the run's channels once per run, then batches of patch boxes in and probabilities out.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../model/backend.ts';
import type { PredictRequest, SlotReply, StartRequest } from '../model/remote-slot.ts';

export type PatchWorkerRequest =
  | { type: 'init'; backend: BackendName }
  | StartRequest<{ artifacts: tf.io.ModelArtifacts }>
  | PredictRequest
  /** The run is over: drop its channels. */
  | { type: 'end' };

/** Before 'ready', an error (id null) means the backend did not start. */
export type PatchWorkerReply = { type: 'ready' } | SlotReply;
