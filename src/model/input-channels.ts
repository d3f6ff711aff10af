import * as tf from '@tensorflow/tfjs';
import { buildFcDenseNet } from './fc-densenet.ts';
import type { Modality } from './model-meta.ts';
import type { DenseNetPreset } from './presets.ts';

/**
 * A copy of a trained FC-DenseNet that takes only some of its input modalities. The first
 * convolution is the only layer that sees the input channels, so keeping its kernel's slices for
 * the kept modalities gives a model whose output equals the source model's with the dropped
 * modalities blank (zero channels add nothing to a convolution). Used to start a FLAIR-only model
 * from the three-modality one (`npm run train -- --modalities flair --init-from ...`).
 */
export function selectInputModalities(source: tf.LayersModel, preset: DenseNetPreset,
  from: readonly Modality[], to: readonly Modality[]): tf.LayersModel {
  const picks = to.map((m) => from.indexOf(m));
  const absent = to.filter((_, i) => picks[i] < 0);
  if (absent.length > 0) throw new Error(`the start model does not take ${absent.join(', ')} (it takes ${from.join(', ')})`);
  const target = buildFcDenseNet(preset, to.length);
  const weights = source.getWeights();
  if (weights.length !== target.getWeights().length) throw new Error(`the start model is not a ${preset.name} FC-DenseNet`);
  // getWeights lists the layers in build order: the first is the first convolution's kernel [k, k, k, C, F]
  const [kernel, ...rest] = weights;
  if (kernel.shape.length !== 5 || kernel.shape[3] !== from.length) throw new Error('the start model\'s first layer is not a convolution over its modalities');
  const sliced = tf.tidy(() => tf.gather(kernel, picks, 3));
  target.setWeights([sliced, ...rest]);
  sliced.dispose();
  return target;
}
