// No tfjs here: the app's main thread reads this policy for its settings.

/** Test-time mirroring: always, never, or 'auto' (only where it costs seconds: small scans, or a GPU). */
export type MirrorMode = 'auto' | 'on' | 'off';

/**
 * 'auto' (the app's default) mirrors a scan of up to this many patches: a 64^3 crop has 27 at
 * overlap 0.5, a 128^3 one 343, a whole 182x218x182 brain 700-1,250. On the training cases' 64^3
 * FLAIR crops mirroring raised Dice on 12 of 12 (means 0.661 -> 0.696 and 0.897 -> 0.902, session
 * 19), mostly near the crop's faces, which few patches see and only at their edges. Whole brains
 * gained less (+0.003 to +0.039) for minutes more of model time on a CPU, so there the page leaves
 * them to the user's choice; on a hardware GPU (see runMirrorMode) and in the CLI, a batch tool,
 * every scan is mirrored (docs/crop-inference.md).
 */
export const AUTO_MIRROR_MAX_PATCHES = 256;

/** Whether a run of `patches` patches is mirrored under `mode`. */
export function mirrorsRun(mode: MirrorMode, patches: number): boolean {
  return mode === 'on' || (mode === 'auto' && patches <= AUTO_MIRROR_MAX_PATCHES);
}

/**
 * The mode a run uses on its backend: 'auto' becomes 'on' on a hardware GPU, where mirroring a whole
 * brain costs seconds (an H200 ran one unmirrored in 7.2 s of model time), as nnU-Net mirrors every
 * scan. A software GPU (SwiftShader) is as slow as a CPU and keeps the patch limit.
 */
export function runMirrorMode(mode: MirrorMode, hardwareGpu: boolean): MirrorMode {
  return mode === 'auto' && hardwareGpu ? 'on' : mode;
}
