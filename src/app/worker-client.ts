/**
 * The page's handle on the segmentation worker: typed posting, and a hard stop (terminate and
 * start a fresh worker) for when a cancel must take effect at once.
 */
import type { WorkerEvent, WorkerRequest } from '../worker/protocol.ts';

export class SegmentWorkerClient {
  private worker: Worker;

  /** `onStart` runs for every new worker (the first one and each after a hard stop). */
  constructor(
    private readonly onEvent: (event: WorkerEvent) => void,
    private readonly onCrash: (message: string) => void,
    private readonly onStart: (client: SegmentWorkerClient) => void,
  ) {
    this.worker = this.spawn();
  }

  /** Posts a request; returns the ms the post took (structured clone of the payload). */
  post(request: WorkerRequest, transfer: Transferable[] = []): number {
    const t0 = performance.now();
    this.worker.postMessage(request, transfer);
    return performance.now() - t0;
  }

  /** Terminates the worker (whatever it is doing) and starts a fresh one. */
  restart(): void {
    this.worker.terminate();
    this.worker = this.spawn();
  }

  dispose(): void {
    this.worker.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('../worker/segment.worker.ts', import.meta.url), { type: 'module', name: 'segment' });
    worker.onmessage = (event: MessageEvent<WorkerEvent>) => this.onEvent(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.onCrash(event.message || 'the segmentation worker failed to start');
    };
    worker.onmessageerror = () => this.onCrash('a message from the segmentation worker could not be read');
    queueMicrotask(() => this.onStart(this));
    return worker;
  }
}
