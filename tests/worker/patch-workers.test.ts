import { describe, expect, it } from 'vitest';
import { defaultPatchWorkers } from '../../src/worker/patch-workers.ts';

describe('defaultPatchWorkers', () => {
  it('leaves one core to the segmentation worker itself and starts at most 3', () => {
    expect([1, 2, 3, 4, 8, 16].map(defaultPatchWorkers)).toEqual([0, 1, 2, 3, 3, 3]);
    expect(defaultPatchWorkers(0)).toBe(0);
  });
});
