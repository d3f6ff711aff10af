/**
 * `npm run bench:browser -- [--backend webgpu|webgl|wasm|cpu] [--case DIR | --big 0.5|1 | --dims 182,218,182] [--speeds classic,fast]
 *   [--runs 1] [--overlap 0.5] [--mirror auto|on|off] [--patch-workers N] [--screenshot PAGE.png]`
 *
 * Times the built app in headless Chromium from pressing Segment to the overlay drawn, split into
 * model time and everything else (request, blank channels, fusion, lesion table, transfer,
 * overlay), as the page's Timing panel reports it, for each speed preset in turn (?speed=, one
 * page load each, one after the other in this run). The first run includes the model's start-up.
 * The scan:
 * - `--case DIR`: FLAIR, T1, T2 and lesion_mask .nii.gz (e.g. ../shared/data/open_ms_data/cases/patient07);
 *   the page's final masks are downloaded and compared: Dice against the reference and between the presets;
 * - `--big 0.5`: a 0.5 mm 512x512x350 int16 FLAIR (src/cli/big-phantom.ts: a small brain in a big field
 *   of view; `--big 1`: the same at 1 mm, 256x256x175);
 * - otherwise a generated FLAIR (the project's phantom) of `--dims`.
 * Every run reports the peak resident memory of the renderer (page + workers) and of the GPU process
 * while the scan loads and while it is segmented, sampled from /proc (helpers/process-memory.ts), and
 * the page's JS heap after the runs (CDP); docs/big-scans.md.
 * `--screenshot`: the whole page after the last run, as a user sees it (the lesion table, the notes).
 * Builds the app into dist-bench/ first. Writes test-results/bench-browser.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bigFlairPhantomBytes } from '../src/cli/big-phantom.ts';
import { confusionCounts, voxelMetrics } from '../src/core/metrics.ts';
import { readNifti, writeNifti } from '../src/core/nifti-io.ts';
import { generatePhantom } from '../src/core/phantom.ts';
import type { Vec3 } from '../src/core/types.ts';
import { referenceLesions } from '../src/core/volume.ts';
import { isSpeedPreset } from '../src/model/speed-presets.ts';
import { backendOf, openBuiltApp } from './helpers/built-app.ts';
import { downloadVolume } from './helpers/page.ts';
import { type MemoryPeaks, sampleBrowserMemory } from './helpers/process-memory.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string' }, dims: { type: 'string', default: '182,218,182' }, runs: { type: 'string', default: '1' }, case: { type: 'string' },
    speeds: { type: 'string', default: 'classic,fast' }, overlap: { type: 'string' }, 'patch-workers': { type: 'string' },
    port: { type: 'string', default: '4188' }, 'timeout-min': { type: 'string', default: '240' }, big: { type: 'string' }, mirror: { type: 'string' },
    screenshot: { type: 'string' },
  },
});
const runs = Number(values.runs);
const port = Number(values.port);
const timeoutMs = Number(values['timeout-min']) * 60_000;
const speeds = values.speeds!.split(',');
for (const s of speeds) if (!isSpeedPreset(s)) throw new Error(`--speeds: unknown preset ${s}`);
const big = values.big === undefined ? null : values.big === '1' ? 1 : 0.5;

const caseDir = values.case;
const t0 = performance.now();
const scan = (name: string, bytes: Uint8Array) => ({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
const files = caseDir
  ? ['FLAIR', 'T1', 'T2'].map((m) => scan(`${path.basename(caseDir)}_${m}.nii.gz`, readFileSync(path.join(caseDir, `${m}.nii.gz`))))
  : [scan('bench_FLAIR.nii.gz', big ? bigFlairPhantomBytes({ voxelMm: big })
    : writeNifti(generatePhantom({ dims: values.dims!.split(',').map(Number) as unknown as Vec3, seed: 3 }).flair, 'float32', { gzip: true }))];
const scanName = caseDir ?? (big ? `${big} mm big-phantom` : `phantom ${values.dims}`);
console.log(`${scanName}: ${files.length} file(s), ${(files.reduce((s, f) => s + f.buffer.length, 0) / 1e6).toFixed(1)} MB, ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const truth = caseDir ? referenceLesions(readNifti(readFileSync(path.join(caseDir, 'lesion_mask.nii.gz'))).data) : null;
const dice = (a: ArrayLike<number>, b: ArrayLike<number>) => voxelMetrics(confusionCounts(a, b)).dice;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const describePeaks = (p: MemoryPeaks) => `renderer ${mib(p.rendererBytes)}, GPU process ${mib(p.gpuBytes)}, all processes ${mib(p.allBytes)}`;

const queryFor = (speed: string) => {
  const query = new URLSearchParams({ speed });
  if (values.backend) query.set('backend', values.backend);
  if (values['patch-workers']) query.set('patch-workers', values['patch-workers']);
  if (values.mirror) query.set('mirror', values.mirror);
  return `?${query}`;
};
const app = await openBuiltApp('dist-bench', port, queryFor(speeds[0]));
try {
  const { page } = app;
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  const results: Record<string, unknown>[] = [];
  const masks = new Map<string, ArrayLike<number>>();
  const memory: Record<string, MemoryPeaks> = {};
  let heap = 0;
  for (const [s, speed] of speeds.entries()) {
    if (s > 0) await page.goto(`http://127.0.0.1:${port}/${queryFor(speed)}`);
    const backend = await backendOf(page);
    // the demo's automatic first run (not on software GPUs) is over before memory is sampled
    await page.locator('[data-testid="progress"]:not([data-state="running"])').waitFor({ timeout: timeoutMs });
    const sampler = sampleBrowserMemory();
    sampler.reset();
    await page.getByTestId('file-input').setInputFiles(files);
    await page.getByTestId('case-title').filter({ hasText: files[0].name }).waitFor({ timeout: 600_000 });
    await page.locator('[data-testid="viewer"][data-base*="file"]').waitFor({ timeout: 600_000 });
    memory[`${speed} load`] = sampler.reset();
    console.log(`${speed}: peak memory while the scan loads: ${describePeaks(memory[`${speed} load`])}`);
    if (values.overlap) await page.getByTestId('overlap-select').selectOption(values.overlap);
    for (let r = 0; r < runs; r++) {
      await page.getByTestId('segment-button').click();
      const progress = page.getByTestId('progress');
      await progress.and(page.locator('[data-state="running"]')).waitFor();
      await progress.and(page.locator('[data-state="done"], [data-state="error"]')).waitFor({ timeout: timeoutMs });
      if ((await progress.getAttribute('data-state')) === 'error') throw new Error(`run failed: ${await page.getByTestId('error-message').textContent()}`);
      await page.waitForFunction(() => JSON.parse(document.querySelector('[data-testid="timings"]')?.getAttribute('data-json') ?? '{}').totalMs !== null);
      const t = JSON.parse((await page.getByTestId('timings').getAttribute('data-json'))!);
      const peaks = sampler.reset();
      memory[`${speed} run${r + 1}`] = peaks;
      const lesions = Number(await page.getByTestId('lesion-count').textContent());
      let scores = '';
      if (truth && r === runs - 1) {
        const mask = (await downloadVolume(page, 'download-mask')).volume.data;
        masks.set(speed, mask);
        scores = `; Dice vs reference ${dice(mask, truth).toFixed(4)}`;
      }
      results.push({ speed, run: r + 1, backend, lesions, ...t, memory: peaks });
      console.log(`${speed} run ${r + 1} (${backend}): Segment -> overlay ${(t.totalMs / 1000).toFixed(2)} s; model ${(t.modelMs / 1000).toFixed(2)} s ` +
        `(${t.patches} patches, ${t.threads} thread${t.threads > 1 ? 's' : ''}${t.mirrored ? ', mirrored' : ''}); everything else ${t.otherMs.toFixed(0)} ms ` +
        `[fusion ${t.fusionMs.toFixed(0)}, lesions ${t.outcomeMs.toFixed(0)}, overlay ${t.overlayMs.toFixed(0)} ms]; ${lesions} lesions${scores}; ` +
        `peak memory ${describePeaks(peaks)}`);
    }
    sampler.stop();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = (await cdp.send('Performance.getMetrics').catch(() => ({ metrics: [] as { name: string; value: number }[] }))).metrics;
    heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    console.log(`${speed}: page JS heap after the runs (main thread, CDP; typed arrays' bytes are outside it): used ${mib(heap)}`);
  }
  if (values.screenshot) await page.screenshot({ path: values.screenshot, fullPage: true });
  const done = [...masks.entries()];
  for (let a = 0; a < done.length; a++) for (let b = a + 1; b < done.length; b++) console.log(`Dice of the ${done[a][0]} and ${done[b][0]} masks: ${dice(done[a][1], done[b][1]).toFixed(4)}`);
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/bench-browser.json', `${JSON.stringify({ case: scanName, big, memory, pageJsHeapBytes: heap, results }, null, 2)}\n`);
  console.log('wrote test-results/bench-browser.json');
} finally {
  await app.close();
}
