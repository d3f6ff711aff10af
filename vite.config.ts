import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The page (React + niivue) and the segmentation worker (tfjs) are separate bundles; the wasm
// backend's binaries are emitted as assets through `?url` imports in src/worker/wasm-paths.ts.
export default defineConfig({
  base: './',
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
