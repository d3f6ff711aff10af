/**
 * Peak memory of the browser this process launched, sampled from /proc (Linux): the resident set of
 * each Chromium process below this Node process, by kind (the renderer, which runs the page and its
 * workers; the GPU process, which holds niivue's textures). RSS counts shared pages in each process,
 * so the kinds are reported apart, not summed.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface MemoryPeaks {
  /** Largest resident set of one renderer process, bytes. */
  rendererBytes: number;
  /** Largest resident set of the GPU process, bytes. */
  gpuBytes: number;
  /** Largest sum over all of the browser's processes (shared pages counted in each), bytes. */
  allBytes: number;
}

interface Proc { pid: number; ppid: number; rssBytes: number; kind: string }

function readProcs(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const kind = !/chrom/i.test(cmd) ? 'other' : (/--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser');
      out.push({ pid: Number(name), ppid, rssBytes: rssKb * 1024, kind });
    } catch {
      // the process ended while being read
    }
  }
  return out;
}

/** The processes below `root` (not `root` itself). */
function descendants(procs: Proc[], root: number): Proc[] {
  const below = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) if (!below.has(p.pid) && below.has(p.ppid)) { below.add(p.pid); grew = true; }
  }
  return procs.filter((p) => p.pid !== root && below.has(p.pid));
}

/** Samples every `everyMs` until `stop()`, which returns the peaks (and `reset()` starts new ones). */
export function sampleBrowserMemory(everyMs = 200): { stop: () => MemoryPeaks; reset: () => MemoryPeaks } {
  let peaks: MemoryPeaks = { rendererBytes: 0, gpuBytes: 0, allBytes: 0 };
  const sample = () => {
    const chromium = descendants(readProcs(), process.pid).filter((p) => p.kind !== 'other');
    const renderer = Math.max(0, ...chromium.filter((p) => p.kind === 'renderer').map((p) => p.rssBytes));
    const gpu = Math.max(0, ...chromium.filter((p) => p.kind === 'gpu-process').map((p) => p.rssBytes));
    const all = chromium.reduce((sum, p) => sum + p.rssBytes, 0);
    peaks = { rendererBytes: Math.max(peaks.rendererBytes, renderer), gpuBytes: Math.max(peaks.gpuBytes, gpu), allBytes: Math.max(peaks.allBytes, all) };
  };
  const timer = setInterval(sample, everyMs);
  sample();
  const take = () => {
    sample();
    const out = peaks;
    peaks = { rendererBytes: 0, gpuBytes: 0, allBytes: 0 };
    return out;
  };
  return { stop: () => { clearInterval(timer); return take(); }, reset: take };
}
