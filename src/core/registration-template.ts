/**
 * The registration template: a 2 mm image of the models' training grid (open_ms_data's MNI grid,
 * 182 x 218 x 182 voxels of 1 mm, LAS), built by `npm run build-template` from the shared cases'
 * FLAIRs (public/template/). Its voxel (a, b, c) covers the 1 mm voxels 2a..2a+1 (and so on), so it
 * is centred at model-grid voxel (2a + 0.5, 2b + 0.5, 2c + 0.5) and its affine is the model grid's
 * times diag(2, 2, 2) plus that half-voxel offset.
 */
import type { Affine, Vec3, Volume } from './types.ts';

/** The template as the registration uses it. */
export interface RegistrationTemplate {
  /** 2 mm voxels. */
  data: Float32Array;
  dims: Vec3;
  /** The 1 mm model grid it stands for: twice `dims`. */
  modelDims: Vec3;
  /** The model grid's voxel-to-world affine (world mm of model voxel (i, j, k)). */
  modelAffine: Affine;
}

/** The template's affine for a model grid's affine: model voxel (2a + 0.5, ...) at template voxel (a, ...). */
export function templateAffine(modelAffine: Affine): number[][] {
  return modelAffine.map((row, r) => (r === 3 ? [0, 0, 0, 1] : [2 * row[0], 2 * row[1], 2 * row[2], row[3] + 0.5 * (row[0] + row[1] + row[2])]));
}

/**
 * Checks a template volume (2 mm, LAS: the affine's diagonal -2, 2, 2 and nothing off it) and
 * returns it with its model grid. Throws naming what is wrong.
 */
export function templateFromVolume(volume: Volume): RegistrationTemplate {
  const a = volume.affine;
  const offDiagonal = [a[0][1], a[0][2], a[1][0], a[1][2], a[2][0], a[2][1]].some((x) => Math.abs(x) > 1e-6);
  if (offDiagonal || Math.abs(a[0][0] + 2) > 1e-6 || Math.abs(a[1][1] - 2) > 1e-6 || Math.abs(a[2][2] - 2) > 1e-6) {
    throw new Error('the registration template is not a 2 mm LAS image (its affine should be diag(-2, 2, 2))');
  }
  const modelAffine: Affine = [
    [-1, 0, 0, a[0][3] + 0.5], [0, 1, 0, a[1][3] - 0.5], [0, 0, 1, a[2][3] - 0.5], [0, 0, 0, 1],
  ];
  return { data: volume.data, dims: volume.dims, modelDims: [2 * volume.dims[0], 2 * volume.dims[1], 2 * volume.dims[2]], modelAffine };
}
