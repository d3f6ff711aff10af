/**
 * Correcting the reference mask with niivue's drawing tools (wasm, on the demo): a stroke drawn on
 * the axial slice adds voxels to the reference (the download holds them, on the scan's grid),
 * undo takes a stroke back, the metrics are re-scored against the edited reference, and the
 * model's own mask used as the reference scores Dice 1.
 */
import { expect, type Page, test } from '@playwright/test';
import { downloadVolume, nextFrames, openApp, snapshot, trackPageErrors } from './helpers/page.ts';

const sum = (data: ArrayLike<number>) => Array.from(data).reduce((a, b) => a + (b > 0.5 ? 1 : 0), 0);

/** A horizontal stroke through the middle of the viewer canvas (the axial slice at the crosshair). */
async function stroke(page: Page, dy: number): Promise<void> {
  const box = (await page.getByTestId('viewer-canvas').boundingBox())!;
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2 + dy];
  await page.mouse.move(cx - 80, cy);
  await page.mouse.down();
  for (let step = 1; step <= 16; step++) await page.mouse.move(cx - 80 + 10 * step, cy);
  await page.mouse.up();
  await nextFrames(page);
}

test('a reference corrected with the drawing tools becomes the reference of the metrics', async ({ page }, testInfo) => {
  test.setTimeout(6 * 60_000);
  const errors = trackPageErrors(page);
  // not mirrored: this spec is about the reference, and the demo's run on open takes half the time
  expect(await openApp(page, '?backend=wasm&mirror=off')).toBe('wasm');
  await expect(page.getByTestId('metric-recall')).toHaveText(/^[01]\.\d{3}$/, { timeout: 5 * 60_000 });
  const original = await downloadVolume(page, 'download-reference');
  const recallBefore = await page.getByTestId('metric-recall').textContent();
  await page.getByTestId('view-axial').click();

  // draw two strokes, undo the second, use the result as the reference
  await page.getByTestId('edit-seed').selectOption('reference');
  await page.getByTestId('edit-reference').click();
  await expect(page.getByTestId('reference-editor')).toHaveAttribute('data-editing', 'true');
  await page.getByTestId('overlay-visible').uncheck();
  await snapshot(page, testInfo, 'edit-01-reference-as-drawing');
  await stroke(page, 0);
  await snapshot(page, testInfo, 'edit-02-stroke');
  await page.getByTestId('overlay-visible').check();
  await stroke(page, 30);
  await page.getByTestId('draw-undo').click();
  await page.getByTestId('draw-apply').click();
  await expect(page.getByTestId('reference-editor')).toHaveAttribute('data-editing', 'false');
  await expect(page.getByText('demo_reference_edited.nii.gz')).toBeVisible();

  const edited = await downloadVolume(page, 'download-reference');
  expect(edited.volume.dims).toEqual(original.volume.dims);
  expect(edited.volume.affine).toEqual(original.volume.affine);
  const added = sum(edited.volume.data) - sum(original.volume.data);
  // one stroke of 160 px over a 64-voxel-wide slice: tens of voxels, not two strokes' worth
  expect(added).toBeGreaterThan(10);
  expect(added).toBeLessThan(200);
  for (let v = 0; v < original.volume.data.length; v++) {
    if (original.volume.data[v] > 0.5) expect(edited.volume.data[v]).toBe(1);
  }
  // the drawn voxels lie on one axial slice (constant k)
  const [nx, ny] = edited.volume.dims;
  const slices = new Set<number>();
  for (let v = 0; v < edited.volume.data.length; v++) {
    if (edited.volume.data[v] > 0.5 && !(original.volume.data[v] > 0.5)) slices.add(Math.floor(v / (nx * ny)));
  }
  expect(slices.size).toBe(1);
  // drawn voxels the model does not mark as lesion lower recall
  await expect.poll(() => page.getByTestId('metric-recall').textContent(), { timeout: 30_000 }).not.toBe(recallBefore);
  await snapshot(page, testInfo, 'edit-03-edited-reference');

  // the model's own mask as the reference: Dice 1 at the F-beta-optimal threshold
  await page.getByTestId('edit-seed').selectOption('segmentation');
  await page.getByTestId('edit-reference').click();
  await page.getByTestId('draw-apply').click();
  await expect.poll(async () => Number(await page.getByTestId('metric-dice').textContent()), { timeout: 30_000 }).toBeGreaterThan(0.99);
  expect(errors).toEqual([]);
});
