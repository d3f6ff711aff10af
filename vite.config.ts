import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The page (React + niivue) and the segmentation worker (tfjs) are separate bundles; the wasm
// backend's binaries are emitted as assets through `?url` imports in src/worker/wasm-paths.ts.
// `dcm2niix-wasm/...` reaches the Emscripten glue and binary of @niivue/dcm2niix, which its exports
// map hides (src/worker/dcm2niix-browser.ts).
export default defineConfig({
  base: './',
  resolve: {
    alias: { 'dcm2niix-wasm': fileURLToPath(new URL('./node_modules/@niivue/dcm2niix/dist', import.meta.url)) },
  },
  plugins: [react()],
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
