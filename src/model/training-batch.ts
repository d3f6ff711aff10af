import * as tf from '@tensorflow/tfjs';
import { blurInBrain, flipAlongI, gammaIntensity, jitterIntensity, type IntensityJitter, type StrongAugment } from '../core/augment.ts';
import { binarize, randomAffine, resamplePatch } from '../core/patch-affine.ts';
import { extractPatch } from '../core/patch-grid.ts';
import { samplePatchBox, type SamplingOptions, type TrainingCase } from '../core/patch-sampling.ts';
import { randomInt, randomUniform, type Rng } from '../core/random.ts';
import { randomThickSlices, simulateThickSlices, type ThickSliceAugment } from '../core/thick-slices.ts';
import { interleaveChannels, patchTensorShape } from './patch-tensor.ts';

export interface BatchOptions extends SamplingOptions {
  batchSize: number;
  /** Mirror left-right with probability 1/2. */
  flip: boolean;
  jitter: IntensityJitter | null;
  /**
   * Probability of blanking each non-FLAIR channel of a patch (to 0, the brain mean after
   * z-scoring), so the model also works when only FLAIR is given (the browser accepts FLAIR alone).
   */
  modalityDropout: number;
  /** Rotation/scaling, gamma and blur (`--augment strong`), or null for flip and jitter alone. */
  strong: StrongAugment | null;
  /** Thick-slice simulation (`--thick-slices P`), or null for none. */
  thickSlices: ThickSliceAugment | null;
}

/**
 * Draws one training batch: a case at random per patch, a balanced patch box (rotated and scaled
 * with `strong`), random flip, thick slices, blur, gamma and intensity jitter. Returns x [B, D, H, W, C] and the
 * label y [B, D, H, W, 1].
 */
export function makeTrainingBatch(cases: readonly TrainingCase[], options: BatchOptions, rng: Rng): { x: tf.Tensor5D; y: tf.Tensor5D } {
  const size = options.patchSize;
  const voxels = size[0] * size[1] * size[2];
  const channels = cases[0].channels.length;
  const xs = new Float32Array(options.batchSize * voxels * channels);
  const ys = new Float32Array(options.batchSize * voxels);
  for (let b = 0; b < options.batchSize; b++) {
    const c = cases[randomInt(rng, cases.length)];
    const box = samplePatchBox(c, options, rng);
    const strong = options.strong;
    const affine = strong ? randomAffine(rng, strong.affine) : null;
    const cubic = affine !== null && rng() < (strong?.affine.cubicProbability ?? 0);
    // a cubic patch also lands at a random sub-voxel phase, as a registered scan's voxels do
    const centre = box.start.map((s, axis) => s + (size[axis] - 1) / 2 + (cubic ? rng() - 0.5 : 0));
    const cut = (data: Float32Array, kernel: 'linear' | 'cubic') =>
      (affine ? resamplePatch(data, c.dims, centre, size, affine, kernel) : extractPatch(data, c.dims, box));
    const patches = c.channels.map((data) => cut(data, cubic ? 'cubic' : 'linear'));
    const label = affine ? binarize(cut(c.label, 'linear')) : cut(c.label, 'linear');
    const flip = options.flip && rng() < 0.5;
    const thick = options.thickSlices && rng() < options.thickSlices.probability
      ? { slices: randomThickSlices(rng, options.thickSlices.thickness), others: options.thickSlices.otherChannelProbability }
      : null;
    patches.forEach((p, ch) => {
      if (ch > 0 && rng() < options.modalityDropout) return void p.fill(0);
      if (flip) flipAlongI(p, size);
      if (thick && (ch === 0 || rng() < thick.others)) simulateThickSlices(p, size, thick.slices);
      if (strong && rng() < strong.blurProbability) blurInBrain(p, size, randomUniform(rng, ...strong.blurSigmaVox));
      if (strong && rng() < strong.gammaProbability) gammaIntensity(p, randomUniform(rng, ...strong.gammaRange));
      if (options.jitter) jitterIntensity(p, options.jitter, rng);
    });
    if (flip) flipAlongI(label, size);
    interleaveChannels(patches, xs, b * voxels * channels);
    ys.set(label, b * voxels);
  }
  return {
    x: tf.tensor5d(xs, [options.batchSize, ...patchTensorShape(size, channels)]),
    y: tf.tensor5d(ys, [options.batchSize, ...patchTensorShape(size, 1)]),
  };
}
