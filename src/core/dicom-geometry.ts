/**
 * Geometry shared by the DICOM readers and writers: DICOM's patient coordinates (LPS: x to the
 * patient's left, y to posterior, z to superior) against NIfTI's world (RAS), and the map from a
 * DICOM frame's pixels (ImagePositionPatient, ImageOrientationPatient, PixelSpacing) to the voxel
 * coordinates of a NIfTI grid.
 */
import type { Affine, Vec3 } from './types.ts';

/** A point or direction from LPS (DICOM) to RAS (NIfTI) or back: x and y change sign. */
export function flipLpsRas(p: Vec3): Vec3 {
  return [-p[0], -p[1], p[2]];
}

/** Cross product a x b. */
export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** Dot product. */
export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/** Inverse of a 4x4 affine whose last row is 0 0 0 1; throws for a singular one. */
export function invertAffine(a: Affine): number[][] {
  const [m00, m01, m02] = a[0];
  const [m10, m11, m12] = a[1];
  const [m20, m21, m22] = a[2];
  const det = m00 * (m11 * m22 - m12 * m21) - m01 * (m10 * m22 - m12 * m20) + m02 * (m10 * m21 - m11 * m20);
  if (!(Math.abs(det) > 1e-12)) throw new Error('the voxel-to-world matrix is singular');
  const inv = [
    [(m11 * m22 - m12 * m21) / det, (m02 * m21 - m01 * m22) / det, (m01 * m12 - m02 * m11) / det],
    [(m12 * m20 - m10 * m22) / det, (m00 * m22 - m02 * m20) / det, (m02 * m10 - m00 * m12) / det],
    [(m10 * m21 - m11 * m20) / det, (m01 * m20 - m00 * m21) / det, (m00 * m11 - m01 * m10) / det],
  ];
  const t = [a[0][3], a[1][3], a[2][3]];
  return [
    ...inv.map((row) => [...row, -(row[0] * t[0] + row[1] * t[1] + row[2] * t[2])]),
    [0, 0, 0, 1],
  ];
}

/** `m` (4x4) applied to a point (w = 1) or, with `w = 0`, a direction. */
export function applyAffine(m: Affine, p: Vec3, w = 1): Vec3 {
  return [0, 1, 2].map((r) => m[r][0] * p[0] + m[r][1] * p[1] + m[r][2] * p[2] + m[r][3] * w) as unknown as Vec3;
}

/** A DICOM image plane: ImagePositionPatient (mm, LPS), ImageOrientationPatient, PixelSpacing. */
export interface DicomPlane {
  positionMm: Vec3;
  /** Row direction (towards increasing column) then column direction (towards increasing row), LPS. */
  orientation: readonly number[];
  /** [between rows, between columns] in mm, as DICOM's PixelSpacing orders them. */
  pixelSpacingMm: readonly [number, number];
}

/**
 * Where pixel (column x, row y) of a plane falls in a grid's voxel coordinates: `origin + x *
 * perColumn + y * perRow`, with `toVoxel` the grid's inverse affine (RAS mm -> voxel).
 */
export function planeInVoxels(plane: DicomPlane, toVoxel: Affine): { origin: Vec3; perColumn: Vec3; perRow: Vec3 } {
  const o = plane.orientation;
  const rowDir: Vec3 = [o[0], o[1], o[2]];
  const colDir: Vec3 = [o[3], o[4], o[5]];
  const [dRow, dCol] = plane.pixelSpacingMm;
  return {
    origin: applyAffine(toVoxel, flipLpsRas(plane.positionMm)),
    perColumn: applyAffine(toVoxel, flipLpsRas(rowDir.map((v) => v * dCol) as unknown as Vec3), 0),
    perRow: applyAffine(toVoxel, flipLpsRas(colDir.map((v) => v * dRow) as unknown as Vec3), 0),
  };
}

/**
 * `v` rounded to whole voxels, or null when a coordinate is more than `tol` voxels from a whole
 * number (a plane that does not lie on the grid). The tolerance covers float32 affines.
 */
export function wholeVoxels(v: Vec3, tol = 0.02): Vec3 | null {
  const r = v.map(Math.round) as unknown as Vec3;
  return v.every((x, n) => Math.abs(x - r[n]) <= tol) ? r : null;
}
