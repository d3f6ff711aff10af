/**
 * The page's handle on the segmentation worker: typed posting, a hard stop (terminate and start a
 * fresh worker) for when a cancel must take effect at once, and a watchdog: a worker that fails
 * (an uncaught error, a message that cannot be read) or stops answering pings (worker-watchdog.ts)
 * is terminated and replaced, and `onCrash` says what happened. Every new worker gets `onStart`,
 * which re-sends the case the page holds, so no loaded scan is lost.
 */
import type { WorkerEvent, WorkerMemory, WorkerRequest } from '../worker/protocol.ts';
import { DEFAULT_WATCHDOG_TIMEOUT_MS, WorkerWatchdog } from './worker-watchdog.ts';

/** Failures in a row of workers that never sent a message before the client gives up restarting. */
const MAX_SILENT_FAILURES = 2;

/** The worker's events the page handles (the client answers the watchdog's and the diagnostics' itself). */
export type PageEvent = Exclude<WorkerEvent, { type: 'pong' | 'memory' }>;

/** The page's one line on a failed worker (`what`: "stopped responding (...)", "failed (...)"). */
export function crashMessage(what: string, restarted: boolean): string {
  return restarted
    ? `The segmentation worker ${what} and was restarted; the loaded scans are kept: press Segment to run again.`
    : `The segmentation worker ${what} again before it could start; reload the page.`;
}

export class SegmentWorkerClient {
  private worker: Worker;
  private readonly watchdog: WorkerWatchdog;
  /** Whether the current worker has sent anything (a worker that fails before it does may be broken for good). */
  private heardFromWorker = false;
  private failuresBeforeFirstMessage = 0;
  private memoryWaiters: ((memory: WorkerMemory) => void)[] = [];
  private disposed = false;

  /**
   * `onStart` runs for every new worker (the first one and each restart); `onCrash` after a failed
   * or silent worker was replaced (`restarted` false: it was not, because workers keep failing at
   * start). `timeoutMs`: the watchdog's silence limit (0: no watchdog).
   */
  constructor(
    private readonly onEvent: (event: PageEvent) => void,
    private readonly onCrash: (message: string, restarted: boolean) => void,
    private readonly onStart: (client: SegmentWorkerClient) => void,
    timeoutMs = DEFAULT_WATCHDOG_TIMEOUT_MS,
  ) {
    this.watchdog = new WorkerWatchdog({
      timeoutMs,
      ping: (seq) => this.worker.postMessage({ type: 'ping', seq } satisfies WorkerRequest),
      onSilent: (silentMs) => this.fail(`stopped responding (no answer for ${(silentMs / 1000).toFixed(0)} s)`),
    });
    this.worker = this.spawn();
  }

  /** Posts a request; returns the ms the post took (structured clone of the payload). */
  post(request: WorkerRequest, transfer: Transferable[] = []): number {
    const t0 = performance.now();
    this.worker.postMessage(request, transfer);
    return performance.now() - t0;
  }

  /** The worker's memory (tensors, wasm heap, JS heap), for diagnostics. */
  memory(): Promise<WorkerMemory> {
    return new Promise((resolve) => {
      this.memoryWaiters.push(resolve);
      this.post({ type: 'memory' });
    });
  }

  /** Terminates the worker (whatever it is doing) and starts a fresh one. */
  restart(): void {
    this.worker.terminate();
    this.worker = this.spawn();
    // a memory question the old worker did not answer goes to the new one
    if (this.memoryWaiters.length > 0) this.post({ type: 'memory' });
  }

  dispose(): void {
    this.disposed = true;
    this.watchdog.stop();
    this.worker.terminate();
  }

  /** The worker failed or fell silent: replace it (unless workers keep failing before they say anything) and report. */
  private fail(what: string): void {
    if (this.disposed) return;
    if (!this.heardFromWorker) this.failuresBeforeFirstMessage++;
    const restarted = this.failuresBeforeFirstMessage < MAX_SILENT_FAILURES;
    if (restarted) this.restart();
    else {
      this.watchdog.stop();
      this.worker.terminate();
    }
    this.onCrash(what, restarted);
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('../worker/segment.worker.ts', import.meta.url), { type: 'module', name: 'segment' });
    this.heardFromWorker = false;
    worker.onmessage = (event: MessageEvent<WorkerEvent>) => {
      if (worker !== this.worker) return;
      this.heardFromWorker = true;
      this.failuresBeforeFirstMessage = 0;
      this.watchdog.heard();
      const data = event.data;
      if (data.type === 'pong') return;
      if (data.type === 'memory') {
        for (const resolve of this.memoryWaiters.splice(0)) resolve(data.memory);
        return;
      }
      this.onEvent(data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      if (worker === this.worker) this.fail(event.message ? `failed (${event.message})` : 'failed to start');
    };
    worker.onmessageerror = () => {
      if (worker === this.worker) this.fail('sent a message that could not be read');
    };
    this.watchdog.start();
    queueMicrotask(() => this.onStart(this));
    return worker;
  }
}
