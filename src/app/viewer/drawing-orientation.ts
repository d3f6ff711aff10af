/**
 * niivue keeps its drawing bitmap in the RAS voxel order of the background image, not in the
 * image's own voxel order. These two maps convert between them with the background's
 * img2RASstart / img2RASstep / dimsRAS (the same walk niivue's ImageWriter does when it saves a
 * drawing), so a reference mask can be drawn on and read back on the scan's own grid.
 */

/** The background image's RAS walk: RAS voxel (rx, ry, rz) is native index start + r . step. */
export interface RasLayout {
  /** Native index offset (per axis) of RAS voxel (0, 0, 0). */
  start: readonly number[];
  /** Native index step per RAS axis (+-1, +-nx or +-nx*ny). */
  step: readonly number[];
  /** [dim count, rx, ry, rz] as niivue stores it. */
  dimsRAS: readonly number[];
}

function forEachRasVoxel(layout: RasLayout, visit: (rasIndex: number, nativeIndex: number) => void): void {
  const { start, step, dimsRAS } = layout;
  let ras = 0;
  for (let rz = 0; rz < dimsRAS[3]; rz++) {
    const zi = start[2] + rz * step[2];
    for (let ry = 0; ry < dimsRAS[2]; ry++) {
      const yi = start[1] + ry * step[1];
      for (let rx = 0; rx < dimsRAS[1]; rx++) visit(ras++, start[0] + rx * step[0] + yi + zi);
    }
  }
}

/** Copies `source` (any values; > 0 becomes 1) from one voxel order to the other. */
function reorder(source: ArrayLike<number>, layout: RasLayout, direction: 'to-ras' | 'to-native'): Uint8Array {
  const voxels = layout.dimsRAS[1] * layout.dimsRAS[2] * layout.dimsRAS[3];
  if (source.length !== voxels) throw new Error(`drawing has ${source.length} voxels but the scan ${voxels}`);
  const out = new Uint8Array(voxels);
  const toRas = direction === 'to-ras';
  forEachRasVoxel(layout, (r, n) => {
    out[toRas ? r : n] = source[toRas ? n : r] > 0 ? 1 : 0;
  });
  return out;
}

/** A 0/1 mask in the image's own voxel order -> niivue's RAS-ordered drawing bitmap (pen value 1). */
export function nativeToRas(native: ArrayLike<number>, layout: RasLayout): Uint8Array {
  return reorder(native, layout, 'to-ras');
}

/** niivue's RAS-ordered drawing bitmap (any pen colour) -> a 0/1 mask in the image's own voxel order. */
export function rasToNative(ras: ArrayLike<number>, layout: RasLayout): Uint8Array {
  return reorder(ras, layout, 'to-native');
}
