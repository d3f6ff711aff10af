/**
 * Temperature scaling (Guo et al., "On calibration of modern neural networks", ICML 2017): one
 * scalar T divides a network's logits so that sigmoid(z / T) is calibrated, fit by minimising the
 * mean binary cross-entropy (ideally on voxels the network did not train on). Dividing by T > 0
 * keeps the order of a patch's voxels and each one's decision at 0.5 (z > 0); what changes is how
 * the probabilities spread between 0 and 1, which is what a threshold or beta slider moves
 * through. Overlap losses (F-beta, Dice) drive logits far past what a threshold sweep can resolve
 * (README, "calibrate").
 */

/** log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/**
 * Mean binary cross-entropy (nats per voxel) of sigmoid(scale * z) against labels (> 0.5 is
 * positive): -log sigmoid(s z) = softplus(-s z) for positives, softplus(s z) for negatives.
 */
export function meanBinaryNll(logits: ArrayLike<number>, labels: ArrayLike<number>, scale = 1): number {
  if (logits.length !== labels.length) throw new Error(`${logits.length} logits but ${labels.length} labels`);
  if (logits.length === 0) throw new Error('no voxels to score');
  let sum = 0;
  for (let n = 0; n < logits.length; n++) {
    const sz = scale * logits[n];
    sum += labels[n] > 0.5 ? softplus(-sz) : softplus(sz);
  }
  return sum / logits.length;
}

export interface TemperatureFit {
  /** Divide logits by this (> 1: the network was over-confident). */
  temperature: number;
  nllBefore: number;
  nllAfter: number;
}

/** Searched range of the temperature; a fit at an end means the data allow nothing finer. */
export const TEMPERATURE_RANGE = [0.05, 100] as const;

/**
 * The temperature minimising the mean binary cross-entropy. The NLL is convex in the inverse
 * temperature a = 1 / T (a one-parameter logistic regression through the origin), so a golden-
 * section search over log a finds the minimum to the tolerance.
 *
 * @example fitTemperature(Float32Array.of(-8, 8, 9, -7), Uint8Array.of(0, 1, 0, 0)).temperature // > 1
 */
export function fitTemperature(logits: ArrayLike<number>, labels: ArrayLike<number>): TemperatureFit {
  const nllAt = (logA: number) => meanBinaryNll(logits, labels, Math.exp(logA));
  let lo = -Math.log(TEMPERATURE_RANGE[1]);
  let hi = -Math.log(TEMPERATURE_RANGE[0]);
  const phi = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - phi * (hi - lo);
  let x2 = lo + phi * (hi - lo);
  let f1 = nllAt(x1);
  let f2 = nllAt(x2);
  while (hi - lo > 1e-5) {
    if (f1 <= f2) {
      hi = x2; x2 = x1; f2 = f1;
      x1 = hi - phi * (hi - lo); f1 = nllAt(x1);
    } else {
      lo = x1; x1 = x2; f1 = f2;
      x2 = lo + phi * (hi - lo); f2 = nllAt(x2);
    }
  }
  const logA = (lo + hi) / 2;
  return { temperature: Math.exp(-logA), nllBefore: meanBinaryNll(logits, labels, 1), nllAfter: nllAt(logA) };
}
