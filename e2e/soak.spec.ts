/**
 * A long page session: 50 runs on two small phantom cases (64^3 FLAIR + reference, patches of 32^3),
 * the scans replaced every 5 runs, every other run cancelled midway, beta moved, a fine-tune started
 * and stopped. Asserted: the worker's tfjs tensor count is the same at every checkpoint after the
 * warm-up (exactly: a leak of one tensor per run would add 10 between checkpoints), the wasm heap
 * does not grow and the page's JS heap (after a forced GC) stays within a margin of its warm-up
 * level; every map shown is that of the scan loaded (bit for bit the map of that case's first run,
 * and not the other case's).
 */
import { expect, type Page, test } from '@playwright/test';
import type { WorkerMemory } from '../src/worker/protocol.ts';
import { downloadVolume, openApp, segmentAndWait, trackPageErrors } from './helpers/page.ts';
import { phantomFiles } from './helpers/volumes.ts';

/** 50 (SOAK_RUNS=N shortens it while working on the spec). */
const RUNS = Number(process.env.SOAK_RUNS ?? 50);
const BLOCK = 5;

async function setRange(page: Page, testId: string, value: number): Promise<void> {
  await page.getByTestId(testId).evaluate((input, v) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(v));
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/** The worker's memory as the ?debug memory line reports it. */
async function workerMemory(page: Page): Promise<WorkerMemory> {
  const line = page.getByTestId('debug-memory');
  const seq = JSON.parse((await line.getAttribute('data-json')) || '{"seq":0}').seq as number;
  await page.getByTestId('debug-memory-refresh').click();
  await expect(line).toHaveAttribute('data-json', new RegExp(`"seq":${seq + 1}\\}$`));
  return JSON.parse((await line.getAttribute('data-json'))!).worker as WorkerMemory;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let v = 0; v < a.length; v++) max = Math.max(max, Math.abs(a[v] - b[v]));
  return max;
}

test('50 runs in one session: tensors and JS heap flat; every map shown is the loaded scan\'s', async ({ page }) => {
  test.setTimeout(25 * 60_000);
  const errors = trackPageErrors(page);
  expect(await openApp(page, '?backend=wasm&mirror=off&debug')).toBe('wasm');
  const cdp = await page.context().newCDPSession(page);
  const pageHeapBytes = async (): Promise<number> => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  const cases = [phantomFiles([64, 64, 64], 31, 'soakA'), phantomFiles([64, 64, 64], 32, 'soakB')];
  const maps: (Float32Array | null)[] = [null, null];
  const progress = page.getByTestId('progress');
  /** Worker memory after each full run, per block of full runs. */
  const fullBlocks: { run: number; memory: WorkerMemory }[][] = [];
  const heaps: { run: number; bytes: number }[] = [];
  let loaded = -1;
  let cancelled = 0;

  for (let run = 1; run <= RUNS; run++) {
    const block = Math.floor((run - 1) / BLOCK);
    const full = block % 2 === 0;
    const which = Math.floor(block / 2) % 2;
    if (which !== loaded) {
      const c = cases[which];
      await page.getByTestId('file-input').setInputFiles([c.flair, c.mask]);
      await expect(page.getByTestId('case-title')).toHaveText(new RegExp(`soak${'AB'[which]}_FLAIR`));
      loaded = which;
    }
    if (run % 3 === 0 && (await page.getByTestId('beta-slider').count()) > 0) await setRange(page, 'beta-slider', run % 2 === 0 ? 1 : 2);
    if (!full) {
      // cancelled midway: once the first patches are done
      await page.getByTestId('segment-button').click();
      await expect(page.getByTestId('progress-text')).toHaveText(/^\d+ \/ \d+ patches/, { timeout: 120_000 });
      // a click in the page, so that a run that has just ended leaves nothing to wait for
      await page.evaluate(() => document.querySelector<HTMLButtonElement>('[data-testid="cancel-button"]')?.click());
      await expect(progress).not.toHaveAttribute('data-state', 'running', { timeout: 30_000 });
      if (/cancelled/.test((await page.getByTestId('notice').textContent().catch(() => '')) ?? '')) cancelled++;
    } else {
      await segmentAndWait(page, 3 * 60_000);
      const map = (await downloadVolume(page, 'download-probability')).volume.data;
      if (!maps[which]) maps[which] = map;
      else expect(maxAbsDiff(map, maps[which]!), `run ${run}: the map of case ${'AB'[which]}`).toBeLessThan(1e-6);
      const other = maps[1 - which];
      if (other) expect(maxAbsDiff(map, other), `run ${run}: not the other case's map`).toBeGreaterThan(0.1);
      if ((run - 1) % BLOCK === 0) fullBlocks.push([]);
      const memory = await workerMemory(page);
      fullBlocks.at(-1)!.push({ run, memory });
      console.log(`run ${run} (case ${'AB'[which]}): ${memory.numTensors} tensors (${(memory.numBytes / 2 ** 20).toFixed(2)} MiB), wasm heap ${((memory.wasmHeapBytes ?? 0) / 2 ** 20).toFixed(0)} MiB`);
    }
    if (run === 25) {
      // a fine-tune started and stopped once it runs; then the shipped model again
      const shippedModel = await page.getByTestId('model-select').inputValue();
      const status = page.getByTestId('finetune-status');
      await setRange(page, 'finetune-steps', 50);
      await page.getByTestId('finetune-button').click();
      await expect(status).toHaveAttribute('data-phase', 'running', { timeout: 120_000 });
      await page.getByTestId('finetune-stop').click();
      await expect(status).toHaveAttribute('data-phase', /stopped|done/, { timeout: 5 * 60_000 });
      await page.getByTestId('model-select').selectOption(shippedModel);
    }
    if (run % BLOCK === 0) {
      heaps.push({ run, bytes: await pageHeapBytes() });
      console.log(`after run ${run}: page JS heap ${(heaps.at(-1)!.bytes / 2 ** 20).toFixed(1)} MiB, ${cancelled} cancels so far`);
    }
  }
  expect(errors).toEqual([]);
  await expect(page.getByTestId('error-message')).toHaveCount(0);
  expect(cancelled, 'cancels that stopped a run midway').toBeGreaterThanOrEqual(Math.floor(RUNS / 4));
  const first = fullBlocks[0];
  for (const blockRuns of fullBlocks) {
    for (const c of blockRuns) {
      expect(c.memory.numTensors, `tensors after run ${c.run}`).toBe(blockRuns[0].memory.numTensors);
      expect(c.memory.numBytes, `tensor bytes after run ${c.run}`).toBe(blockRuns[0].memory.numBytes);
      // one model in memory: every block holds what the first did (a preload racing the first run's
      // model load once left the demo's model beside it: 144 tensors in the first block)
      expect(c.memory.numTensors, `tensors after run ${c.run} against the first block`).toBe(first[0].memory.numTensors);
    }
    const [a, z] = [blockRuns[0].memory.wasmHeapBytes, blockRuns.at(-1)!.memory.wasmHeapBytes];
    if (a !== null && z !== null) expect(z, `wasm heap at the end of the block from run ${blockRuns[0].run}`).toBeLessThanOrEqual(a * 1.25);
  }
  const [warm, ...later] = heaps;
  for (const h of later) expect(h.bytes, `page JS heap after run ${h.run}`).toBeLessThan(warm.bytes * 1.2 + 8 * 2 ** 20);
});
