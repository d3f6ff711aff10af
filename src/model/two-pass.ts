import type * as tf from '@tensorflow/tfjs';
import type { Vec3 } from '../core/types.ts';
import { mirrorsRun } from './mirror-policy.ts';
import { gridTileCount, type SegmentOptions, segmentVolume, type SegmentTimings } from './segment-volume.ts';
import { TileCache } from './tile-cache.ts';

/**
 * The fast path: a cheap first pass (few tiles) finds where lesions can be; the full grid then runs
 * only on the tiles that hold such a voxel. Every tile of the full grid covering a candidate voxel
 * holds it, so with coreMargin 0 each candidate voxel gets every prediction the full grid gives it:
 * its fused value is the full grid's, as if the whole grid had run. Elsewhere the map keeps the
 * first pass's value, which is at most `candidateAbove` there, below the mask's threshold.
 */
export interface TwoPassOptions {
  /** The first pass's tiling (overlap, mirroring, grid); the rest is the run's. */
  coarse: Pick<SegmentOptions, 'overlapFraction' | 'mirror' | 'mirrorGrid'>;
  /** A voxel is a candidate where the first pass's probability is above this. */
  candidateAbove: number;
  /** Candidates grow by this many voxels along each axis (a box), margin for what the first pass underrates. */
  dilateVoxels: number;
  /**
   * The second pass skips a tile whose candidates all lie within this many voxels of its faces, where
   * the B-spline window gives it little weight (order 2, 32^3: 0.15%, 1.3%, 3.7%, 7.2%, 11.9%, 17.8%
   * of the centre's in the first six layers): those voxels' values then lack that tile's share.
   */
  coreMargin: number;
  /**
   * A grid of fewer tiles runs whole, in one pass. The second pass fuses the first pass's tiles
   * instead of running them again (they all lie on the full grid), so a first pass never costs more
   * calls than the whole grid: the fast preset uses 0.
   */
  minTiles: number;
  /**
   * The second pass's mirroring: 'run' as the run says (every tile also flipped when it mirrors);
   * 'halves' when the run mirrors, flipped on the two grids of overlap 0 (SegmentOptions.mirrorGrid),
   * most of whose tiles the first pass made; 'reused' only the flipped predictions the first pass
   * made on the second pass's tiles; 'off' none. Absent: 'run'.
   */
  fineMirror?: 'run' | 'halves' | 'reused' | 'off';
}

export interface TwoPassTimings extends SegmentTimings {
  /** Tiles of the first pass and of the second (the full grid's tiles that hold a candidate). */
  coarsePatches: number;
  finePatches: number;
}

/**
 * segmentVolume run as two passes (see TwoPassOptions): `options` is the full grid's tiling.
 * Progress counts the first pass's tiles and then the second's; its total is a guess (twice the
 * first pass's) until the first pass ends, then exact.
 */
export async function segmentTwoPass(
  model: tf.LayersModel, channels: readonly Float32Array[], dims: Vec3, brain: Uint8Array, options: SegmentOptions, twoPass: TwoPassOptions,
): Promise<{ probability: Float32Array; timings: TwoPassTimings }> {
  const tiles = gridTileCount(dims, brain, options);
  if (tiles < twoPass.minTiles) {
    const one = await segmentVolume(model, channels, dims, brain, options);
    return { ...one, timings: { ...one.timings, coarsePatches: 0, finePatches: one.timings.patches } };
  }
  // 'auto' mirroring is decided by the whole grid's size, not by the part the second pass runs
  const mirror = mirrorsRun(options.mirror ?? 'off', tiles) ? 'on' : 'off';
  let coarseTotal = 0;
  // the first pass's tiles all lie on the full grid: the second pass fuses them without running them again
  const tilesRun = new TileCache();
  const coarse = await segmentVolume(model, channels, dims, brain, {
    ...options, ...twoPass.coarse, saveTiles: tilesRun,
    onProgress: (done, total) => {
      coarseTotal = total;
      return options.onProgress?.(done, 2 * total);
    },
  });
  const candidates = candidateMask(coarse.probability, dims, twoPass.candidateAbove, twoPass.dilateVoxels);
  for (let v = 0; v < candidates.length; v++) if (!brain[v]) candidates[v] = 0;
  const timings: TwoPassTimings = { ...coarse.timings, coarsePatches: coarse.timings.patches, finePatches: 0 };
  if (!candidates.some((c) => c !== 0)) return { probability: coarse.probability, timings };
  const fine = await segmentVolume(model, channels, dims, candidates, {
    ...options, coreMargin: twoPass.coreMargin, reuseTiles: tilesRun,
    ...fineMirroring(twoPass.fineMirror ?? 'run', mirror),
    onProgress: (done, total) => options.onProgress?.(coarseTotal + done, coarseTotal + total),
  });
  const probability = coarse.probability;
  for (let v = 0; v < probability.length; v++) if (candidates[v]) probability[v] = fine.probability[v];
  const f = fine.timings;
  return {
    probability,
    timings: {
      modelMs: timings.modelMs + f.modelMs, otherMs: timings.otherMs + f.otherMs, patches: timings.patches + f.patches, calls: timings.calls + f.calls, mirrored: f.mirrored,
      voxelsComputed: timings.voxelsComputed + f.voxelsComputed, coarsePatches: timings.coarsePatches, finePatches: f.patches,
    },
  };
}

function fineMirroring(mode: NonNullable<TwoPassOptions['fineMirror']>, mirror: 'on' | 'off'): Pick<SegmentOptions, 'mirror' | 'mirrorGrid' | 'fuseReusedFlips'> {
  if (mode === 'run') return { mirror };
  if (mode === 'halves') return { mirror, mirrorGrid: 'halves' };
  return { mirror: 'off', fuseReusedFlips: mode === 'reused' };
}

/**
 * 1 where `probability` is above `above`, grown by `dilate` voxels along each axis (a separable box
 * dilation: three 1D passes), else 0. The growth can reach outside the brain; segmentTwoPass keeps
 * the brain's part.
 */
export function candidateMask(probability: Float32Array, dims: Vec3, above: number, dilate: number): Uint8Array {
  let mask = Uint8Array.from(probability, (p) => (p > above ? 1 : 0));
  if (dilate <= 0) return mask;
  const steps = [1, dims[0], dims[0] * dims[1]];
  for (let axis = 0; axis < 3; axis++) {
    const out = new Uint8Array(mask.length);
    const step = steps[axis];
    const n = dims[axis];
    for (let v = 0; v < mask.length; v++) {
      if (!mask[v]) continue;
      const at = Math.floor(v / step) % n;
      const lo = Math.max(0, at - dilate);
      const hi = Math.min(n - 1, at + dilate);
      for (let q = lo; q <= hi; q++) out[v + (q - at) * step] = 1;
    }
    mask = out;
  }
  return mask;
}

/**
 * The run as a speed preset plans it (speed-presets.ts): two passes where the plan has them, else
 * one segmentVolume. The CLI and the page's worker both segment through this.
 */
export function segmentPlanned(
  model: tf.LayersModel, channels: readonly Float32Array[], dims: Vec3, brain: Uint8Array, options: SegmentOptions, twoPass: TwoPassOptions | undefined,
): Promise<{ probability: Float32Array; timings: SegmentTimings }> {
  return twoPass ? segmentTwoPass(model, channels, dims, brain, options, twoPass) : segmentVolume(model, channels, dims, brain, options);
}
