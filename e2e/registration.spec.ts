/**
 * Registration in the page: a whole-head-sized phantom turned and shifted in its array goes through
 * elastix's WASM build inside the worker (pipeline files served by the app, no CDN) and the run
 * says so ("registered: rotation X°, shift Y mm") before the model runs; with the switch off it
 * says "not registered (registration off)". Both runs are cancelled once the line is there (the
 * whole-volume model run is what the CLI measurements cover).
 */
import { expect, test } from '@playwright/test';
import { generatePhantom } from '../src/core/phantom.ts';
import { moveInArray } from '../src/core/scan-variants.ts';
import { openApp, trackPageErrors } from './helpers/page.ts';
import { niftiFile } from './helpers/volumes.ts';

test('a turned head is registered in the worker, and the switch turns registration off', async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const errors = trackPageErrors(page);
  const { flair } = generatePhantom({ dims: [136, 160, 136], seed: 5 });
  const turned = moveInArray(flair, { rotateDeg: [0, 0, 12], shiftMm: [0, 6, 0] }, false);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  expect(await openApp(page, '?backend=wasm')).toBe('wasm');
  await page.getByTestId('file-input').setInputFiles([niftiFile('turned_FLAIR.nii.gz', turned)]);
  await expect(page.getByTestId('case-title')).toHaveText('turned_FLAIR.nii.gz');
  const toggle = page.getByTestId('register-toggle');
  await expect(toggle).toBeChecked();

  await page.getByTestId('segment-button').click();
  const note = page.getByTestId('run-note').first();
  await expect(note).toHaveText(/^registered: rotation \d+\.\d°, shift \d+\.\d mm/, { timeout: 180_000 });
  const rotation = Number(/rotation (\d+\.\d)°/.exec((await note.textContent()) ?? '')?.[1]);
  expect(rotation).toBeGreaterThan(1);
  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('progress')).not.toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  expect(requests.filter((u) => u.includes('/itk/elastix')).length).toBeGreaterThan(0);
  expect(requests.every((u) => new URL(u).hostname === '127.0.0.1' || u.startsWith('data:') || u.startsWith('blob:'))).toBe(true);

  await toggle.uncheck();
  await page.getByTestId('segment-button').click();
  await expect(page.getByTestId('run-note').first()).toHaveText('not registered (registration off)', { timeout: 60_000 });
  await page.getByTestId('cancel-button').click();
  await expect(page.getByTestId('progress')).not.toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  expect(errors).toEqual([]);
});
