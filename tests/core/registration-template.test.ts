/** The shipped template (public/template/flair-2mm.nii.gz) against its affine and the training grid. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNifti } from '../../src/core/nifti-io.ts';
import { templateAffine, templateFromVolume } from '../../src/core/registration-template.ts';

const volume = readNifti(readFileSync(new URL('../../public/template/flair-2mm.nii.gz', import.meta.url)), 'flair-2mm.nii.gz');
/** open_ms_data's MNI grid, as the shared cases' headers give it: 182 x 218 x 182 voxels of 1 mm, LAS. */
const MNI_AFFINE = [[-1, 0, 0, 90], [0, 1, 0, -126], [0, 0, 1, -72], [0, 0, 0, 1]];

describe('the registration template', () => {
  const template = templateFromVolume(volume);
  it('stands for the training grid: 2 mm voxels over 182 x 218 x 182 of 1 mm, the MNI affine', () => {
    expect(volume.dims).toEqual([91, 109, 91]);
    expect(volume.spacingMm).toEqual([2, 2, 2]);
    expect(template.modelDims).toEqual([182, 218, 182]);
    expect(template.modelAffine).toEqual(MNI_AFFINE);
  });
  it('puts each 2 mm voxel at the centre of the 1 mm voxels it averages', () => {
    const world = (a: readonly (readonly number[])[], p: number[]) => [0, 1, 2].map((r) => a[r][0] * p[0] + a[r][1] * p[1] + a[r][2] * p[2] + a[r][3]);
    for (const v of [[0, 0, 0], [45, 54, 45], [90, 108, 90]]) {
      expect(world(volume.affine, v)).toEqual(world(MNI_AFFINE, v.map((x) => 2 * x + 0.5)));
    }
    expect(templateAffine(MNI_AFFINE).flat().map((x) => x + 0)).toEqual(volume.affine.flat().map((x) => x + 0));
  });
  it('holds a brain: 1.1-1.6 L above 0, centred near the middle of the grid', () => {
    let n = 0;
    const sum = [0, 0, 0];
    for (let v = 0; v < volume.data.length; v++) {
      if (volume.data[v] <= 0) continue;
      n++;
      sum[0] += v % 91;
      sum[1] += Math.floor(v / 91) % 109;
      sum[2] += Math.floor(v / (91 * 109));
    }
    expect(n * 8 / 1000).toBeGreaterThan(1100);
    expect(n * 8 / 1000).toBeLessThan(1600);
    sum.forEach((s, a) => expect(Math.abs(s / n - [45, 54, 45][a])).toBeLessThan(8));
  });
  it('refuses an image that is not 2 mm LAS', () => {
    expect(() => templateFromVolume({ ...volume, affine: MNI_AFFINE })).toThrow(/not a 2 mm LAS image/);
  });
});
