import * as tf from '@tensorflow/tfjs';

/** Loss functions of docs/method.md section 1; each maps (truth, prob) of any shape to a scalar. */
export type LossName = 'fbeta' | 'dice' | 'focal' | 'gdice';

/** Guards 0/0 on an empty batch; keeps the gradient finite (see the empty-mask unit test). */
const EPSILON = 1e-5;

/**
 * Asymmetric similarity loss 1 - F_beta with soft counts over the whole batch:
 * F_beta = (1+b^2) TP / ((1+b^2) TP + b^2 FN + FP). beta = 1 is the soft Dice loss; beta > 1
 * weighs false negatives more (a Tversky index with alpha = 1/(1+b^2), beta_T = b^2/(1+b^2)).
 */
export function fbetaLoss(truth: tf.Tensor, prob: tf.Tensor, beta: number): tf.Scalar {
  return tf.tidy(() => {
    const b2 = beta * beta;
    const tp = tf.sum(tf.mul(prob, truth));
    const fp = tf.sum(tf.mul(prob, tf.sub(1, truth)));
    const fn = tf.sum(tf.mul(tf.sub(1, prob), truth));
    const numerator = tf.add(tf.mul(1 + b2, tp), EPSILON);
    const denominator = tf.add(tf.add(tf.add(tf.mul(1 + b2, tp), tf.mul(b2, fn)), fp), EPSILON);
    return tf.sub(1, tf.div(numerator, denominator)) as tf.Scalar;
  });
}

/** Binary focal loss (Lin et al.), mean over voxels: -(1-p_t)^gamma log p_t, gamma = 2 by default. */
export function focalLoss(truth: tf.Tensor, prob: tf.Tensor, gamma = 2): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.clipByValue(prob, 1e-6, 1 - 1e-6);
    const pt = tf.add(tf.mul(truth, p), tf.mul(tf.sub(1, truth), tf.sub(1, p)));
    return tf.mean(tf.mul(tf.neg(tf.pow(tf.sub(1, pt), gamma)), tf.log(pt))) as tf.Scalar;
  });
}

/**
 * Generalized Dice loss (Sudre et al. 2017) over the two classes lesion and background, each
 * weighted by 1 / (sum of its truth)^2 so the rare class counts as much as the common one.
 */
export function generalizedDiceLoss(truth: tf.Tensor, prob: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes: [tf.Tensor, tf.Tensor][] = [[truth, prob], [tf.sub(1, truth), tf.sub(1, prob)]];
    let intersection: tf.Tensor = tf.scalar(0);
    let union: tf.Tensor = tf.scalar(0);
    for (const [g, p] of classes) {
      const weight = tf.div(1, tf.add(tf.square(tf.sum(g)), EPSILON));
      intersection = tf.add(intersection, tf.mul(weight, tf.sum(tf.mul(g, p))));
      union = tf.add(union, tf.mul(weight, tf.add(tf.sum(g), tf.sum(p))));
    }
    return tf.sub(1, tf.div(tf.add(tf.mul(2, intersection), EPSILON), tf.add(union, EPSILON))) as tf.Scalar;
  });
}

/** The loss a training run optimises; `beta` is used by 'fbeta' only ('dice' is beta = 1). */
export function lossFunction(name: LossName, beta: number): (truth: tf.Tensor, prob: tf.Tensor) => tf.Scalar {
  switch (name) {
    case 'fbeta':
      return (t, p) => fbetaLoss(t, p, beta);
    case 'dice':
      return (t, p) => fbetaLoss(t, p, 1);
    case 'focal':
      return (t, p) => focalLoss(t, p);
    case 'gdice':
      return (t, p) => generalizedDiceLoss(t, p);
  }
}
