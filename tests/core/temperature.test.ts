import { describe, expect, it } from 'vitest';
import { createRng, randomNormal } from '../../src/core/random.ts';
import { fitTemperature, meanBinaryNll, TEMPERATURE_RANGE } from '../../src/core/temperature.ts';

describe('meanBinaryNll', () => {
  it('matches -log sigmoid by hand, and stays finite for huge logits', () => {
    // Positive at z = 0: log 2; negative at z = ln 3: -log(1 - 3/4) = log 4.
    expect(meanBinaryNll([0], [1])).toBeCloseTo(Math.log(2), 12);
    expect(meanBinaryNll([Math.log(3)], [0])).toBeCloseTo(Math.log(4), 12);
    expect(meanBinaryNll([0, Math.log(3)], [1, 0])).toBeCloseTo((Math.log(2) + Math.log(4)) / 2, 12);
    // Confidently wrong at z = 1000: the loss is 1000 nats, not Infinity.
    expect(meanBinaryNll([1000], [0])).toBeCloseTo(1000, 9);
    expect(meanBinaryNll([2], [1], 0.5)).toBeCloseTo(Math.log1p(Math.exp(-1)), 12);
  });
});

describe('fitTemperature', () => {
  it('recovers the temperature that generated the labels', () => {
    const rng = createRng(7);
    const n = 100_000;
    const logits = new Float32Array(n);
    const labels = new Uint8Array(n);
    const trueT = 3;
    for (let v = 0; v < n; v++) {
      logits[v] = 6 * randomNormal(rng);
      labels[v] = rng() < 1 / (1 + Math.exp(-logits[v] / trueT)) ? 1 : 0;
    }
    const fit = fitTemperature(logits, labels);
    expect(fit.temperature).toBeGreaterThan(2.8);
    expect(fit.temperature).toBeLessThan(3.2);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
  });

  it('finds the minimum of a brute-force scan, and only lowers the NLL', () => {
    const rng = createRng(11);
    const logits = Float32Array.from({ length: 2000 }, () => 20 * randomNormal(rng));
    // Over-confident: labels agree with the sign only 85% of the time.
    const labels = Uint8Array.from(logits, (z) => ((z > 0) !== (rng() < 0.15) ? 1 : 0));
    const fit = fitTemperature(logits, labels);
    let best = Infinity;
    let bestT = 0;
    for (let t = 1; t <= 60; t += 0.01) {
      const nll = meanBinaryNll(logits, labels, 1 / t);
      if (nll < best) [best, bestT] = [nll, t];
    }
    expect(fit.temperature).toBeCloseTo(bestT, 1);
    expect(fit.nllAfter).toBeLessThanOrEqual(best + 1e-9);
    expect(fit.temperature).toBeGreaterThan(1);
  });

  it('goes to the low end of the range when the classes are separated', () => {
    const fit = fitTemperature([-3, -1, 2, 5], [0, 0, 1, 1]);
    expect(fit.temperature).toBeCloseTo(TEMPERATURE_RANGE[0], 3);
  });
});
