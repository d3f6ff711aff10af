import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../src/core/phantom.ts';
import { brainMaskFrom } from '../../src/core/normalize.ts';
import { brainVolumeWarning, brightTailRatio, flairContrastWarning, registrationWarning } from '../../src/core/scan-checks.ts';

describe('brightTailRatio', () => {
  it('is (p99 - p50) / (p50 - p1): 1 for 0..99, and the same after a scale and an offset', () => {
    const values = Float32Array.from({ length: 100 }, (_, i) => i);
    const brain = new Uint8Array(100).fill(1);
    expect(brightTailRatio(values, brain)).toBeCloseTo((99 - 50) / (50 - 1), 9);
    expect(brightTailRatio(values.map((x) => 3.7 * x + 40), brain)).toBeCloseTo((99 - 50) / (50 - 1), 5);
  });
  it('tells a T2 (CSF bright) from a FLAIR (CSF dark) on the phantom', () => {
    const { flair, t2 } = generatePhantom({ dims: [64, 76, 64], seed: 2 });
    const brain = brainMaskFrom(flair);
    expect(flairContrastWarning(flair.data, brain)).toBeNull();
    expect(flairContrastWarning(t2.data, brain)).toMatch(/does not look like a FLAIR/);
  });
});

describe('brainVolumeWarning and registrationWarning', () => {
  it('flags FLAIR > 0 over more than 2.5 L, not a 1.2 L brain', () => {
    const brain = (ml: number) => Uint8Array.from({ length: 3_000_000 }, (_, v) => (v < ml * 1000 ? 1 : 0));
    expect(brainVolumeWarning(brain(1200), [1, 1, 1])).toBeNull();
    expect(brainVolumeWarning(brain(2600), [1, 1, 1])).toMatch(/2\.6 L.*not look skull-stripped/);
  });
  it('flags a poor overlap with the template and an implausible rotation', () => {
    expect(registrationWarning(0.9, 12)).toBeNull();
    expect(registrationWarning(0.5, 3)).toMatch(/overlaps the template's by 50%/);
    expect(registrationWarning(0.9, 75)).toMatch(/rotation 75°/);
  });
});
