import * as tf from '@tensorflow/tfjs';
import type { DenseNetPreset } from './presets.ts';
import { ChannelConcat } from './layers/channel-concat.ts';
import { Conv3dLayer } from './layers/conv3d-layer.ts';
import { InstanceNorm3d } from './layers/instance-norm.ts';
import { MaxPool3d, Upsample3d } from './layers/resample.ts';

type Sym = tf.SymbolicTensor;

/**
 * Builds the 3D FC-DenseNet ("Tiramisu") of docs/method.md: first conv, dense blocks with
 * transitions down, a bottleneck block, transitions up (nearest upsampling + 3x3x3 conv, since
 * conv3dTranspose cannot be trained in tfjs) concatenated with the skips, and a 1x1x1 conv to one
 * sigmoid channel. As in the Tiramisu paper, the up path upsamples only the new feature maps of the
 * block below, which keeps the channel count bounded.
 *
 * Input [N, D, H, W, inChannels] with D, H, W multiples of 2^depth; output [N, D, H, W, 1].
 */
export function buildFcDenseNet(preset: DenseNetPreset, inChannels: number): tf.LayersModel {
  let names = 0;
  const name = (kind: string) => `${kind}_${++names}`;
  const input = tf.input({ shape: [null, null, null, inChannels], name: 'modalities' });

  let x = new Conv3dLayer({ filters: preset.firstFilters, kernelSize: 3, name: name('conv') }).apply(input) as Sym;
  const skips: Sym[] = [];
  for (const layers of preset.blocksDown) {
    x = denseBlock(x, layers, preset.growth, name).all;
    skips.push(x);
    x = transitionDown(x, name);
  }
  let fresh = denseBlock(x, preset.bottleneck, preset.growth, name).fresh;
  for (let level = preset.blocksDown.length - 1; level >= 0; level--) {
    const upsampled = transitionUp(fresh, name);
    const merged = new ChannelConcat({ name: name('skip') }).apply([upsampled, skips[level]]) as Sym;
    const block = denseBlock(merged, preset.blocksDown[level], preset.growth, name);
    fresh = level === 0 ? block.all : block.fresh;
  }
  const logits = new Conv3dLayer({ filters: 1, kernelSize: 1, name: 'logits' }).apply(fresh) as Sym;
  const prob = tf.layers.activation({ activation: 'sigmoid', name: 'probability' }).apply(logits) as Sym;
  return tf.model({ inputs: input, outputs: prob, name: `fc_densenet_${preset.name}` });
}

/** norm -> ReLU -> 3x3x3 conv (growth channels), each output concatenated to the running input. */
function denseBlock(x: Sym, layers: number, growth: number, name: (k: string) => string) {
  let all = x;
  const fresh: Sym[] = [];
  for (let l = 0; l < layers; l++) {
    const y = new Conv3dLayer({ filters: growth, kernelSize: 3, name: name('conv') })
      .apply(normRelu(all, name)) as Sym;
    fresh.push(y);
    all = new ChannelConcat({ name: name('dense') }).apply([all, y]) as Sym;
  }
  const freshAll = fresh.length === 1 ? fresh[0]
    : (new ChannelConcat({ name: name('fresh') }).apply(fresh) as Sym);
  return { all, fresh: freshAll };
}

/** norm -> ReLU -> 1x1x1 conv (same channels) -> 2x2x2 max pool. */
function transitionDown(x: Sym, name: (k: string) => string): Sym {
  const channels = x.shape[4] as number;
  const y = new Conv3dLayer({ filters: channels, kernelSize: 1, name: name('conv') }).apply(normRelu(x, name)) as Sym;
  return new MaxPool3d({ name: name('pool') }).apply(y) as Sym;
}

/** Nearest 2x upsampling followed by a 3x3x3 conv keeping the channel count. */
function transitionUp(x: Sym, name: (k: string) => string): Sym {
  const channels = x.shape[4] as number;
  const up = new Upsample3d({ name: name('up') }).apply(x) as Sym;
  return new Conv3dLayer({ filters: channels, kernelSize: 3, name: name('conv') }).apply(up) as Sym;
}

function normRelu(x: Sym, name: (k: string) => string): Sym {
  const normed = new InstanceNorm3d({ name: name('norm') }).apply(x) as Sym;
  return tf.layers.reLU({ name: name('relu') }).apply(normed) as Sym;
}
