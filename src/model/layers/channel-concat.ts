import * as tf from '@tensorflow/tfjs';

/**
 * Concatenates [N, D, H, W, Ci] tensors along channels through rank-2 views [N*D*H*W, Ci].
 * Same result as tf.layers.concatenate, but its gradient (a split) then runs on rank-2 tensors:
 * on wasm the rank-5 SplitV behind the stock layer took 90% of a training step.
 */
export class ChannelConcat extends tf.layers.Layer {
  static className = 'LwChannelConcat';

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shapes = inputShape as tf.Shape[];
    const channels = shapes.reduce((sum, s) => sum + (s[s.length - 1] as number), 0);
    return [...shapes[0].slice(0, -1), channels];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const shape = list[0].shape;
      const voxels = shape.slice(0, -1).reduce((a, b) => a * b, 1);
      const flat = list.map((t) => t.reshape([voxels, t.shape[t.shape.length - 1] as number]));
      const joined = tf.concat(flat, 1);
      return joined.reshape([...shape.slice(0, -1), joined.shape[1] as number]);
    });
  }
}

tf.serialization.registerClass(ChannelConcat);
