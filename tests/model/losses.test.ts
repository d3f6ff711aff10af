import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fbetaLoss, focalLoss, generalizedDiceLoss, lossFunction } from '../../src/model/losses.ts';
import { seededValues, useBackend } from './tf-backend.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

/** Scalar value of a loss, disposing its tensors. */
function lossValue(f: () => tf.Scalar): number {
  return tf.tidy(() => f().dataSync()[0]);
}

// Hand example: 6 voxels, 3 lesion voxels.
//   g = 1    1    0    0    1    0
//   p = 0.9  0.4  0.2  0.7  0.6  0.1
//   TP = 0.9 + 0.4 + 0.6 = 1.9; FP = 0.2 + 0.7 + 0.1 = 1.0; FN = 0.1 + 0.6 + 0.4 = 1.1
const G = [1, 1, 0, 0, 1, 0];
const P = [0.9, 0.4, 0.2, 0.7, 0.6, 0.1];

describe('fbetaLoss', () => {
  it('matches hand-computed F-beta losses for beta 1, 1.5 and 2', () => {
    // beta 1:   F = 2*1.9 / (2*1.9 + 1.1 + 1.0) = 3.8 / 5.9
    // beta 1.5: F = 3.25*1.9 / (3.25*1.9 + 2.25*1.1 + 1.0) = 6.175 / 9.65
    // beta 2:   F = 5*1.9 / (5*1.9 + 4*1.1 + 1.0) = 9.5 / 14.9
    const expected: [number, number][] = [[1, 1 - 3.8 / 5.9], [1.5, 1 - 6.175 / 9.65], [2, 1 - 9.5 / 14.9]];
    for (const [beta, loss] of expected) {
      const value = lossValue(() => fbetaLoss(tf.tensor(G, [1, 1, 2, 3, 1]), tf.tensor(P, [1, 1, 2, 3, 1]), beta));
      expect(value, `beta ${beta}`).toBeCloseTo(loss, 5);
    }
    // Larger beta weighs the (larger) FN mass more: the loss grows with beta here.
    expect(1 - 6.175 / 9.65).toBeGreaterThan(1 - 3.8 / 5.9);
  });

  it('is the soft Dice loss 1 - 2TP/(2TP+FP+FN) at beta 1, on random soft inputs', () => {
    const n = 2 * 4 * 4 * 4;
    const p = seededValues(n, 11, 0, 1);
    const g = Float32Array.from(seededValues(n, 12, 0, 1), (u) => (u < 0.2 ? 1 : 0));
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let v = 0; v < n; v++) {
      tp += p[v] * g[v];
      fp += p[v] * (1 - g[v]);
      fn += (1 - p[v]) * g[v];
    }
    const dice = 1 - (2 * tp) / (2 * tp + fp + fn);
    const shape = [2, 4, 4, 4, 1];
    expect(lossValue(() => fbetaLoss(tf.tensor(g, shape), tf.tensor(p, shape), 1))).toBeCloseTo(dice, 5);
    expect(lossValue(() => lossFunction('dice', 7)(tf.tensor(g, shape), tf.tensor(p, shape)))).toBeCloseTo(dice, 5);
  });

  it('is 0 for a perfect prediction and 1 when prediction and truth are disjoint', () => {
    const g = tf.tensor([1, 0, 1, 0]);
    expect(lossValue(() => fbetaLoss(g, g, 1.5))).toBeCloseTo(0, 6);
    expect(lossValue(() => fbetaLoss(g, tf.sub(1, g), 1.5))).toBeCloseTo(1, 4);
    g.dispose();
  });

  it('has finite gradients (no NaN) on an all-zero mask with an all-zero prediction', () => {
    const zeros = tf.zeros([1, 2, 2, 2, 1]);
    for (const beta of [1, 1.5, 2]) {
      const loss = lossValue(() => fbetaLoss(zeros, zeros, beta));
      expect(Number.isFinite(loss)).toBe(true);
      expect(loss).toBeCloseTo(0, 6); // eps / eps: an empty batch predicted empty is perfect
      const grad = tf.tidy(() => tf.grad((p: tf.Tensor) => fbetaLoss(zeros, p, beta))(zeros).dataSync());
      expect(grad.every(Number.isFinite)).toBe(true);
      // Truth empty: loss = 1 - eps / (sum p + eps), so d loss / d p = eps / (sum p + eps)^2 > 0.
      expect(grad.every((x) => x > 0)).toBe(true);
    }
    // Also with a lesion in the truth and nothing predicted, and with both all-one.
    const someTruth = tf.tensor([1, 0, 0, 0, 0, 0, 0, 0], [1, 2, 2, 2, 1]);
    const gradA = tf.tidy(() => tf.grad((p: tf.Tensor) => fbetaLoss(someTruth, p, 1.5))(zeros).dataSync());
    expect(gradA.every(Number.isFinite)).toBe(true);
    expect(gradA[0]).toBeLessThan(0); // raising p at the lesion lowers the loss
    tf.dispose([zeros, someTruth]);
  });

  it('lossFunction dispatches fbeta with its beta', () => {
    const value = lossValue(() => lossFunction('fbeta', 2)(tf.tensor(G), tf.tensor(P)));
    expect(value).toBeCloseTo(1 - 9.5 / 14.9, 5);
  });
});

