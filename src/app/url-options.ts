/**
 * Options read from the page URL: `?backend=webgpu|webgl|wasm|cpu` forces one backend;
 * `?software-gpu=prefer-wasm|use` says whether a software-only GPU adapter (SwiftShader) is passed
 * over for wasm (default prefer-wasm); `?mirror=auto|on|off` sets the test-time mirroring the page
 * starts with (default auto); `?patch-workers=N` sets how many extra workers run patches on the wasm
 * and cpu backends (default one per extra core, at most 3; 0 computes in the one worker); `?debug` shows test hooks (simulated GPU failures) and a memory line; `?watchdog-s=N` sets after how many seconds
 * of silence the segmentation worker counts as unresponsive and is restarted (default 120, 0: never).
 */
import type { BackendName } from '../model/backend.ts';
import type { MirrorMode } from '../model/mirror-policy.ts';
import { DEFAULT_SPEED, isSpeedPreset, type SpeedPreset } from '../model/speed-presets.ts';
import type { SoftwareGpuPolicy } from '../worker/protocol.ts';
import { DEFAULT_WATCHDOG_TIMEOUT_MS } from './worker-watchdog.ts';

/** Backend names the URL may force (kept here so the page bundle does not import tfjs). */
const FORCEABLE: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const isBackendName = (value: string): value is BackendName => (FORCEABLE as readonly string[]).includes(value);
const MIRROR_MODES: readonly MirrorMode[] = ['auto', 'on', 'off'];
const isMirrorMode = (value: string | null): value is MirrorMode => (MIRROR_MODES as readonly (string | null)[]).includes(value);

/**
 * The order the worker tries backends in when the URL forces none (wasm on request, or in place of a
 * software-only GPU adapter: see DEFAULT_SOFTWARE_GPU_POLICY).
 */
export const DEFAULT_BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu'];

/**
 * Default for a software-only GPU adapter (SwiftShader, llvmpipe: a "GPU" emulated on the CPU):
 * 'prefer-wasm' runs on wasm instead, 'use' keeps the webgpu -> webgl -> cpu order literally.
 * Measured on a 2-core CPU: a 64^3 crop took ~13 min on SwiftShader's WebGPU and ~13 s on wasm,
 * so wasm is the default there; a real GPU is always used. A forced ?backend= is always honoured.
 */
export const DEFAULT_SOFTWARE_GPU_POLICY: SoftwareGpuPolicy = 'prefer-wasm';

export interface UrlOptions {
  backendOrder: BackendName[];
  /** The backend named by ?backend=, when valid. */
  forcedBackend: BackendName | null;
  /** A ?backend= value that names no backend (reported on the page). */
  invalidBackend: string | null;
  softwareGpu: SoftwareGpuPolicy;
  /** The mirroring setting the page starts with (the Segment panel can change it). */
  mirror: MirrorMode;
  /** How a volume is tiled (?speed=fast|classic; src/model/speed-presets.ts). */
  speed: SpeedPreset;
  /** Patch workers for CPU backends; null: the worker's default. */
  patchWorkers: number | null;
  debug: boolean;
  /** Silence (ms) after which the worker is restarted (worker-watchdog.ts); 0: never. */
  watchdogMs: number;
}

/**
 * Parses a query string.
 * @example parseUrlOptions('?backend=cpu').backendOrder // ['cpu']
 */
export function parseUrlOptions(search: string): UrlOptions {
  const params = new URLSearchParams(search);
  const raw = params.get('backend');
  const debug = params.has('debug');
  const policy = params.get('software-gpu');
  const softwareGpu: SoftwareGpuPolicy = policy === 'prefer-wasm' || policy === 'use' ? policy : DEFAULT_SOFTWARE_GPU_POLICY;
  const mirrorValue = params.get('mirror');
  const mirror: MirrorMode = isMirrorMode(mirrorValue) ? mirrorValue : 'auto';
  const workersValue = params.get('patch-workers');
  const patchWorkers = workersValue !== null && /^[0-8]$/.test(workersValue) ? Number(workersValue) : null;
  const speedValue = params.get('speed');
  const speed = isSpeedPreset(speedValue) ? speedValue : DEFAULT_SPEED;
  const watchdogValue = params.get('watchdog-s');
  const watchdogMs = watchdogValue !== null && /^\d{1,4}$/.test(watchdogValue) ? 1000 * Number(watchdogValue) : DEFAULT_WATCHDOG_TIMEOUT_MS;
  const common = { softwareGpu, mirror, speed, patchWorkers, debug, watchdogMs };
  if (raw === null || raw === '') return { backendOrder: [...DEFAULT_BACKEND_ORDER], forcedBackend: null, invalidBackend: null, ...common };
  const value = raw.toLowerCase();
  if (!isBackendName(value)) return { backendOrder: [...DEFAULT_BACKEND_ORDER], forcedBackend: null, invalidBackend: raw, ...common };
  // a forced backend runs even on a software adapter
  return { backendOrder: [value], forcedBackend: value, invalidBackend: null, ...common, softwareGpu: 'use' };
}
