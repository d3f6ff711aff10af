/**
 * Options read from the page URL: `?backend=webgpu|webgl|wasm|cpu` forces one backend;
 * `?software-gpu=prefer-wasm|use` says whether a software-only WebGPU adapter (SwiftShader) is
 * passed over for wasm; `?debug` shows test hooks (simulated GPU failures).
 */
import type { BackendName } from '../model/backend.ts';
import type { SoftwareGpuPolicy } from '../worker/protocol.ts';

/** Backend names the URL may force (kept here so the page bundle does not import tfjs). */
const FORCEABLE: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
const isBackendName = (value: string): value is BackendName => (FORCEABLE as readonly string[]).includes(value);

/** The order the worker tries backends in when the URL forces none (wasm only on request). */
export const DEFAULT_BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'cpu'];

/**
 * Default for a software-only WebGPU adapter: 'use' follows the webgpu -> webgl -> cpu order
 * literally; 'prefer-wasm' runs on wasm instead (the light model: ~0.5 s per 32^3 patch on wasm
 * against ~20-60 s on SwiftShader's WebGPU on a 2-core machine).
 */
export const DEFAULT_SOFTWARE_GPU_POLICY: SoftwareGpuPolicy = 'use';

export interface UrlOptions {
  backendOrder: BackendName[];
  /** The backend named by ?backend=, when valid. */
  forcedBackend: BackendName | null;
  /** A ?backend= value that names no backend (reported on the page). */
  invalidBackend: string | null;
  softwareGpu: SoftwareGpuPolicy;
  debug: boolean;
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
  const common = { softwareGpu, debug };
  if (raw === null || raw === '') return { backendOrder: [...DEFAULT_BACKEND_ORDER], forcedBackend: null, invalidBackend: null, ...common };
  const value = raw.toLowerCase();
  if (!isBackendName(value)) return { backendOrder: [...DEFAULT_BACKEND_ORDER], forcedBackend: null, invalidBackend: raw, ...common };
  return { backendOrder: [value], forcedBackend: value, invalidBackend: null, ...common };
}
