import * as tf from '@tensorflow/tfjs';

/**
 * 2x2x2 max pooling of [N, D, H, W, C] as a 2D max pool over rank-4 views plus a max over depth
 * pairs. wasm's MaxPool3D is wrong for all-negative windows and rank-5 slicing breaks on webgpu;
 * these rank-4/rank-3 ops are correct and have gradients on every backend. Even sizes only.
 */
export class MaxPool3d extends tf.layers.Layer {
  static className = 'LwMaxPool3d';

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, d, h, w, c] = inputShape as tf.Shape;
    return [n, half(d), half(h), half(w), c];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor5D;
      const [n, d, h, w, c] = x.shape;
      const inPlane = tf.maxPool(x.reshape([n * d, h, w, c]) as tf.Tensor4D, 2, 2, 'valid');
      const pairs = inPlane.reshape([n * (d / 2), 2, (h / 2) * (w / 2) * c]);
      return tf.max(pairs, 1).reshape([n, d / 2, h / 2, w / 2, c]);
    });
  }
}

/**
 * Nearest-neighbour 2x upsampling of [N, D, H, W, C], one axis at a time, each as a broadcast add
 * of zeros [1, 1, 2, 1] to a rank-4 view (the gradient is a sum over the pair). tf.tile does the
 * same but wasm's Tile is ~100x slower than its broadcasting Add (2.4 s against 22 ms for a batch
 * of 4 x 16^3 x 96). tfjs has no UpSampling3D and conv3dTranspose cannot be trained (no gradient
 * for its backprop kernel); upsampling followed by a 3x3x3 conv is the trainable replacement.
 */
export class Upsample3d extends tf.layers.Layer {
  static className = 'LwUpsample3d';

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, d, h, w, c] = inputShape as tf.Shape;
    return [n, twice(d), twice(h), twice(w), c];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor5D;
      const [n, d, h, w, c] = x.shape;
      const pair = tf.zeros([1, 1, 2, 1]);
      const alongW = tf.add(x.reshape([n * d * h, w, 1, c]), pair);
      const alongH = tf.add(alongW.reshape([n * d, h, 1, 2 * w * c]), pair);
      const alongD = tf.add(alongH.reshape([n, d, 1, 4 * h * w * c]), pair);
      return alongD.reshape([n, 2 * d, 2 * h, 2 * w, c]);
    });
  }
}

function half(v: number | null): number | null {
  return v === null ? null : v / 2;
}

function twice(v: number | null): number | null {
  return v === null ? null : v * 2;
}

tf.serialization.registerClass(MaxPool3d);
tf.serialization.registerClass(Upsample3d);
