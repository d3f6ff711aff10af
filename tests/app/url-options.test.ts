import { describe, expect, it } from 'vitest';
import { etaSeconds, formatMl, formatSeconds, formatThreshold } from '../../src/app/format.ts';
import { DEFAULT_BACKEND_ORDER, parseUrlOptions } from '../../src/app/url-options.ts';

describe('parseUrlOptions', () => {
  it('tries webgpu, webgl, cpu by default', () => {
    expect(parseUrlOptions('')).toEqual({ backendOrder: ['webgpu', 'webgl', 'cpu'], forcedBackend: null, invalidBackend: null, softwareGpu: 'prefer-wasm', mirror: 'auto', speed: 'fast', patchWorkers: null, debug: false, watchdogMs: 120_000 });
    expect(DEFAULT_BACKEND_ORDER).toEqual(['webgpu', 'webgl', 'cpu']);
  });

  it('reads the watchdog silence in seconds, 0 turning it off, and ignores other values', () => {
    expect(parseUrlOptions('?watchdog-s=8').watchdogMs).toBe(8000);
    expect(parseUrlOptions('?watchdog-s=0').watchdogMs).toBe(0);
    expect(parseUrlOptions('?watchdog-s=-3').watchdogMs).toBe(120_000);
    expect(parseUrlOptions('?watchdog-s=fast').watchdogMs).toBe(120_000);
  });

  it('forces one backend with ?backend=', () => {
    expect(parseUrlOptions('?backend=cpu').backendOrder).toEqual(['cpu']);
    expect(parseUrlOptions('?backend=WebGL&debug').backendOrder).toEqual(['webgl']);
    expect(parseUrlOptions('?backend=wasm').forcedBackend).toBe('wasm');
    expect(parseUrlOptions('?debug').debug).toBe(true);
  });

  it('reads the software-GPU policy: wasm rather than a software GPU unless told otherwise', () => {
    expect(parseUrlOptions('?software-gpu=use').softwareGpu).toBe('use');
    expect(parseUrlOptions('?software-gpu=nonsense').softwareGpu).toBe('prefer-wasm');
  });

  it('reads the mirroring the page starts with; anything but auto, on or off leaves the default', () => {
    expect(parseUrlOptions('?mirror=off').mirror).toBe('off');
    expect(parseUrlOptions('?backend=wasm&mirror=on').mirror).toBe('on');
    expect(parseUrlOptions('?mirror=sometimes').mirror).toBe('auto');
    expect(parseUrlOptions('?mirror').mirror).toBe('auto');
  });

  it('reads the speed preset; anything but fast or classic leaves fast', () => {
    expect(parseUrlOptions('?speed=classic').speed).toBe('classic');
    expect(parseUrlOptions('?backend=wasm&speed=fast').speed).toBe('fast');
    expect(parseUrlOptions('?speed=turbo').speed).toBe('fast');
  });

  it('reads the patch workers, 0 to 8; anything else leaves the default (null)', () => {
    expect(parseUrlOptions('?patch-workers=0').patchWorkers).toBe(0);
    expect(parseUrlOptions('?backend=wasm&patch-workers=3').patchWorkers).toBe(3);
    for (const bad of ['9', '-1', '1.5', 'two', '']) expect(parseUrlOptions(`?patch-workers=${bad}`).patchWorkers).toBeNull();
  });

  it('runs a forced backend even on a software adapter', () => {
    expect(parseUrlOptions('?backend=webgpu').softwareGpu).toBe('use');
    expect(parseUrlOptions('?backend=webgpu&software-gpu=prefer-wasm').softwareGpu).toBe('use');
  });

  it('reports an unknown backend and falls back to the default order', () => {
    const options = parseUrlOptions('?backend=cuda');
    expect(options.invalidBackend).toBe('cuda');
    expect(options.backendOrder).toEqual(['webgpu', 'webgl', 'cpu']);
  });
});

describe('format', () => {
  it('formats seconds, ETAs and volumes', () => {
    expect(formatSeconds(4.25)).toBe('4.3 s');
    expect(formatSeconds(42.4)).toBe('42 s');
    expect(formatSeconds(185)).toBe('3 min 05 s');
    expect(etaSeconds(10, 30, 20)).toBe(40);
    expect(etaSeconds(0, 30, 20)).toBeNull();
    expect(formatMl(0.01234)).toBe('0.012');
    expect(formatMl(12.3456)).toBe('12.35');
  });

  it('formats thresholds, spelling out those that crowd 1', () => {
    expect(formatThreshold(0.5)).toBe('0.500');
    expect(formatThreshold(0.9949)).toBe('0.995');
    expect(formatThreshold(1 - 4.5e-5)).toBe('1 − 4.5e-5');
    expect(formatThreshold(Infinity)).toBe('none');
  });
});
