import * as tf from '@tensorflow/tfjs';
import { conv3dSame3 } from './conv3d-fast.ts';
import { conv3dSame3Gpu } from './conv3d-gpu.ts';

/** Serialised options of {@link Conv3dLayer}. */
export interface Conv3dLayerArgs {
  filters: number;
  /** 1 (pointwise) or 3 (3x3x3, 'same' padding). */
  kernelSize: 1 | 3;
  name?: string;
}

/**
 * A 3D convolution (stride 1, 'same') whose kernel lives in the usual Conv3D layout
 * [k, k, k, Ci, Co], so weights trained on one backend load on any other.
 *
 * It picks its kernel by backend: webgpu/webgl run tf.conv3d with the faster filter gradient of
 * conv3d-gpu.ts; cpu and wasm run the conv2d formulation of conv3d-fast.ts (wasm's conv2d is ~30x faster than any conv3d on CPUs, and
 * conv3d gradients are broken on wasm). Pointwise convolutions are one matMul everywhere.
 */
export class Conv3dLayer extends tf.layers.Layer {
  static className = 'LwConv3d';
  private readonly filters: number;
  private readonly kernelSize: 1 | 3;
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;

  constructor(args: Conv3dLayerArgs) {
    super({ name: args.name });
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const inChannels = shape[shape.length - 1] as number;
    const k = this.kernelSize;
    const fanIn = k * k * k * inChannels;
    // He-normal: ReLU networks keep their activation scale through depth.
    this.kernel = this.addWeight('kernel', [k, k, k, inChannels, this.filters], 'float32',
      tf.initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / fanIn) }));
    this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = inputShape as tf.Shape;
    return [...shape.slice(0, -1), this.filters];
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor5D;
      const w = this.kernel.read() as tf.Tensor5D;
      const y = this.kernelSize === 1 ? pointwise(x, w) : conv3x3x3(x, w);
      // Bias through a rank-2 view, so its gradient is a rank-2 sum (fast on wasm).
      const [n, d, h, wd, co] = y.shape;
      return tf.add(y.reshape([n * d * h * wd, co]), this.bias.read()).reshape(y.shape);
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize };
  }
}

function conv3x3x3(x: tf.Tensor5D, w: tf.Tensor5D): tf.Tensor5D {
  const backend = tf.getBackend();
  return backend === 'cpu' || backend === 'wasm' ? conv3dSame3(x, w) : conv3dSame3Gpu(x, w);
}

function pointwise(x: tf.Tensor5D, w: tf.Tensor5D): tf.Tensor5D {
  const [n, d, h, wd, ci] = x.shape;
  const co = w.shape[4];
  const y = tf.matMul(x.reshape([n * d * h * wd, ci]), w.reshape([ci, co]));
  return y.reshape([n, d, h, wd, co]);
}

tf.serialization.registerClass(Conv3dLayer);
