/**
 * Messages between the segmentation worker and its patch workers (patch.worker.ts): the model and
 * the run's channels once per run, then batches of patch boxes in and probabilities out.
 */
import type * as tf from '@tensorflow/tfjs';
import type { PatchBox, Vec3 } from '../core/types.ts';
import type { BackendName } from '../model/backend.ts';

export type PatchWorkerRequest =
  | { type: 'init'; backend: BackendName }
  | { type: 'start'; artifacts: tf.io.ModelArtifacts; channels: readonly Float32Array[]; dims: Vec3 }
  | { type: 'predict'; id: number; boxes: readonly PatchBox[]; flipped: boolean }
  /** The run is over: drop its channels. */
  | { type: 'end' };

export type PatchWorkerReply =
  | { type: 'ready' }
  | { type: 'started' }
  | { type: 'probs'; id: number; probs: Float32Array }
  /** id null: init or start failed. */
  | { type: 'error'; id: number | null; message: string };
