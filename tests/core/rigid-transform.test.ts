import { describe, expect, it } from 'vitest';
import { applyRigid, eulerMatrix, invertRigid, rigidFromElastix, rotationDeg, shiftAtMm } from '../../src/core/rigid-transform.ts';
import type { Vec3 } from '../../src/core/types.ts';

const close = (a: readonly number[], b: readonly number[], digits = 9) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], digits));

describe('eulerMatrix (ITK Euler3DTransform: Rz Rx Ry)', () => {
  it('turns x toward y for +90 degrees about z, y toward z about x, z toward x about y', () => {
    const h = Math.PI / 2;
    close(eulerMatrix(0, 0, h), [0, -1, 0, 1, 0, 0, 0, 0, 1]);
    close(eulerMatrix(h, 0, 0), [1, 0, 0, 0, 0, -1, 0, 1, 0]);
    close(eulerMatrix(0, h, 0), [0, 0, 1, 0, 1, 0, -1, 0, 0]);
  });
  it('composes Z X Y by default and Z Y X with ComputeZYX (hand-multiplied for 90 degrees about x and y)', () => {
    const h = Math.PI / 2;
    // Rx(90) Ry(90) = [[0,0,1],[1,0,0],[0,1,0]]; Ry(90) Rx(90) = [[0,1,0],[0,0,-1],[-1,0,0]]
    close(eulerMatrix(h, h, 0), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
    close(eulerMatrix(h, h, 0, true), [0, 1, 0, 0, 0, -1, -1, 0, 0]);
  });
});

describe('rigid transforms', () => {
  const t = { matrix: eulerMatrix(0.1, -0.2, 0.3), centre: [10, 20, 30] as Vec3, translation: [1, -2, 3] as Vec3 };
  it('applies p -> R (p - c) + c + t and inverts exactly', () => {
    close(applyRigid(t, [10, 20, 30]), [11, 18, 33]);
    const p: Vec3 = [3, -7, 12];
    close(applyRigid(invertRigid(t), applyRigid(t, p)), p);
  });
  it('measures the rotation angle and the shift at a point', () => {
    expect(rotationDeg({ ...t, matrix: eulerMatrix(0, 0, (12 * Math.PI) / 180) })).toBeCloseTo(12, 9);
    expect(shiftAtMm(t, [10, 20, 30])).toBeCloseTo(Math.hypot(1, 2, 3), 9);
  });
  it('reads an elastix Euler parameter map and refuses anything else', () => {
    const read = rigidFromElastix({ Transform: ['EulerTransform'], TransformParameters: ['0', '0', String(Math.PI / 2), '1', '2', '3'], CenterOfRotationPoint: ['0', '0', '0'] });
    close(applyRigid(read, [1, 0, 0]), [1, 3, 3]);
    expect(() => rigidFromElastix({ Transform: ['AffineTransform'] })).toThrow(/not a rigid/);
  });
});
