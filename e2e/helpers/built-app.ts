/**
 * The built app in headless Chromium, for the scripts outside the Playwright suite (the browser
 * bench, the check on real crops): build into `outDir`, serve it with `vite preview`, open a page.
 */
import { execSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from '@playwright/test';

export interface BuiltApp {
  browser: Browser;
  page: Page;
  /** Closes the browser and stops the server. */
  close(): Promise<void>;
}

/** Builds and serves the app, launches Chromium with WebGPU on and opens `query` on the app's page. */
export async function openBuiltApp(outDir: string, port: number, query = ''): Promise<BuiltApp> {
  execSync(`npx vite build --logLevel warn --outDir ${outDir} --emptyOutDir`, { stdio: 'inherit' });
  const server = spawn(`npx vite preview --outDir ${outDir} --port ${port} --strictPort --host 127.0.0.1`, { shell: true, stdio: 'ignore', detached: true });
  const stopServer = () => {
    try {
      process.kill(-server.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('exit', stopServer);
  const systemChromium = '/usr/bin/chromium';
  const browser = await chromium.launch({
    executablePath: existsSync(systemChromium) ? systemChromium : undefined,
    args: ['--enable-unsafe-webgpu', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  // the server takes a few seconds to listen
  for (let attempt = 0; ; attempt++) {
    try {
      await page.goto(`http://127.0.0.1:${port}/${query}`);
      break;
    } catch (error) {
      if (attempt > 30) {
        await browser.close();
        stopServer();
        throw error;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return {
    browser, page,
    close: async () => {
      await browser.close();
      stopServer();
    },
  };
}

/** Waits for the worker's backend and returns "name (adapter)". */
export async function backendOf(page: Page): Promise<string> {
  const label = page.getByTestId('backend-label');
  await label.filter({ hasText: /webgpu|webgl|wasm|cpu/ }).waitFor({ timeout: 120_000 });
  return `${await label.textContent()} (${await page.getByTestId('backend-adapter').textContent()})`;
}
