/**
 * Confidences above a probability map's own at some of its voxels: where a moved scan's lesions
 * are judged on the peaks the network gave them rather than on the trilinear map back
 * (model/registered-input.ts). Kept sparse: only voxels a mask cut at PEAKS_FROM or above can hold,
 * a few percent of a brain, so a 0.5 mm scan's result does not carry a second whole map.
 */

/** The lowest threshold whose lesions get their confidence from the peaks (the page's threshold slider starts here). */
export const PEAKS_FROM = 0.01;

/** Voxel indices (ascending) and the confidence each has above the probability map's value there. */
export interface VoxelPeaks {
  index: Uint32Array;
  value: Float32Array;
}

/**
 * The voxels where `confidence` exceeds `probability` and the probability reaches `from`. A mask
 * cut at `from` or above holds only such voxels, so its lesions' peaks are exact; a lower cut's
 * extra voxels are judged on the probability itself.
 * @example sparsePeaks(Float32Array.of(0.9, 0.3, 0.005), Float32Array.of(0.6, 0.3, 0.002)) // index [0], value [0.9]
 */
export function sparsePeaks(confidence: ArrayLike<number>, probability: ArrayLike<number>, from = PEAKS_FROM): VoxelPeaks {
  if (confidence.length !== probability.length) throw new Error(`the confidence map has ${confidence.length} voxels but the probability ${probability.length}`);
  let count = 0;
  for (let v = 0; v < probability.length; v++) if (probability[v] >= from && confidence[v] > probability[v]) count++;
  const index = new Uint32Array(count);
  const value = new Float32Array(count);
  for (let v = 0, n = 0; v < probability.length; v++) {
    if (probability[v] >= from && confidence[v] > probability[v]) {
      index[n] = v;
      value[n++] = confidence[v];
    }
  }
  return { index, value };
}

/** Raises `peak[l]` (per component label) to the peaks of the voxels labelled l in `labels`. */
export function raisePeaks(peak: Float64Array, labels: ArrayLike<number>, peaks: VoxelPeaks): void {
  const { index, value } = peaks;
  for (let n = 0; n < index.length; n++) {
    const l = labels[index[n]];
    if (l !== 0 && value[n] > peak[l]) peak[l] = value[n];
  }
}
