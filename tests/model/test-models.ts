import * as tf from '@tensorflow/tfjs';
import { Conv3dLayer } from '../../src/model/layers/conv3d-layer.ts';

/**
 * p(i) = sigmoid(a x(i - 1) + b): a 3x3x3 Conv3dLayer whose only non-zero tap is the left
 * neighbour along i (W), zero-padded at the patch edge. Not mirror-symmetric, so test-time
 * mirroring changes it in a way that can be computed by hand, and a patch's left face sees zero
 * padding (neighbouring tiles disagree there).
 */
export function leftNeighbourModel(a: number, b: number): tf.LayersModel {
  const input = tf.input({ shape: [null, null, null, 1] });
  const conv = new Conv3dLayer({ filters: 1, kernelSize: 3 });
  const prob = tf.layers.activation({ activation: 'sigmoid' }).apply(conv.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: prob });
  const kernel = new Float32Array(27);
  kernel[1 * 9 + 1 * 3 + 0] = a; // [d 1, h 1, w 0]: the voxel at w - 1
  conv.setWeights([tf.tensor5d(kernel, [3, 3, 3, 1, 1]), tf.tensor1d([b])]);
  return model;
}
