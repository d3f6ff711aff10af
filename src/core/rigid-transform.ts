/**
 * A rigid transform of points in mm: p -> R (p - c) + c + t, with R a rotation (row-major 3x3), c
 * the centre of rotation and t the translation, as elastix's EulerTransform writes it. Here it maps
 * a point of the template (the model's grid) to the point of the scan that lands there.
 */
import type { Vec3 } from './types.ts';

/** p -> matrix (p - centre) + centre + translation; points in mm. */
export interface RigidTransform {
  /** Row-major 3x3 rotation. */
  matrix: readonly number[];
  centre: Vec3;
  translation: Vec3;
}

/** The identity about `centre`. */
export function identityRigid(centre: Vec3 = [0, 0, 0]): RigidTransform {
  return { matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1], centre, translation: [0, 0, 0] };
}

function multiply(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) out[3 * r + c] += a[3 * r + k] * b[3 * k + c];
  return out;
}

/**
 * ITK's Euler3DTransform rotation from angles (radians) about x, y, z: Rz Rx Ry, or Rz Ry Rx when
 * `zyx` (elastix's ComputeZYX).
 */
export function eulerMatrix(ax: number, ay: number, az: number, zyx = false): number[] {
  const [cx, sx, cy, sy, cz, sz] = [Math.cos(ax), Math.sin(ax), Math.cos(ay), Math.sin(ay), Math.cos(az), Math.sin(az)];
  const rx = [1, 0, 0, 0, cx, -sx, 0, sx, cx];
  const ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const rz = [cz, -sz, 0, sz, cz, 0, 0, 0, 1];
  return zyx ? multiply(rz, multiply(ry, rx)) : multiply(rz, multiply(rx, ry));
}

/** The transformed point. */
export function applyRigid(t: RigidTransform, p: Vec3): Vec3 {
  const d = [p[0] - t.centre[0], p[1] - t.centre[1], p[2] - t.centre[2]];
  const m = t.matrix;
  return [0, 1, 2].map((r) => m[3 * r] * d[0] + m[3 * r + 1] * d[1] + m[3 * r + 2] * d[2] + t.centre[r] + t.translation[r]) as unknown as Vec3;
}

/** The inverse: q -> R^T (q - c - t) + c, written about the same centre. */
export function invertRigid(t: RigidTransform): RigidTransform {
  const m = t.matrix;
  const rt = [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
  // R^T (q - c - t) + c = R^T (q - c) + c + (-R^T t)
  const translation = [0, 1, 2].map((r) => -(rt[3 * r] * t.translation[0] + rt[3 * r + 1] * t.translation[1] + rt[3 * r + 2] * t.translation[2]));
  return { matrix: rt, centre: t.centre, translation: translation as unknown as Vec3 };
}

/** The rotation's angle in degrees (about its own axis): acos((trace - 1) / 2). */
export function rotationDeg(t: RigidTransform): number {
  const trace = t.matrix[0] + t.matrix[4] + t.matrix[8];
  return (Math.acos(Math.min(1, Math.max(-1, (trace - 1) / 2))) * 180) / Math.PI;
}

/** How far (mm) the transform moves `point` (e.g. the template's centre). */
export function shiftAtMm(t: RigidTransform, point: Vec3): number {
  const q = applyRigid(t, point);
  return Math.hypot(q[0] - point[0], q[1] - point[1], q[2] - point[2]);
}

/**
 * The transform of an elastix EulerTransform parameter map (TransformParameters: rx ry rz tx ty tz,
 * CenterOfRotationPoint, ComputeZYX). Throws when the map is not a 3D Euler transform.
 */
export function rigidFromElastix(map: Readonly<Record<string, readonly string[]>>): RigidTransform {
  if (map.Transform?.[0] !== 'EulerTransform') throw new Error(`the registration returned a ${map.Transform?.[0] ?? 'missing'} transform, not a rigid (Euler) one`);
  const p = (map.TransformParameters ?? []).map(Number);
  const c = (map.CenterOfRotationPoint ?? []).map(Number);
  if (p.length !== 6 || c.length !== 3 || [...p, ...c].some((x) => !Number.isFinite(x))) throw new Error('the registration returned no usable rigid transform');
  return { matrix: eulerMatrix(p[0], p[1], p[2], map.ComputeZYX?.[0] === 'true'), centre: [c[0], c[1], c[2]], translation: [p[3], p[4], p[5]] };
}
