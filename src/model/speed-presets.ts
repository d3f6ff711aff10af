// No tfjs here: the app's main thread and the CLI's argument parsing read these plans.
import type { TwoPassOptions } from './two-pass.ts';

/**
 * How a whole volume is tiled: 'classic' is the path before issue 34 (overlap 0.5, the mirrored pass
 * on the same boxes, so every brain voxel is computed about 16 times); 'fast' is the default
 * (docs/cpu-speed.md has the measurements behind its numbers).
 */
export type SpeedPreset = 'fast' | 'classic';

export const SPEED_PRESETS: readonly SpeedPreset[] = ['fast', 'classic'];

export interface TilingPlan {
  overlapFraction: number;
  /** Where the mirrored pass runs (segment-volume's SegmentOptions.mirrorGrid). */
  mirrorGrid: 'same' | 'shifted';
  /** A first pass that picks the tiles of the full grid to run (two-pass.ts); absent: one pass. */
  twoPass?: TwoPassOptions;
}

export const TILING_PLANS: Record<SpeedPreset, TilingPlan> = {
  fast: {
    overlapFraction: 0.5, mirrorGrid: 'same',
    twoPass: {
      coarse: { overlapFraction: 0, mirror: 'on', mirrorGrid: 'shifted' }, candidateAbove: 0.4, dilateVoxels: 1, coreMargin: 7, minTiles: 0, fineMirror: 'halves',
    },
  },
  classic: { overlapFraction: 0.5, mirrorGrid: 'same' },
};

export const DEFAULT_SPEED: SpeedPreset = 'fast';

export function isSpeedPreset(value: unknown): value is SpeedPreset {
  return typeof value === 'string' && (SPEED_PRESETS as readonly string[]).includes(value);
}

/** One line for logs and the bench, e.g. "overlap 0.5, mirrored on the same grid". */
export function describePlan(plan: TilingPlan): string {
  const grid = `overlap ${plan.overlapFraction}, mirrored on the ${plan.mirrorGrid} grid`;
  const t = plan.twoPass;
  if (!t) return grid;
  const fine = t.fineMirror === 'halves' ? `overlap ${plan.overlapFraction}, mirrored on the two overlap-0 grids` : grid;
  return `first pass overlap ${t.coarse.overlapFraction} mirrored on the ${t.coarse.mirrorGrid ?? 'same'} grid; then ${fine} on tiles whose core ` +
    `(less ${t.coreMargin} voxels a face) holds a voxel above ${t.candidateAbove} (grown ${t.dilateVoxels})`;
}
