import type { PatchBox } from '../core/types.ts';

/**
 * Network predictions of single tiles, keyed by box and flip, so that a later pass over a grid
 * that contains the same tiles fuses them again instead of running the network again. The first
 * pass of the fast path (two-pass.ts) records its tiles; they all lie on the full grid (overlap 0
 * starts and the shifted grid's are a subset of overlap 0.5's), so the second pass reuses them.
 */
export class TileCache {
  private readonly tiles = new Map<string, Float32Array>();

  private static key(box: PatchBox, flipped: boolean): string {
    return `${flipped ? 'f' : 'p'}${box.start.join(',')}/${box.size.join(',')}`;
  }

  get size(): number {
    return this.tiles.size;
  }

  get(box: PatchBox, flipped: boolean): Float32Array | undefined {
    return this.tiles.get(TileCache.key(box, flipped));
  }

  /** Keeps a copy: `probs` may be a view of a whole batch's buffer. */
  set(box: PatchBox, flipped: boolean, probs: Float32Array): void {
    this.tiles.set(TileCache.key(box, flipped), probs.slice());
  }
}
