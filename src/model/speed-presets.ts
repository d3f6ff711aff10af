// No tfjs here: the app's main thread and the CLI's argument parsing read these plans.

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
}

export const TILING_PLANS: Record<SpeedPreset, TilingPlan> = {
  fast: { overlapFraction: 0.375, mirrorGrid: 'shifted' },
  classic: { overlapFraction: 0.5, mirrorGrid: 'same' },
};

export const DEFAULT_SPEED: SpeedPreset = 'fast';

export function isSpeedPreset(value: unknown): value is SpeedPreset {
  return typeof value === 'string' && (SPEED_PRESETS as readonly string[]).includes(value);
}
