/**
 * NIfTI-1 qform quaternion <-> rotation matrix, following nifti1_io.c (nifti_quatern_to_mat44 and
 * nifti_mat44_to_quatern). Pure math, used by nifti-io.ts.
 */
import type { Affine, Vec3 } from './types.ts';

/**
 * The proper rotation (det +1, row-major 3x3) encoded by quatern_b/c/d; a = sqrt(1 - b^2 - c^2 - d^2),
 * or a = 0 with (b, c, d) renormalised when that is about 0, as nifti1_io.c does.
 * Example: (b, c, d) = (0, 0, 1) is a 180 degree turn about z: diag(-1, -1, 1).
 */
export function quaternToRotation(b: number, c: number, d: number): number[][] {
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    const s = 1 / Math.sqrt(b * b + c * c + d * d);
    b *= s;
    c *= s;
    d *= s;
    a = 0;
  } else {
    a = Math.sqrt(a);
  }
  return [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
}

/**
 * The 3x4 part of the voxel-to-world affine (mm) from a qform: R * diag(dx, dy, qfac * dz), then the
 * offset. Non-positive spacings count as 1, as in nifti1_io.c.
 */
export function qformToAffine(quatern: Vec3, offsetMm: Vec3, pixdimMm: Vec3, qfac: number): number[][] {
  const r = quaternToRotation(quatern[0], quatern[1], quatern[2]);
  const scale = pixdimMm.map((p) => (p > 0 ? p : 1));
  scale[2] *= qfac < 0 ? -1 : 1;
  return [0, 1, 2]
    .map((row) => [r[row][0] * scale[0], r[row][1] * scale[1], r[row][2] * scale[2], offsetMm[row]])
    .concat([[0, 0, 0, 1]]);
}

/**
 * The qform quaternion (b, c, d) and qfac (+1 or -1) that best encode the rotation part of `affine`.
 * Columns are normalised; a sheared affine gives an approximate rotation (the sform keeps it exact).
 */
export function affineToQuatern(affine: Affine): { quatern: Vec3; qfac: 1 | -1 } {
  const r = [0, 1, 2].map((row) => [affine[row][0], affine[row][1], affine[row][2]]);
  for (let col = 0; col < 3; col++) {
    const norm = Math.hypot(r[0][col], r[1][col], r[2][col]) || 1;
    for (let row = 0; row < 3; row++) r[row][col] /= norm;
  }
  const det =
    r[0][0] * (r[1][1] * r[2][2] - r[1][2] * r[2][1]) -
    r[0][1] * (r[1][0] * r[2][2] - r[1][2] * r[2][0]) +
    r[0][2] * (r[1][0] * r[2][1] - r[1][1] * r[2][0]);
  const qfac: 1 | -1 = det < 0 ? -1 : 1;
  if (qfac < 0) for (let row = 0; row < 3; row++) r[row][2] = -r[row][2];
  const [[r11, r12, r13], [r21, r22, r23], [r31, r32, r33]] = r;
  let a = r11 + r22 + r33 + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r32 - r23)) / a;
    c = (0.25 * (r13 - r31)) / a;
    d = (0.25 * (r21 - r12)) / a;
  } else {
    const xd = 1 + r11 - (r22 + r33);
    const yd = 1 + r22 - (r11 + r33);
    const zd = 1 + r33 - (r11 + r22);
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r12 + r21)) / b;
      d = (0.25 * (r13 + r31)) / b;
      a = (0.25 * (r32 - r23)) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r12 + r21)) / c;
      d = (0.25 * (r23 + r32)) / c;
      a = (0.25 * (r13 - r31)) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r13 + r31)) / d;
      c = (0.25 * (r23 + r32)) / d;
      a = (0.25 * (r21 - r12)) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { quatern: [b, c, d], qfac };
}
