import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

/** Debian's Chromium where it exists (.ci/run installs it); else Playwright's own browser. */
const systemChromium = '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 4179);
/**
 * The built app and the test results live in folders of their own per port, so that two runs on
 * one machine (E2E_PORT=4181 npx playwright test ...) never rebuild or overwrite each other's files.
 */
const distDir = `dist-e2e-${port}`;
const resultsDir = `test-results/e2e-${port}`;

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  // Two browsers at a time: the wasm backend runs on one thread (the page is not cross-origin
  // isolated), so a second test uses the second core. Tests tagged @solo measure latencies and run
  // alone, after the others. WebGPU here is SwiftShader on the CPU: generous timeouts.
  workers: 2,
  fullyParallel: true,
  projects: [
    { name: 'shared-cpu', grepInvert: /@solo/ },
    { name: 'solo', grep: /@solo/, dependencies: ['shared-cpu'] },
  ],
  timeout: 6 * 60_000,
  expect: { timeout: 30_000 },
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['html', { open: 'never', outputFolder: `${resultsDir}-report` }]],
  outputDir: resultsDir,
  use: {
    baseURL: `http://127.0.0.1:${port}/`,
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: existsSync(systemChromium) ? systemChromium : undefined,
      args: [
        '--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic',
      ],
    },
  },
  // e2e tests drive the built app only
  webServer: {
    command: `npx vite build --logLevel warn --outDir ${distDir} --emptyOutDir && npx vite preview --outDir ${distDir} --port ${port} --strictPort --host 127.0.0.1`,
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 180_000,
  },
});
