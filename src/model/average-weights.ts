/**
 * Weight averaging of checkpoints from one training run (stochastic weight averaging, Izmailov et
 * al., UAI 2018). Late in a run with a small learning rate the weights wander around a flat region;
 * their mean lies nearer its centre than any one checkpoint, which measured slightly better than the
 * last checkpoint alone for the shipped default (README, Shipped models).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Sets `target`'s weights to the element-wise mean of the weights of `checkpoints` (all of one
 * architecture; `target` may be one of them). Throws when the weight lists do not match.
 */
export function averageWeightsInto(target: tf.LayersModel, checkpoints: readonly tf.LayersModel[]): void {
  if (checkpoints.length === 0) throw new Error('no checkpoints to average');
  const lists = checkpoints.map((m) => m.getWeights());
  const reference = target.getWeights();
  lists.forEach((list, c) => {
    const same = list.length === reference.length && list.every((w, i) => tf.util.arraysEqual(w.shape, reference[i].shape));
    if (!same) throw new Error(`checkpoint ${c + 1} has a different architecture (weight shapes differ)`);
  });
  const mean = reference.map((_, i) => tf.tidy(() => tf.div(tf.addN(lists.map((list) => list[i])), checkpoints.length)));
  target.setWeights(mean);
  tf.dispose(mean);
}
