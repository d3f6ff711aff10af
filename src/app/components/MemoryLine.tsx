/**
 * The ?debug page's memory line: on request, the worker's tfjs tensors and bytes, its wasm and JS
 * heaps, and the page's JS heap (Chromium's performance.memory), for spotting leaks over a long
 * session (e2e/soak.spec.ts reads its data-json).
 */
import { useState } from 'react';
import type { WorkerMemory } from '../../worker/protocol.ts';

const mb = (bytes: number | null): string => (bytes === null ? '—' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/** The page's used JS heap, bytes, where the browser reports it. */
function pageHeapBytes(): number | null {
  const memory = (performance as unknown as { memory?: { usedJSHeapSize?: number } }).memory;
  return typeof memory?.usedJSHeapSize === 'number' ? memory.usedJSHeapSize : null;
}

export function MemoryLine({ read }: { read: () => Promise<WorkerMemory | null> }) {
  const [shown, setShown] = useState<{ worker: WorkerMemory | null; pageHeapBytes: number | null; seq: number } | null>(null);
  const refresh = async () => {
    const worker = await read();
    setShown((last) => ({ worker, pageHeapBytes: pageHeapBytes(), seq: (last?.seq ?? 0) + 1 }));
  };
  const w = shown?.worker;
  return (
    <span className="row hint" data-testid="debug-memory" data-json={shown ? JSON.stringify(shown) : ''}>
      <button type="button" data-testid="debug-memory-refresh" onClick={() => void refresh()}>Memory</button>
      {w && `worker: ${w.numTensors} tensors, ${mb(w.numBytes)} (${w.backend}); wasm ${mb(w.wasmHeapBytes)}; JS heap ${mb(w.jsHeapBytes)}; page JS heap ${mb(shown.pageHeapBytes)}`}
    </span>
  );
}
