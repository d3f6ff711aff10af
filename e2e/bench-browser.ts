/**
 * `npm run bench:browser -- [--backend webgpu|webgl|wasm|cpu] [--dims 182,218,182] [--runs 2] [--overlap 0.5] [--patch-workers N]`
 *
 * Times the built app in headless Chromium from pressing Segment to the overlay drawn, for a
 * generated FLAIR (the project's phantom) of the given size, split into model time and everything
 * else (request, blank channels, fusion, lesion table, transfer, overlay), as the page's Timing
 * panel reports it. The first run includes the model's shader compilation; later runs are warm.
 * `--patch-workers N` opens the page with ?patch-workers=N (extra model copies on wasm and cpu).
 * `--big 0.5` loads instead a 0.5 mm 512x512x350 int16 FLAIR (src/cli/big-phantom.ts: a small brain in a
 * big field of view; `--big 1`: the same at 1 mm, 256x256x175) and reports the peak resident memory of the
 * renderer (page + workers) and of the GPU process while it loads and while it is segmented, sampled
 * from /proc (helpers/process-memory.ts), and the page's JS heap after the run (CDP); docs/big-scans.md.
 * Builds the app into dist-bench/ first. Writes test-results/bench-browser.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeNifti } from '../src/core/nifti-io.ts';
import { generatePhantom } from '../src/core/phantom.ts';
import type { Vec3 } from '../src/core/types.ts';
import { bigFlairPhantomBytes } from '../src/cli/big-phantom.ts';
import { backendOf, openBuiltApp } from './helpers/built-app.ts';
import { type MemoryPeaks, sampleBrowserMemory } from './helpers/process-memory.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string' }, dims: { type: 'string', default: '182,218,182' }, runs: { type: 'string', default: '2' },
    overlap: { type: 'string' }, 'patch-workers': { type: 'string' }, port: { type: 'string', default: '4188' }, 'timeout-min': { type: 'string', default: '240' },
    big: { type: 'string' }, mirror: { type: 'string' },
  },
});
const dims = values.dims!.split(',').map(Number) as unknown as Vec3;
const runs = Number(values.runs);
const port = Number(values.port);
const timeoutMs = Number(values['timeout-min']) * 60_000;

const query = new URLSearchParams();
if (values.backend) query.set('backend', values.backend);
if (values['patch-workers']) query.set('patch-workers', values['patch-workers']);
if (values.mirror) query.set('mirror', values.mirror);
const big = values.big === undefined ? null : values.big === '1' ? 1 : 0.5;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const describePeaks = (p: MemoryPeaks) => `renderer ${mib(p.rendererBytes)}, GPU process ${mib(p.gpuBytes)}, all processes ${mib(p.allBytes)}`;
const app = await openBuiltApp('dist-bench', port, query.size > 0 ? `?${query}` : '');
try {
  const { page } = app;
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  const t0 = performance.now();
  const flair = Buffer.from(big ? bigFlairPhantomBytes({ voxelMm: big }) : writeNifti(generatePhantom({ dims, seed: 3 }).flair, 'float32', { gzip: true }));
  console.log(`phantom ${big ? `${big} mm big-phantom` : dims.join('x')} generated in ${((performance.now() - t0) / 1000).toFixed(1)} s (${(flair.length / 1e6).toFixed(1)} MB .nii.gz)`);
  const backend = await backendOf(page);
  console.log(`backend ${backend}`);
  // the demo's automatic first run (not on software GPUs) is over before memory is sampled
  await page.locator('[data-testid="progress"]:not([data-state="running"])').waitFor({ timeout: timeoutMs });
  const sampler = sampleBrowserMemory();
  const memory: Record<string, MemoryPeaks> = { beforeLoad: sampler.reset() };
  await page.getByTestId('file-input').setInputFiles([{ name: 'bench_FLAIR.nii.gz', mimeType: 'application/octet-stream', buffer: flair }]);
  await page.getByTestId('case-title').filter({ hasText: 'bench_FLAIR' }).waitFor({ timeout: 600_000 });
  await page.locator('[data-testid="viewer"][data-base*="file"]').waitFor({ timeout: 600_000 });
  memory.load = sampler.reset();
  if (big) console.log(`peak memory while the scan loads: ${describePeaks(memory.load)}`);
  if (values.overlap) await page.getByTestId('overlap-select').selectOption(values.overlap);

  const results: Record<string, unknown>[] = [];
  for (let r = 0; r < runs; r++) {
    await page.getByTestId('segment-button').click();
    const progress = page.getByTestId('progress');
    await progress.and(page.locator('[data-state="running"]')).waitFor();
    await progress.and(page.locator('[data-state="done"], [data-state="error"]')).waitFor({ timeout: timeoutMs });
    if ((await progress.getAttribute('data-state')) === 'error') throw new Error(`run failed: ${await page.getByTestId('error-message').textContent()}`);
    const timings = page.getByTestId('timings');
    await page.waitForFunction(() => JSON.parse(document.querySelector('[data-testid="timings"]')?.getAttribute('data-json') ?? '{}').totalMs !== null);
    const t = JSON.parse((await timings.getAttribute('data-json'))!);
    memory[`run${r + 1}`] = sampler.reset();
    results.push({ run: r + 1, ...t, memory: memory[`run${r + 1}`] });
    if (big) console.log(`peak memory during run ${r + 1}: ${describePeaks(memory[`run${r + 1}`])}`);
    const pct = (100 * t.otherMs) / t.modelMs;
    console.log(`run ${r + 1}: Segment -> overlay ${(t.totalMs / 1000).toFixed(2)} s; model ${(t.modelMs / 1000).toFixed(2)} s (${t.patches} patches, ${t.threads} thread${t.threads > 1 ? 's' : ''}); ` +
      `everything else ${t.otherMs.toFixed(0)} ms = ${pct.toFixed(2)}% of model ` +
      `[request ${t.postMs.toFixed(0)}, worker start ${t.startMs.toFixed(0)}, load ${t.loadMs.toFixed(0)}, channels ${t.prepareMs.toFixed(0)}, fusion ${t.fusionMs.toFixed(0)}, ` +
      `lesions ${t.outcomeMs.toFixed(0)}, transfer ${t.transferMs.toFixed(0)}, overlay ${t.overlayMs.toFixed(0)} ` +
      `(page from result to overlay drawn ${t.afterResultMs.toFixed(0)}) ms]; ` +
      `at load: upload ${t.caseUploadMs?.toFixed(0)} ms, z-score ${t.casePrepareMs?.toFixed(0)} ms`);
  }
  sampler.stop();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = (await cdp.send('Performance.getMetrics').catch(() => ({ metrics: [] as { name: string; value: number }[] }))).metrics;
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  console.log(`page JS heap after the runs (main thread, CDP; typed arrays' bytes are outside it): used ${mib(heap)}`);
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/bench-browser.json', `${JSON.stringify({ dims, big, backend, memory, pageJsHeapBytes: heap, results }, null, 2)}\n`);
  console.log('wrote test-results/bench-browser.json');
} finally {
  await app.close();
}
