import * as tf from '@tensorflow/tfjs';

/** Name of the FC-DenseNet's last convolution, whose output goes through the sigmoid (fc-densenet.ts). */
const LOGITS_LAYER = 'logits';

/** A model sharing `model`'s weights that returns the logits (before the sigmoid). Dispose nothing: it owns no weights. */
export function logitsModel(model: tf.LayersModel): tf.LayersModel {
  return tf.model({ inputs: model.inputs, outputs: model.getLayer(LOGITS_LAYER).output as tf.SymbolicTensor });
}

/**
 * Bakes a temperature into the model: the last 1x1x1 convolution's kernel and bias are divided by
 * `temperature`, so the model outputs sigmoid(z / T) and every loader (browser, CLI) uses it as is.
 */
export function applyTemperature(model: tf.LayersModel, temperature: number): void {
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new Error(`temperature must be positive, got ${temperature}`);
  const layer = model.getLayer(LOGITS_LAYER);
  const scaled = tf.tidy(() => layer.getWeights().map((w) => tf.div(w, temperature)));
  layer.setWeights(scaled);
  tf.dispose(scaled);
}
