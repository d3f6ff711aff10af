/**
 * Fine-tuning in the browser: a few steps on the real WebGPU backend (SwiftShader here: minutes per
 * step) report a finite loss and save the tuned model; on wasm, the demo tuned at beta 1 and at
 * beta 2 and segmented again, with precision and recall before and after (the README's figures);
 * the tuned model's downloaded files, loaded back after a reset, give the same operating points.
 */
import { expect, type Page, test } from '@playwright/test';
import { openApp, segmentAndWait, snapshot, trackPageErrors } from './helpers/page.ts';

async function setRange(page: Page, testId: string, value: number): Promise<void> {
  await page.getByTestId(testId).evaluate((input, v) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(v));
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

async function fineTune(page: Page, steps: number, timeoutMs: number): Promise<number> {
  await setRange(page, 'finetune-steps', steps);
  const status = page.getByTestId('finetune-status');
  const run = Number(await status.getAttribute('data-run')) + 1;
  await page.getByTestId('finetune-button').click();
  await expect(status).toHaveAttribute('data-run', String(run), { timeout: 120_000 });
  await expect(status).toHaveAttribute('data-phase', /done|failed/, { timeout: timeoutMs });
  expect(await status.getAttribute('data-phase'), (await status.textContent()) ?? '').toBe('done');
  expect(Number(await status.getAttribute('data-step'))).toBe(steps);
  return Number(await status.getAttribute('data-loss'));
}

async function precisionRecall(page: Page, beta: number): Promise<string> {
  await setRange(page, 'beta-slider', beta);
  const p = await page.getByTestId('metric-precision').textContent();
  const r = await page.getByTestId('metric-recall').textContent();
  return `P ${p} R ${r}`;
}

test('WebGPU: fine-tuning runs 3 steps, reports a finite loss and saves the tuned model', async ({ page }, testInfo) => {
  test.setTimeout(30 * 60_000);
  const errors = trackPageErrors(page);
  expect(await openApp(page, '?backend=webgpu')).toBe('webgpu');
  const started = Date.now();
  const loss = await fineTune(page, 3, 28 * 60_000);
  console.log(`WebGPU fine-tuning: 3 steps in ${((Date.now() - started) / 1000).toFixed(0)} s, last loss ${loss}`);
  expect(Number.isFinite(loss)).toBe(true);
  expect(loss).toBeGreaterThanOrEqual(0);
  expect(loss).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('finetune-evals').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('tuned-saved')).toContainText('saved in this browser', { timeout: 60_000 });
  await expect(page.getByTestId('model-select')).toHaveValue('tuned');
  await snapshot(page, testInfo, 'finetune-01-webgpu-3-steps');
  expect(errors).toEqual([]);
});

test('wasm: the demo tuned at beta 1 and at beta 2, segmented again, the tuned model downloaded, reset and loaded back', async ({ page }, testInfo) => {
  test.setTimeout(30 * 60_000);
  const errors = trackPageErrors(page);
  // every run in this spec is not mirrored (half the model time; the spec is about fine-tuning)
  expect(await openApp(page, '?backend=wasm&mirror=off')).toBe('wasm');
  await expect(page.getByTestId('metric-precision')).toHaveText(/^[01]\.\d{3}$/, { timeout: 5 * 60_000 });
  const before = `beta 1: ${await precisionRecall(page, 1)}; beta 2: ${await precisionRecall(page, 2)}`;
  const lines = [`shipped fbeta15-light: ${before}`];
  for (const beta of [1, 2]) {
    await page.getByTestId('model-select').selectOption('fbeta15-light');
    await setRange(page, 'beta-slider', beta);
    const t0 = Date.now();
    const loss = await fineTune(page, 30, 20 * 60_000);
    const seconds = (Date.now() - t0) / 1000;
    // one "step P R Dice" entry per evaluation row
    const evals = await page.getByTestId('finetune-evals').locator('tbody tr')
      .evaluateAll((rows) => rows.map((row) => Array.from((row as HTMLTableRowElement).cells, (cell) => cell.textContent).join(' ')));
    await segmentAndWait(page, 5 * 60_000);
    await expect(page.getByTestId('metric-precision')).toHaveText(/^[01]\.\d{3}$/);
    lines.push(`tuned 30 steps at beta ${beta} (${seconds.toFixed(0)} s, last loss ${loss.toFixed(3)}, held-out ${evals.join(' | ')}): ` +
      `beta 1: ${await precisionRecall(page, 1)}; beta 2: ${await precisionRecall(page, 2)}`);
    await snapshot(page, testInfo, `finetune-0${beta + 1}-wasm-beta-${beta}`);
  }
  for (const line of lines) console.log(line);
  testInfo.annotations.push({ type: 'fine-tuning demo', description: lines.join('\n') });

  // download the tuned model's files, reset to the shipped model, load the files back
  const tunedAtBeta2 = `beta 1: ${await precisionRecall(page, 1)}; beta 2: ${await precisionRecall(page, 2)}`;
  const saved: string[] = [];
  const bothDownloaded = new Promise<void>((resolve) => {
    page.on('download', async (download) => {
      const file = testInfo.outputPath(download.suggestedFilename());
      await download.saveAs(file);
      saved.push(file);
      if (saved.length === 2) resolve();
    });
  });
  await page.getByTestId('tuned-download').click();
  await bothDownloaded;
  expect(saved.map((f) => f.split('/').pop()).sort()).toEqual(['model.json', 'tuned.weights.bin']);
  await page.getByTestId('tuned-reset').click();
  await expect(page.getByTestId('tuned-saved')).toHaveText('No tuned model saved in this browser.');
  await expect(page.getByTestId('model-select')).toHaveValue('fbeta15-light');
  await segmentAndWait(page, 5 * 60_000);
  await expect(page.getByTestId('metric-precision')).toHaveText(/^[01]\.\d{3}$/);
  const shippedAgain = `beta 1: ${await precisionRecall(page, 1)}; beta 2: ${await precisionRecall(page, 2)}`;
  expect(`shipped fbeta15-light: ${shippedAgain}`).toBe(lines[0]);

  await page.getByTestId('tuned-file-input').setInputFiles(saved);
  await expect(page.getByTestId('tuned-saved')).toContainText('saved in this browser', { timeout: 60_000 });
  await page.getByTestId('model-select').selectOption('tuned');
  await segmentAndWait(page, 5 * 60_000);
  await expect(page.getByTestId('metric-precision')).toHaveText(/^[01]\.\d{3}$/);
  // the loaded files are the model tuned at beta 2: the same operating points as before the reset
  expect(`beta 1: ${await precisionRecall(page, 1)}; beta 2: ${await precisionRecall(page, 2)}`).toBe(tunedAtBeta2);
  await snapshot(page, testInfo, 'finetune-04-tuned-files-loaded-back');
  expect(errors).toEqual([]);
});
