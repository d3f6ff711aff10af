import { afterAll, describe, expect, it } from 'vitest';
import { throwOnXnnpackFailures } from '../../src/model/backend.ts';

describe('XNNPACK failure guard of the wasm backend', () => {
  const original = console.warn;
  afterAll(() => {
    console.warn = original;
  });

  it('turns the "XNN status ... not successful" print into a thrown error, passes other warnings on', () => {
    const seen: unknown[][] = [];
    console.warn = (...args: unknown[]) => void seen.push(args);
    throwOnXnnpackFailures();
    throwOnXnnpackFailures(); // idempotent: no second wrapper
    const failure = 'XNN status for xnn_create_convolution2d_nhwc_f32 is not successful. Got status 6. Use -c dbg to see XNN logs.';
    expect(() => console.warn(failure)).toThrow(/failed inside XNNPACK .*status 6.*smaller patches or batches/);
    console.warn('an ordinary warning', 1);
    expect(seen).toEqual([['an ordinary warning', 1]]);
  });
});
