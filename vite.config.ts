import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

/** elastix's WASM pipeline (@itk-wasm/elastix), served and built as itk/* so the worker never reaches a CDN (src/worker/elastix-browser.ts). */
const ITK_PIPELINES = new URL('./node_modules/@itk-wasm/elastix/dist/pipelines/', import.meta.url);
const ITK_FILES = ['elastix.js', 'elastix.wasm.zst'];
function itkPipelines(): Plugin {
  return {
    name: 'itk-pipelines',
    configureServer(server) {
      server.middlewares.use('/itk', (req, res, next) => {
        const name = (req.url ?? '').slice(1).split('?')[0];
        if (!ITK_FILES.includes(name)) return next();
        res.setHeader('Content-Type', name.endsWith('.js') ? 'text/javascript' : 'application/octet-stream');
        res.end(readFileSync(new URL(name, ITK_PIPELINES)));
      });
    },
    generateBundle() {
      for (const name of ITK_FILES) this.emitFile({ type: 'asset', fileName: `itk/${name}`, source: readFileSync(new URL(name, ITK_PIPELINES)) });
    },
  };
}

// The page (React + niivue) and the segmentation worker (tfjs) are separate bundles; the wasm
// backend's binaries are emitted as assets through `?url` imports in src/worker/wasm-paths.ts.
// `dcm2niix-wasm/...` reaches the Emscripten glue and binary of @niivue/dcm2niix, which its exports
// map hides (src/worker/dcm2niix-browser.ts).
export default defineConfig({
  base: './',
  resolve: {
    alias: { 'dcm2niix-wasm': fileURLToPath(new URL('./node_modules/@niivue/dcm2niix/dist', import.meta.url)) },
  },
  plugins: [react(), itkPipelines()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  server: { port: 5173 },
  preview: { port: 4173 },
});
