import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../src/core/phantom.ts';
import { brainMaskFrom } from '../../src/core/normalize.ts';
import { brainVolumeWarning, brightTailRatio, fineTextureRatio, flairContrastWarning, interpolatedFlairWarning, MIN_FINE_TEXTURE_RATIO, registrationWarning } from '../../src/core/scan-checks.ts';

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

describe('fineTextureRatio', () => {
  const n = 40;
  const dims: [number, number, number] = [n, n, n];
  /** A ball of radius 17 holding seeded uniform noise, 0 outside. */
  const ballBrain = Uint8Array.from({ length: n ** 3 }, (_, v) => {
    const i = v % n; const j = Math.floor(v / n) % n; const k = Math.floor(v / (n * n));
    return (i - 19.5) ** 2 + (j - 19.5) ** 2 + (k - 19.5) ** 2 < 17 ** 2 ? 1 : 0;
  });
  let seed = 12345;
  const noise = Float32Array.from(ballBrain, (b) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return b ? 100 + seed / 2 ** 31 : 0; });
  /** `x` filtered by `taps` along `axis` (0 outside the array). */
  const filtered = (x: Float32Array, axis: number, taps: number[]) => {
    const s = [1, n, n * n][axis];
    return Float32Array.from(x, (_, v) => taps.reduce((sum, t, d) => {
      const c = [v % n, Math.floor(v / n) % n, Math.floor(v / (n * n))][axis] + d - Math.floor(taps.length / 2);
      return sum + (c >= 0 && c < n ? t * x[v + (d - Math.floor(taps.length / 2)) * s] : 0);
    }, 0));
  };

  const near = (value: number, expected: number) => expect(Math.abs(value - expected)).toBeLessThan(0.08);
  /** The ball less its outer 2 voxels, where a filter mixes in the background's 0. */
  const inner = Uint8Array.from(ballBrain, (b, v) => {
    const i = v % n; const j = Math.floor(v / n) % n; const k = Math.floor(v / (n * n));
    return b && (i - 19.5) ** 2 + (j - 19.5) ** 2 + (k - 19.5) ** 2 < 15 ** 2 ? 1 : 0;
  });

  it('reads 3 on uncorrelated noise, 2 along an axis averaged over two voxels, 1.5 after [1 2 1] / 4 (hand-computed)', () => {
    // E[(x1 - 2 x0 + x-1)^2] / E[(x1 - x0)^2] from the autocorrelation R: (6 R0 - 8 R1 + 2 R2) / (2 R0 - 2 R1)
    // noise: R = 1, 0, 0 -> 6 / 2; two-voxel mean: R = 1/2, 1/4, 0 -> 1 / (1/2); [1 2 1] / 4: R = 6, 4, 1 (/16) -> 6 / 4
    near(fineTextureRatio(noise, ballBrain, dims), 3);
    const twoTap = filtered(noise, 0, [0.5, 0.5, 0]);
    near(fineTextureRatio(twoTap, inner, dims, [true, false, false]), 2);
    near(fineTextureRatio(twoTap, inner, dims, [false, true, true]), 3);
    let smooth = noise;
    for (const axis of [0, 1, 2]) smooth = filtered(smooth, axis, [0.25, 0.5, 0.25]);
    near(fineTextureRatio(smooth, inner, dims), 1.5);
    // scale and offset change nothing
    expect(fineTextureRatio(Float32Array.from(smooth, (x) => 3.7 * x + 40), inner, dims)).toBeCloseTo(fineTextureRatio(smooth, inner, dims), 4);
    expect(fineTextureRatio(noise, new Uint8Array(n ** 3), dims)).toBeNaN();
    expect(fineTextureRatio(noise, ballBrain, dims, [false, false, false])).toBeNaN();
  });

  it('warns under MIN_FINE_TEXTURE_RATIO only, saying whether the map was recalibrated', () => {
    expect(interpolatedFlairWarning(MIN_FINE_TEXTURE_RATIO, true)).toBeNull();
    expect(interpolatedFlairWarning(Number.NaN, true)).toBeNull();
    expect(interpolatedFlairWarning(1.26, true)).toMatch(/^the FLAIR looks interpolated.*ratio 1\.26.*its map was recalibrated/);
    expect(interpolatedFlairWarning(1.26, false)).toMatch(/raise the threshold/);
  });
});
