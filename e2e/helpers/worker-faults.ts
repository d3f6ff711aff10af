/**
 * Faults put into the page's segmentation worker from outside, by Playwright (the test harness runs
 * code in the worker's global scope, as DevTools' console would): the page has no hook for them.
 * - 'throw': an uncaught exception in the worker (its error event reaches the page);
 * - 'close': the worker ends itself without a word (as a worker the browser killed: no event at all);
 * - 'hang': the worker's thread spins forever (as a kernel that never returns).
 */
import type { Page, Worker } from '@playwright/test';

export type WorkerFault = 'throw' | 'close' | 'hang';

/** The page's segmentation worker (not the DICOM or patch workers): the one whose script is segment.worker. */
export async function segmentWorker(page: Page, previous: Worker | null = null): Promise<Worker> {
  for (let tries = 0; tries < 600; tries++) {
    const worker = page.workers().find((w) => /segment\.worker/.test(w.url()) && w !== previous);
    if (worker) return worker;
    await page.waitForTimeout(100);
  }
  throw new Error('the page has no segmentation worker');
}

/** Puts `fault` into `worker` (from a timer, so that the call itself returns). */
export async function injectFault(worker: Worker, fault: WorkerFault): Promise<void> {
  await worker.evaluate((kind) => {
    setTimeout(() => {
      if (kind === 'throw') throw new Error('fault injected by the test');
      if (kind === 'close') (self as unknown as { close(): void }).close();
      if (kind === 'hang') for (;;) { /* spins until the page terminates the worker */ }
    }, 0);
  }, fault);
}
