/** Plain data types shared by the numeric core, the model, the worker and the CLI. */

/** Scan modalities a model can take, in channel order (FLAIR first, docs/method.md section 2). */
export type Modality = 'flair' | 't1' | 't2' | 't1post';

/** On-disk NIfTI voxel types this project reads and writes. */
export type VoxelDataType = 'uint8' | 'int16' | 'int32' | 'float32' | 'float64';

/** Three integers or lengths along the NIfTI i, j, k axes (i varies fastest in memory). */
export type Vec3 = readonly [number, number, number];

/** Row-major 4x4 voxel-to-world (mm) matrix. */
export type Affine = readonly (readonly number[])[];

/**
 * A 3D scalar image. `data` holds real values (NIfTI scl_slope/scl_inter already applied), indexed
 * i + dims[0] * (j + dims[1] * k). `sourceHeader` is the header it was read from (348-byte NIfTI-1 or
 * 540-byte NIfTI-2, little-endian), kept so that a mask written for this volume carries the same
 * geometry, header fields and NIfTI version. `notes` says what the reader noticed about the file that
 * the user should know (voxel sizes read as 1 mm, NaN voxels read as 0, data after the image ignored).
 */
export interface Volume {
  dims: Vec3;
  spacingMm: Vec3;
  affine: Affine;
  data: Float32Array;
  dataType: VoxelDataType;
  sourceHeader?: Uint8Array;
  notes?: readonly string[];
}

/** An axis-aligned box of voxels: start (inclusive) and size along i, j, k. */
export interface PatchBox {
  start: Vec3;
  size: Vec3;
}

/** How overlapping patch predictions are weighted when fused. */
export type FusionWindowKind = 'bspline' | 'gaussian' | 'mean';
