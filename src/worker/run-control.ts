/**
 * Stopping a run between batches (cancel, lost device, GPU errors), naming what went wrong for the
 * page, and yielding so that queued messages reach the worker during a run.
 */
import type { DeviceWatch } from './backend-session.ts';
import type { WorkerErrorKind } from './protocol.ts';
import { InputError } from './run-segment.ts';

/** The run was cancelled by the user. */
export class CancelledError extends Error {}

/** An error whose kind is known where it is thrown. */
export class KindedError extends Error {
  constructor(readonly kind: WorkerErrorKind, message: string) {
    super(message);
  }
}

/** Between batches: stop for a cancel, a lost device or a GPU error recorded by the device watch. */
export function checkpoint(cancelled: boolean, watch: DeviceWatch): void {
  if (cancelled) throw new CancelledError('cancelled');
  if (watch.lost) throw new KindedError('device-lost', `the GPU device was lost during the run (${watch.lost})`);
  if (watch.error?.kind === 'out-of-memory') throw new KindedError('out-of-memory', watch.error.message);
  if (watch.error) throw new KindedError('internal', `GPU ${watch.error.kind} error: ${watch.error.message}`);
}

/** The kind of a run's error, from its class or (for tfjs's own errors) its message. */
export function errorKind(error: unknown, deviceLost: boolean): WorkerErrorKind {
  if (error instanceof KindedError) return error.kind;
  if (error instanceof InputError) return 'input';
  if (deviceLost) return 'device-lost';
  const message = String((error as Error)?.message ?? error);
  if (/out of memory|\boom\b|allocation failed|failed to allocate/i.test(message)) return 'out-of-memory';
  if (/device (is |was )?lost|context lost/i.test(message)) return 'device-lost';
  return 'internal';
}

let lastYieldMs = 0;

/**
 * Lets queued messages (cancel) run: a macrotask turn, not just a microtask, at most every 25 ms.
 * A MessageChannel turn, unlike setTimeout(0), is not clamped to 4 ms (300 batches: 1.2 s).
 */
export function yieldToEvents(): Promise<void> {
  const now = performance.now();
  if (now - lastYieldMs < 25) return Promise.resolve();
  lastYieldMs = now;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
