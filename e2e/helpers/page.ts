/** Shared page helpers: error capture, dropping files, waiting for a run, downloads read back, screenshots. */
import { expect, type Page, type TestInfo } from '@playwright/test';
import { readNifti } from '../../src/core/nifti-io.ts';
import type { Volume } from '../../src/core/types.ts';
import type { FilePayload } from './volumes.ts';

/** Collects uncaught page errors (the tests assert there are none). */
export function trackPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) console.log(`[page console.error] ${message.text()}`);
  });
  return errors;
}

/** Opens the app and waits for the worker's backend. */
export async function openApp(page: Page, query = ''): Promise<string> {
  await page.goto(`./${query}`);
  const label = page.getByTestId('backend-label');
  await expect(label).toHaveText(/webgpu|webgl|wasm|cpu/, { timeout: 60_000 });
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-base', /.+/, { timeout: 30_000 });
  return (await label.textContent()) ?? '';
}

/** Drops files on the drop zone the way a browser does (a DataTransfer of File objects). */
export async function dropFiles(page: Page, files: FilePayload[]): Promise<void> {
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name));
    return dt;
  }, files.map((f) => ({ name: f.name, bytes: [...f.buffer] })));
  await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: transfer });
}

/** Waits for two animation frames: whatever the page changed (niivue included) has been drawn. */
export async function nextFrames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

/**
 * Presses Segment and waits for data-state done (failing fast on error). The new run is told by
 * its id (data-run), not by catching data-state running: a run of a few patches can be over
 * between two of the checks' polls on a busy machine.
 */
export async function segmentAndWait(page: Page, timeoutMs: number): Promise<void> {
  const progress = page.getByTestId('progress');
  const before = (await progress.getAttribute('data-run')) ?? '';
  await page.getByTestId('segment-button').click();
  await expect(progress).not.toHaveAttribute('data-run', before);
  await expect(progress).toHaveAttribute('data-state', /done|error/, { timeout: timeoutMs });
  if ((await progress.getAttribute('data-state')) === 'error') {
    throw new Error(`segmentation failed: ${await page.getByTestId('error-message').textContent()}`);
  }
  await expect(page.getByTestId('viewer')).toHaveAttribute('data-overlay-run', /[1-9]/);
}

/** Clicks a download button and reads the file back as a Volume. */
export async function downloadVolume(page: Page, testId: string): Promise<{ name: string; volume: Volume; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  return { name: download.suggestedFilename(), volume: readNifti(bytes, download.suggestedFilename()), bytes };
}

/** Clicks a download button and returns the text. */
export async function downloadText(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
}

/** Saves a full-page screenshot as a test artifact (test-results/e2e/...) and attaches it to the report. */
export async function snapshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await nextFrames(page);
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/** Dice of two 0/1 arrays. */
export function dice(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] > 0 ? 1 : 0;
    const y = b[i] > 0 ? 1 : 0;
    inter += x & y;
    sa += x;
    sb += y;
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
}

/**
 * Sets an input as a user's edit or drag does (an input event) and returns the ms until the text of
 * `watchTestId` changed (-1: it did not change within the event).
 */
export async function setInputTimed(page: Page, testId: string, value: number, watchTestId: string): Promise<number> {
  return page.evaluate(({ testId, value, watchTestId }) => {
    const input = document.querySelector(`[data-testid="${testId}"]`) as HTMLInputElement;
    const before = document.querySelector(`[data-testid="${watchTestId}"]`)?.textContent;
    const t0 = performance.now();
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(value));
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const after = document.querySelector(`[data-testid="${watchTestId}"]`)?.textContent;
    return after !== before ? performance.now() - t0 : -1;
  }, { testId, value, watchTestId });
}