describe('focalLoss', () => {
  it('equals mean(-(1 - p_t)^gamma log p_t) computed by hand', () => {
    const focal = (gamma: number) => {
      let sum = 0;
      for (let v = 0; v < G.length; v++) {
        const pt = G[v] === 1 ? P[v] : 1 - P[v];
        sum += -((1 - pt) ** gamma) * Math.log(pt);
      }
      return sum / G.length;
    };
    // First term by hand: g = 1, p = 0.9 -> p_t = 0.9, -(0.1)^2 ln 0.9 = 0.01 * 0.1053605 = 0.001053605
    expect(-(0.1 ** 2) * Math.log(0.9)).toBeCloseTo(0.001053605, 8);
    expect(lossValue(() => focalLoss(tf.tensor(G), tf.tensor(P)))).toBeCloseTo(focal(2), 6);
    expect(lossValue(() => focalLoss(tf.tensor(G), tf.tensor(P), 1))).toBeCloseTo(focal(1), 6);
    // gamma 0 is binary cross-entropy.
    const bce = -G.reduce((s, g, v) => s + g * Math.log(P[v]) + (1 - g) * Math.log(1 - P[v]), 0) / G.length;
    expect(lossValue(() => focalLoss(tf.tensor(G), tf.tensor(P), 0))).toBeCloseTo(bce, 6);
    expect(lossValue(() => lossFunction('focal', 1.5)(tf.tensor(G), tf.tensor(P)))).toBeCloseTo(focal(2), 6);
  });

  it('stays finite at p = 0 and p = 1 (clipped), with finite gradients', () => {
    const g = tf.tensor([1, 0, 1, 0]);
    const p = tf.tensor([0, 1, 1, 0]);
    expect(Number.isFinite(lossValue(() => focalLoss(g, p)))).toBe(true);
    const grad = tf.tidy(() => tf.grad((q: tf.Tensor) => focalLoss(g, q))(p).dataSync());
    expect(grad.every(Number.isFinite)).toBe(true);
    tf.dispose([g, p]);
  });
});

describe('generalizedDiceLoss', () => {
  it('matches a hand computation with class weights 1 / (sum g)^2', () => {
    // Lesion class: sum g = 3, w1 = 1/9; sum g p = 1.9; sum g + sum p = 3 + 2.9 = 5.9.
    // Background: sum (1-g) = 3, w0 = 1/9; sum (1-g)(1-p) = 0.8 + 0.3 + 0.9 = 2.0;
    //   sum (1-g) + sum (1-p) = 3 + 3.1 = 6.1.
    // GDL = 1 - 2 (1.9 + 2.0)/9 / ((5.9 + 6.1)/9) = 1 - 7.8 / 12 = 0.35
    expect(lossValue(() => generalizedDiceLoss(tf.tensor(G), tf.tensor(P)))).toBeCloseTo(0.35, 5);
  });

  it('matches a reference implementation on unbalanced random inputs', () => {
    const n = 200;
    const p = seededValues(n, 21, 0, 1);
    const g = Float32Array.from(seededValues(n, 22, 0, 1), (u) => (u < 0.05 ? 1 : 0));
    const sums = { g1: 0, g0: 0, i1: 0, i0: 0, p1: 0, p0: 0 };
    for (let v = 0; v < n; v++) {
      sums.g1 += g[v];
      sums.g0 += 1 - g[v];
      sums.i1 += g[v] * p[v];
      sums.i0 += (1 - g[v]) * (1 - p[v]);
      sums.p1 += p[v];
      sums.p0 += 1 - p[v];
    }
    const w1 = 1 / sums.g1 ** 2;
    const w0 = 1 / sums.g0 ** 2;
    const expected = 1 - (2 * (w1 * sums.i1 + w0 * sums.i0)) / (w1 * (sums.g1 + sums.p1) + w0 * (sums.g0 + sums.p0));
    expect(sums.g1).toBeGreaterThan(0);
    // 4 digits: the loss's 1e-5 guard in numerator and denominator is of that order here (union ~ 1).
    expect(lossValue(() => generalizedDiceLoss(tf.tensor(g), tf.tensor(p)))).toBeCloseTo(expected, 4);
    expect(lossValue(() => lossFunction('gdice', 1.5)(tf.tensor(g), tf.tensor(p)))).toBeCloseTo(expected, 4);
    // Weights 1 / sum g (not squared) would give a clearly different value: the test can tell them apart.
    const linear = 1 - (2 * (sums.i1 / sums.g1 + sums.i0 / sums.g0)) / ((sums.g1 + sums.p1) / sums.g1 + (sums.g0 + sums.p0) / sums.g0);
    expect(Math.abs(linear - expected)).toBeGreaterThan(1e-2);
  });

  it('has finite gradients on an all-zero mask', () => {
    const g = tf.zeros([8]);
    const p = tf.zeros([8]);
    expect(Number.isFinite(lossValue(() => generalizedDiceLoss(g, p)))).toBe(true);
    const grad = tf.tidy(() => tf.grad((q: tf.Tensor) => generalizedDiceLoss(g, q))(p).dataSync());
    expect(grad.every(Number.isFinite)).toBe(true);
    tf.dispose([g, p]);
  });
});

describe('loss memory', () => {
  it('leaks no tensors', () => {
    const g = tf.tensor(G);
    const p = tf.tensor(P);
    const before = tf.memory().numTensors;
    for (const name of ['fbeta', 'dice', 'focal', 'gdice'] as const) lossFunction(name, 1.5)(g, p).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([g, p]);
  });
});
