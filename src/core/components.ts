/**
 * Connected-component labelling of 3D binary masks (lesions are 26-connected components, as in the
 * ISBI 2015 challenge). Breadth-first search with one typed-array queue: no recursion, O(voxels).
 */
import type { Vec3 } from './types.ts';

/** Voxel neighbourhood: faces (6), faces + edges (18), or faces + edges + corners (26). */
export type Connectivity = 6 | 18 | 26;

/** Result of `labelComponents`. */
export interface ComponentLabels {
  /** Per voxel: 0 for background, else the component label 1..count (numbered in memory order). */
  labels: Int32Array;
  /** Number of components. */
  count: number;
  /** sizes[l] = voxels in component l for l = 1..count; sizes[0] is 0. */
  sizes: number[];
}

/**
 * Neighbour steps [di, dj, dk] for a connectivity: the non-zero steps in {-1, 0, 1}^3 with at most
 * 1 (6), 2 (18) or 3 (26) non-zero coordinates.
 */
export function neighbourSteps(connectivity: Connectivity): Vec3[] {
  if (connectivity !== 6 && connectivity !== 18 && connectivity !== 26) {
    throw new Error(`connectivity must be 6, 18 or 26, got ${String(connectivity)}`);
  }
  const maxNonZero = connectivity === 6 ? 1 : connectivity === 18 ? 2 : 3;
  const steps: Vec3[] = [];
  for (let dk = -1; dk <= 1; dk++) {
    for (let dj = -1; dj <= 1; dj++) {
      for (let di = -1; di <= 1; di++) {
        const nonZero = (di !== 0 ? 1 : 0) + (dj !== 0 ? 1 : 0) + (dk !== 0 ? 1 : 0);
        if (nonZero >= 1 && nonZero <= maxNonZero) steps.push([di, dj, dk]);
      }
    }
  }
  return steps;
}

/**
 * Labels the connected components of the non-zero voxels of `mask` (indexed i + nx * (j + ny * k)).
 * On a 182x218x182 grid: ~50 ms for a sparse lesion mask, ~1 s when 30% of voxels are set.
 *
 * @example
 * // two voxels touching only at a corner: one lesion with 26-connectivity, two with 6
 * const m = new Uint8Array(8); m[0] = 1; m[7] = 1;
 * labelComponents(m, [2, 2, 2], 26).count // 1
 * labelComponents(m, [2, 2, 2], 6).count  // 2
 */
export function labelComponents(
  mask: ArrayLike<number>,
  dims: Vec3,
  connectivity: Connectivity = 26,
): ComponentLabels {
  const [nx, ny, nz] = dims;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 1) throw new Error(`dims must be positive integers, got [${dims.join(', ')}]`);
  }
  const n = nx * ny * nz;
  if (mask.length !== n) {
    throw new Error(`mask has ${mask.length} voxels but dims [${dims.join(', ')}] need ${n}`);
  }
  const steps = neighbourSteps(connectivity);
  const m = steps.length;
  const offsets = Int32Array.from(steps, ([di, dj, dk]) => di + nx * (dj + ny * dk));
  const sdi = Int8Array.from(steps, (s) => s[0]);
  const sdj = Int8Array.from(steps, (s) => s[1]);
  const sdk = Int8Array.from(steps, (s) => s[2]);
  const nxy = nx * ny;
  const labels = new Int32Array(n);
  // Every voxel enters the queue at most once, so one queue of n slots serves all components.
  const queue = new Int32Array(n);
  let tail = 0;
  const sizes: number[] = [0];
  let count = 0;
  for (let seed = 0; seed < n; seed++) {
    if (mask[seed] === 0 || labels[seed] !== 0) continue;
    const label = ++count;
    let head = tail;
    const start = tail;
    labels[seed] = label;
    queue[tail++] = seed;
    while (head < tail) {
      const v = queue[head++];
      const k = Math.floor(v / nxy);
      const rem = v - k * nxy;
      const j = Math.floor(rem / nx);
      const i = rem - j * nx;
      const interior = i > 0 && i < nx - 1 && j > 0 && j < ny - 1 && k > 0 && k < nz - 1;
      for (let s = 0; s < m; s++) {
        if (!interior) {
          const ii = i + sdi[s];
          const jj = j + sdj[s];
          const kk = k + sdk[s];
          if (ii < 0 || ii >= nx || jj < 0 || jj >= ny || kk < 0 || kk >= nz) continue;
        }
        const w = v + offsets[s];
        if (mask[w] === 0 || labels[w] !== 0) continue;
        labels[w] = label;
        queue[tail++] = w;
      }
    }
    sizes.push(tail - start);
  }
  return { labels, count, sizes };
}
