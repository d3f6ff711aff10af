import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkerWatchdog } from '../../src/app/worker-watchdog.ts';

describe('WorkerWatchdog', () => {
  let clockMs = 0;
  beforeEach(() => {
    vi.useFakeTimers();
    clockMs = 0;
  });
  afterEach(() => vi.useRealTimers());

  /** Advances the fake timers and the watchdog's clock together. */
  const advance = (ms: number) => {
    for (let t = 0; t < ms; t += 100) {
      clockMs += 100;
      vi.advanceTimersByTime(100);
    }
  };

  const make = (timeoutMs: number) => {
    const pings: number[] = [];
    const silences: number[] = [];
    const dog = new WorkerWatchdog({ timeoutMs, pingEveryMs: 1000, ping: (seq) => pings.push(seq), onSilent: (ms) => silences.push(ms), now: () => clockMs });
    return { dog, pings, silences };
  };

  it('pings every interval and stays quiet while the worker answers', () => {
    const { dog, pings, silences } = make(5000);
    dog.start();
    for (let s = 0; s < 20; s++) {
      advance(1000);
      dog.heard();
    }
    expect(pings).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(silences).toEqual([]);
    dog.stop();
  });

  it('reports a silent worker once, at the first tick past the timeout, and stops pinging', () => {
    const { dog, pings, silences } = make(5000);
    dog.start();
    advance(3000);
    dog.heard(); // heard at 3 s: silence counts from there
    advance(10_000);
    // ticks at 4..7 s ping (1..4 s of silence), the tick at 8 s finds 5 s of silence
    expect(silences).toEqual([5000]);
    expect(pings).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('counts silence afresh from start() (a restarted worker)', () => {
    const { dog, silences } = make(5000);
    dog.start();
    advance(4000);
    dog.start();
    advance(4000);
    expect(silences).toEqual([]);
    advance(1000);
    expect(silences).toEqual([5000]);
  });

  it('does not blame the worker for a page thread that was blocked (a tick far later than planned)', () => {
    const { dog, silences } = make(5000);
    dog.start();
    advance(2000);
    clockMs += 60_000; // the page's thread blocked for a minute: the next tick comes late
    advance(1000);
    expect(silences).toEqual([]);
    advance(4000);
    expect(silences).toEqual([]);
    advance(1000);
    expect(silences).toEqual([5000]);
  });

  it('never fires with a timeout of 0', () => {
    const { dog, pings, silences } = make(0);
    dog.start();
    advance(60_000);
    expect(pings).toEqual([]);
    expect(silences).toEqual([]);
  });
});
