/**
 * `npm run check:crops -- [--data ../shared/data/open_ms_data] [--cases patient07,patient19] [--port 4189]`
 *
 * Issue 3's acceptance check replayed on the real cases at hand: 64^3 crops of each case's FLAIR
 * (the affine moved to the crop, as nibabel's slicer writes it) are given alone through the built
 * app's `file-input` in headless Chromium with WebGPU on; Segment; the mask from `download-mask`
 * is scored against the same crop of the case's lesion mask. Six places per case: the lesions'
 * centre of mass, 20 voxels off it four ways, and the volume's centre. The cases are training
 * cases of the shipped models, so the Dice is a training-set figure; what the check shows is that
 * the page's path (file reading, z-scoring, model choice, fusion, export) gives the CLI's result.
 * Builds the app into dist-check/ first.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { confusionCounts, voxelMetrics } from '../src/core/metrics.ts';
import { readNifti, writeNifti } from '../src/core/nifti-io.ts';
import { extractPatch } from '../src/core/patch-grid.ts';
import type { Vec3, Volume } from '../src/core/types.ts';
import { sameGrid } from '../src/core/volume.ts';
import { backendOf, openBuiltApp } from './helpers/built-app.ts';
import { downloadVolume, segmentAndWait } from './helpers/page.ts';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/data/open_ms_data' },
    cases: { type: 'string', default: 'patient07,patient19' },
    port: { type: 'string', default: '4189' },
  },
});
const EDGE = 64;
const SIZE: Vec3 = [EDGE, EDGE, EDGE];

/** The box at `start` as its own image: voxels copied, the affine's origin moved to the box. */
function crop(volume: Volume, start: Vec3): Volume {
  const affine = volume.affine.map((row) => [row[0], row[1], row[2], row[0] * start[0] + row[1] * start[1] + row[2] * start[2] + row[3]]);
  return { dims: SIZE, spacingMm: volume.spacingMm, affine, data: extractPatch(volume.data, volume.dims, { start, size: SIZE }), dataType: volume.dataType };
}

/** Crop starts: the lesions' centre of mass, 20 voxels off it four ways, the volume's centre. */
function cropStarts(truth: Volume): Vec3[] {
  const [nx, ny] = truth.dims;
  const sum = [0, 0, 0];
  let n = 0;
  for (let v = 0; v < truth.data.length; v++) {
    if (truth.data[v] <= 0) continue;
    sum[0] += v % nx;
    sum[1] += Math.floor(v / nx) % ny;
    sum[2] += Math.floor(v / (nx * ny));
    n++;
  }
  if (n === 0) throw new Error('the lesion mask is empty');
  const c = sum.map((s) => Math.round(s / n - EDGE / 2));
  const clamp = (s: number[]): Vec3 => s.map((x, axis) => Math.max(0, Math.min(truth.dims[axis] - EDGE, x))) as unknown as Vec3;
  return [c, [c[0] - 20, c[1], c[2]], [c[0] + 20, c[1], c[2]], [c[0], c[1] - 20, c[2] + 10], [c[0], c[1] + 20, c[2] - 10], truth.dims.map((d) => (d - EDGE) >> 1)].map(clamp);
}

const app = await openBuiltApp('dist-check', Number(values.port));
try {
  const { page } = app;
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  console.log(`backend ${await backendOf(page)}`);

  for (const name of values.cases!.split(',')) {
    const flair = readNifti(readFileSync(`${values.data}/cases/${name}/FLAIR.nii.gz`));
    const truth = readNifti(readFileSync(`${values.data}/cases/${name}/lesion_mask.nii.gz`));
    const dices: number[] = [];
    for (const [i, start] of cropStarts(truth).entries()) {
      const file = `${name}-crop${i}_FLAIR`;
      const cropped = crop(flair, start);
      const started = Date.now();
      await page.getByTestId('file-input').setInputFiles([{ name: `${file}.nii.gz`, mimeType: 'application/octet-stream', buffer: Buffer.from(writeNifti(cropped, flair.dataType, { gzip: true })) }]);
      await page.getByTestId('case-title').filter({ hasText: file }).waitFor({ timeout: 120_000 });
      await segmentAndWait(page, 30 * 60_000);
      const mask = (await downloadVolume(page, 'download-mask')).volume;
      const affineKept = sameGrid(mask, cropped, 1e-4);
      const m = voxelMetrics(confusionCounts(mask.data, crop(truth, start).data));
      dices.push(m.dice);
      console.log(`${file} (start ${start.join(',')}): Dice ${m.dice.toFixed(3)} precision ${m.precision.toFixed(3)} recall ${m.recall.toFixed(3)}; ` +
        `model ${await page.getByTestId('model-select').inputValue()}; grid and affine kept ${affineKept}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    console.log(`${name}: mean Dice ${(dices.reduce((a, b) => a + b, 0) / dices.length).toFixed(3)} over ${dices.length} crops`);
  }
  console.log(`page errors: ${pageErrors.length === 0 ? 'none' : pageErrors.join(' | ')}`);
} finally {
  await app.close();
}
