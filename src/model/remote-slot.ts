/**
 * The calling side of a patch slot on another thread (a browser Web Worker or a Node worker
 * thread): it posts start and predict requests and settles each from its reply. The browser's patch
 * workers (src/worker/patch-workers.ts) and the CLI's threads (src/cli/predict-threads.ts) share it;
 * each keeps its own transport, start handshake and way of getting the model to the thread.
 */
import type { PatchBox, Vec3 } from '../core/types.ts';

/** A run's start: its channels once, plus what the transport adds (`Extra`, e.g. the model). */
export type StartRequest<Extra> = { type: 'start'; channels: readonly Float32Array[]; dims: Vec3 } & Extra;
export type PredictRequest = { type: 'predict'; id: number; boxes: readonly PatchBox[]; flipped: boolean };

export type SlotReply =
  | { type: 'started' }
  | { type: 'probs'; id: number; probs: Float32Array }
  /** id null: the start failed. */
  | { type: 'error'; id: number | null; message: string };

export interface RemoteSlot<Extra> {
  /** Resolves on the thread's 'started' reply (starts are answered in the order they were posted). */
  start(channels: readonly Float32Array[], dims: Vec3, extra: Extra): Promise<void>;
  predict(boxes: readonly PatchBox[], flipped: boolean): Promise<Float32Array>;
  /** Settles the request a reply answers. */
  receive(reply: SlotReply): void;
  /** The thread has stopped: its open requests fail with `error`, and so does every later one. */
  fail(error: Error): void;
  readonly dead: boolean;
}

export function remoteSlot<Extra extends object = object>(
  post: (request: StartRequest<Extra> | PredictRequest) => void,
): RemoteSlot<Extra> {
  const started: ((error: Error | null) => void)[] = [];
  const pending = new Map<number, { resolve: (probs: Float32Array) => void; reject: (error: Error) => void }>();
  let stopped: Error | null = null;
  let nextId = 0;
  const take = (id: number) => {
    const request = pending.get(id);
    pending.delete(id);
    return request;
  };
  return {
    start: (channels, dims, extra) => new Promise<void>((resolve, reject) => {
      if (stopped) return reject(stopped);
      started.push((error) => (error ? reject(error) : resolve()));
      post({ ...extra, type: 'start', channels, dims });
    }),
    predict: (boxes, flipped) => new Promise<Float32Array>((resolve, reject) => {
      if (stopped) return reject(stopped);
      const id = nextId++;
      pending.set(id, { resolve, reject });
      post({ type: 'predict', id, boxes, flipped });
    }),
    receive(reply) {
      if (reply.type === 'started') return started.shift()?.(null);
      if (reply.type === 'probs') return take(reply.id)?.resolve(reply.probs);
      if (reply.id === null) return started.shift()?.(new Error(reply.message));
      take(reply.id)?.reject(new Error(reply.message));
    },
    fail(error) {
      stopped ??= error;
      for (const settle of started.splice(0)) settle(error);
      for (const { reject } of pending.values()) reject(error);
      pending.clear();
    },
    get dead() {
      return stopped !== null;
    },
  };
}
