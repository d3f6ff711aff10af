import type { NVImage } from '@niivue/niivue';
import { describe, expect, it } from 'vitest';
import type { Affine, Vec3, Volume } from '../../src/core/types.ts';
import { nativeToRas, rasToNative, type RasLayout } from '../../src/app/viewer/drawing-orientation.ts';
import { imageFromVolume } from '../../src/app/viewer/niivue-controller.ts';

/** A volume whose voxel v holds v % 251 + 1 (all distinct enough to catch any permutation). */
function volume(dims: Vec3, affine: Affine): Volume {
  const n = dims[0] * dims[1] * dims[2];
  return { dims, spacingMm: [1, 1, 1], affine, data: Float32Array.from({ length: n }, (_, v) => (v % 251) + 1), dataType: 'float32' };
}

/** The image exactly as the viewer hands it to niivue. */
function niivueImage(v: Volume): Promise<NVImage> {
  return imageFromVolume(v, 'test.nii', 'gray', 1, NaN, NaN, false);
}

function layoutOf(image: NVImage): RasLayout {
  return { start: image.img2RASstart!, step: image.img2RASstep!, dimsRAS: image.dimsRAS! };
}

// Identity (RAS), radiological LAS, and an axis-permuted, flipped PIL-like orientation.
const AFFINES: Record<string, Affine> = {
  RAS: [[1, 0, 0, -3], [0, 1, 0, -2], [0, 0, 1, -4], [0, 0, 0, 1]],
  LAS: [[-1, 0, 0, 3], [0, 1, 0, -2], [0, 0, 1, -4], [0, 0, 0, 1]],
  permuted: [[0, 0, -1, 4], [-1, 0, 0, 3], [0, 1, 0, -2], [0, 0, 0, 1]],
};

describe('niivue drawing bitmap <-> native voxel order', () => {
  for (const [name, affine] of Object.entries(AFFINES)) {
    it(`matches niivue's own img2RAS for a ${name} image, and round-trips`, async () => {
      const v = volume([7, 5, 4], affine);
      const image = await niivueImage(v);
      // niivue's reordering of the image itself is the independent reference
      const rasByNiivue = Array.from(image.img2RAS(), (x) => Math.round(Number(x)));
      const mask = Uint8Array.from(v.data, (x) => (x % 3 === 0 ? 1 : 0));
      const ras = nativeToRas(mask, layoutOf(image));
      expect(Array.from(ras)).toEqual(rasByNiivue.map((x) => (x % 3 === 0 ? 1 : 0)));
      expect(Array.from(rasToNative(ras, layoutOf(image)))).toEqual(Array.from(mask));
      if (name !== 'RAS') expect(Array.from(ras)).not.toEqual(Array.from(mask));
    });
  }

  it('treats any pen colour as drawn and refuses a bitmap of another size', async () => {
    const image = await niivueImage(volume([3, 2, 2], AFFINES.RAS));
    expect(Array.from(rasToNative(Uint8Array.of(0, 2, 0, 3, 0, 0, 1, 0, 0, 0, 0, 9), layoutOf(image)))).toEqual([0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(() => rasToNative(new Uint8Array(5), layoutOf(image))).toThrow(/5 voxels but the scan 12/);
  });
});
