import * as tf from '@tensorflow/tfjs';

/**
 * Instance normalisation over the spatial axes of [N, D, H, W, C] with a learned per-channel scale
 * and shift. tfjs's batchNormalization throws on rank-5 tensors, and batch statistics are noisy
 * with the batch sizes a browser can afford; instance norm also behaves the same in training and
 * inference (the calibration U-Net of docs/method.md used it too).
 */
export class InstanceNorm3d extends tf.layers.Layer {
  static className = 'LwInstanceNorm3d';
  private readonly epsilon: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;

  constructor(args: { name?: string; epsilon?: number } = {}) {
    super({ name: args.name });
    this.epsilon = args.epsilon ?? 1e-5;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      // Means over the voxels as batched products with a row of 1/M (XNNPACK's matMul on wasm):
      // tf.moments over the middle axis of [N, M, C] transposes first; with matMul the light
      // model's forward ran 1.3-1.6x faster (docs/cpu-training-notes.md).
      const [n, d, h, w, c] = x.shape;
      const voxels = d * h * w;
      const flat = x.reshape([n, voxels, c]);
      const average = tf.fill([n, 1, voxels], 1 / voxels);
      const centred = tf.sub(flat, tf.matMul(average, flat));
      const variance = tf.matMul(average, tf.square(centred));
      const normed = tf.mul(centred, tf.rsqrt(tf.add(variance, this.epsilon)));
      const affine = tf.add(tf.mul(normed, this.gamma.read()), this.beta.read());
      return affine.reshape(x.shape);
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(InstanceNorm3d);
