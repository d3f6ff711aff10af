/**
 * Registers every custom layer with tfjs's serialisation, so tf.loadLayersModel can rebuild a
 * saved network. Import this module (for its side effects) before loading a model.
 */
import './channel-concat.ts';
import './conv3d-layer.ts';
import './instance-norm.ts';
import './resample.ts';
