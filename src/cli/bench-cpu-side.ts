/**
 * The CPU's share of a whole-volume run, apart from the network: segmentVolume with a pointwise
 * model (one 1x1x1 convolution and a sigmoid) over the synthetic 182x218x182 FLAIR. Its otherMs is
 * the grid, fusion and final division that a fast GPU cannot speed up; its modelMs is then almost
 * only the batch assembly (patch copies into the input tensor) and the read-back. On an H200 the
 * real network took 7.2 s for patient07's 742 patches (README, Speed): these figures are what the
 * CPU adds to such a run.
 */
import * as tf from '@tensorflow/tfjs';
import { Conv3dLayer } from '../model/layers/conv3d-layer.ts';
import { DEFAULT_SEGMENT_OPTIONS, segmentVolume } from '../model/segment-volume.ts';
import { syntheticFlair } from './synthetic-flair.ts';

export interface CpuSideResult {
  patches: number;
  /** Medians over the runs, ms. */
  otherMs: number;
  assemblyMs: number;
}

/** Median timings of `runs` whole-volume runs with 32^3 patches at the default overlap and window. */
export async function benchCpuSide(runs = 5): Promise<CpuSideResult> {
  const { dims, data: flair } = syntheticFlair();
  const brain = Uint8Array.from(flair, (x) => (x > 0 ? 1 : 0));
  const model = pointwiseModel();
  const other: number[] = [];
  const assembly: number[] = [];
  let patches = 0;
  for (let r = 0; r < runs; r++) {
    const { timings } = await segmentVolume(model, [flair], dims, brain, { ...DEFAULT_SEGMENT_OPTIONS, patchSize: 32 });
    other.push(timings.otherMs);
    assembly.push(timings.modelMs);
    patches = timings.patches;
  }
  model.dispose();
  return { patches, otherMs: median(other), assemblyMs: median(assembly) };
}

function pointwiseModel(): tf.LayersModel {
  const input = tf.input({ shape: [null, null, null, 1] });
  const conv = new Conv3dLayer({ filters: 1, kernelSize: 1 });
  const prob = tf.layers.activation({ activation: 'sigmoid' }).apply(conv.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: prob });
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
