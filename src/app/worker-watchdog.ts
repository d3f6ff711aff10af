/**
 * Notices a segmentation worker that has stopped answering: it pings the worker every `pingEveryMs`
 * and calls `onSilent` once no message at all (a pong, progress, a result) has come for `timeoutMs`.
 * The worker answers a ping between any two steps of its work (it yields between batches, fine-tuning
 * steps and requests), so silence means a worker that died quietly (closed, killed by the browser)
 * or is stuck in one step far longer than any step takes. The timeout must therefore exceed the
 * longest single step on a slow machine: a batch on the plain-JS cpu backend or a software GPU takes
 * up to about a minute on 2 cores, z-scoring a 92 M-voxel scan about 10 s; the default is 120 s.
 */

/** Default silence after which the worker is declared unresponsive, ms. */
export const DEFAULT_WATCHDOG_TIMEOUT_MS = 120_000;

export interface WatchdogOptions {
  /** Silence after which `onSilent` runs, ms (0: never). */
  timeoutMs: number;
  /** How often to ping, ms (default: a tenth of the timeout, at least 250 ms, at most 5 s). */
  pingEveryMs?: number;
  /** Sends a ping to the worker. */
  ping: (seq: number) => void;
  /** The worker has been silent for `silentMs`; the watchdog has stopped (start it again for a new worker). */
  onSilent: (silentMs: number) => void;
  /** Clock, ms (tests pass a fake one). */
  now?: () => number;
}

export class WorkerWatchdog {
  private lastHeardMs = 0;
  private lastTickMs = 0;
  private seq = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;
  private readonly pingEveryMs: number;

  constructor(private readonly options: WatchdogOptions) {
    this.now = options.now ?? (() => performance.now());
    this.pingEveryMs = options.pingEveryMs ?? Math.min(5000, Math.max(250, options.timeoutMs / 10));
  }

  /** Starts watching a (new) worker: silence is counted from now. */
  start(): void {
    this.stop();
    this.lastHeardMs = this.now();
    this.lastTickMs = this.lastHeardMs;
    if (this.options.timeoutMs <= 0) return;
    this.timer = setInterval(() => this.tick(), this.pingEveryMs);
  }

  /** Any message from the worker. */
  heard(): void {
    this.lastHeardMs = this.now();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const now = this.now();
    // a tick far later than planned means this thread was blocked: the worker's answers may be
    // waiting in the queue behind this tick, so silence counts afresh
    if (now - this.lastTickMs > 2 * this.pingEveryMs) this.lastHeardMs = now;
    this.lastTickMs = now;
    const silentMs = now - this.lastHeardMs;
    if (silentMs >= this.options.timeoutMs) {
      this.stop();
      this.options.onSilent(silentMs);
      return;
    }
    this.options.ping(++this.seq);
  }
}
