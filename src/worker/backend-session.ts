/**
 * The worker's tfjs backend: start the first usable one of an order (via selectBackend, which logs
 * why each earlier one was skipped), describe its adapter, and watch a WebGPU device for loss and
 * out-of-memory errors.
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendName, selectBackend } from '../model/backend.ts';
import { isSoftwareAdapter, type SoftwareGpuPolicy } from './protocol.ts';

/** The running backend and what the page shows about it. */
export interface BackendInfo {
  name: BackendName;
  adapter: string;
  /** A GPU backend emulated on the CPU (SwiftShader): a batch can take minutes. */
  softwareGpu: boolean;
  fallbacks: string[];
}

/** GPU errors seen since the last `takeGpuError`, and whether the device was lost. */
export interface DeviceWatch {
  lost: string | null;
  error: { kind: 'out-of-memory' | 'validation' | 'internal'; message: string } | null;
}

/**
 * Starts the first backend of `order` that initialises. Throws (with every skipped backend's reason
 * in the message) when none does. With 'prefer-wasm', a GPU backend whose adapter is a software
 * fallback (SwiftShader) is passed over for wasm, with the reason in `fallbacks`: on this project's
 * 2-core CPU a 64^3 crop took ~13 min on SwiftShader's WebGPU and ~13 s on wasm.
 */
export async function startBackend(order: readonly BackendName[], policy: SoftwareGpuPolicy = 'use'): Promise<BackendInfo> {
  const fallbacks: string[] = [];
  const log = (line: string) => fallbacks.push(line);
  try {
    const name = await selectBackend(order, log);
    const adapter = await describeAdapter(name);
    const softwareGpu = (name === 'webgpu' || name === 'webgl') && isSoftwareAdapter(adapter);
    if (softwareGpu && policy === 'prefer-wasm' && await startWasm(log)) {
      log(`backend ${name} passed over: its adapter, ${adapter}, is a software GPU running on the CPU, where wasm is much faster; ?backend=${name} forces it`);
      return { name: 'wasm', adapter: await describeAdapter('wasm'), softwareGpu: false, fallbacks };
    }
    return { name, adapter, softwareGpu, fallbacks };
  } catch (error) {
    const reasons = fallbacks.length > 0 ? ` (${fallbacks.join('; ')})` : '';
    throw new BackendStartError(`${(error as Error).message}${reasons}`, fallbacks);
  }
}

/** Switches to wasm; false (with the reason logged) when it cannot start, leaving the backend as it was. */
async function startWasm(log: (line: string) => void): Promise<boolean> {
  const previous = tf.getBackend();
  try {
    await selectBackend(['wasm'], log);
    return true;
  } catch {
    await tf.setBackend(previous);
    return false;
  }
}

/** No backend of the order could start. */
export class BackendStartError extends Error {
  constructor(message: string, readonly fallbacks: string[]) {
    super(message);
  }
}

/** The GPUDevice behind tfjs's webgpu backend, when that backend is active. */
function webgpuDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GPUDevice }).device ?? null;
}

/**
 * Watches the active WebGPU device: `onLost` runs once if it is lost (driver reset, destroy());
 * out-of-memory and validation errors are recorded in the returned object. No-op on other backends.
 */
export function watchDevice(onLost: (message: string) => void): DeviceWatch {
  const watch: DeviceWatch = { lost: null, error: null };
  const device = webgpuDevice();
  if (!device) return watch;
  void device.lost.then((info) => {
    watch.lost = `${info.reason ?? 'unknown'}${info.message ? `: ${info.message}` : ''}`;
    onLost(watch.lost);
  });
  device.addEventListener('uncapturederror', (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    const kind = error.constructor.name === 'GPUOutOfMemoryError' ? 'out-of-memory'
      : error.constructor.name === 'GPUValidationError' ? 'validation' : 'internal';
    watch.error ??= { kind, message: error.message };
  });
  return watch;
}

/** Destroys the active WebGPU device (tests and the ?debug page use it to rehearse a device loss). */
export function destroyWebgpuDevice(): boolean {
  const device = webgpuDevice();
  device?.destroy();
  return device !== null;
}

/** A one-line description of what runs the backend, e.g. "WebGPU: google swiftshader (fallback adapter)". */
async function describeAdapter(name: BackendName): Promise<string> {
  try {
    if (name === 'webgpu') return await describeWebgpu();
    if (name === 'webgl') return describeWebgl();
    if (name === 'wasm') return 'WebAssembly on the CPU';
    return 'plain JavaScript on the CPU';
  } catch {
    return 'unknown adapter';
  }
}

async function describeWebgpu(): Promise<string> {
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return 'unknown adapter';
  const info = (adapter as unknown as { info?: GPUAdapterInfo }).info ?? {} as Partial<GPUAdapterInfo>;
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((p): p is string => !!p);
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter
    ?? (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const unique = [...new Set(parts)].join(' ') || 'unnamed adapter';
  return fallback ? `${unique} (fallback adapter)` : unique;
}

function describeWebgl(): string {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } }).gpgpu?.gl;
  if (!gl) return 'WebGL';
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  return String(renderer);
}
