/**
 * Registration through the real engine (elastix's WASM build in Node): a generated head turned and
 * shifted by a known rigid move is registered back onto a template made from the unmoved head.
 */
import { describe, expect, it } from 'vitest';
import { nodeElastix } from '../../src/cli/elastix-engine.ts';
import { generatePhantom } from '../../src/core/phantom.ts';
import { registerToTemplate } from '../../src/core/registration.ts';
import type { RegistrationTemplate } from '../../src/core/registration-template.ts';
import { blockAverage2 } from '../../src/core/rigid-resample.ts';
import { applyRigid } from '../../src/core/rigid-transform.ts';
import { moveInArray } from '../../src/core/scan-variants.ts';
import { axisRotation } from '../../src/core/patch-affine.ts';
import type { Vec3 } from '../../src/core/types.ts';

function multiply(a: readonly number[], b: readonly number[]): number[] {
  return [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c]));
}

describe('registerToTemplate (elastix)', () => {
  const dims: Vec3 = [96, 112, 96];
  const { flair } = generatePhantom({ dims, seed: 4, noiseFraction: 0.02 });
  const small = blockAverage2(flair.data, dims);
  const template: RegistrationTemplate = { data: small.data, dims: small.dims, modelDims: dims, modelAffine: flair.affine };

  it('recovers a known rotation and shift within 1 degree and 1 mm', async () => {
    const rotateDeg: Vec3 = [7, -5, 9];
    const shiftMm: Vec3 = [4, -6, 3];
    const moved = moveInArray(flair, { rotateDeg, shiftMm }, false);
    const result = await registerToTemplate(template, moved.data, dims, nodeElastix);
    // moveInArray: moved(y) = head(c0 - s + R^T (y - c0)), so the template point x lies at y = R (x - c0 + s) + c0
    const r = rotateDeg.map((d) => (d * Math.PI) / 180);
    const rotation = multiply(multiply(axisRotation(2, r[2]), axisRotation(1, r[1])), axisRotation(0, r[0]));
    const c0 = dims.map((d) => (d - 1) / 2);
    const expected = (x: readonly number[]) => {
      const d = [x[0] - c0[0] + shiftMm[0], x[1] - c0[1] + shiftMm[1], x[2] - c0[2] + shiftMm[2]];
      return [0, 1, 2].map((row) => rotation[3 * row] * d[0] + rotation[3 * row + 1] * d[1] + rotation[3 * row + 2] * d[2] + c0[row]);
    };
    // the angle between the found and the true rotation: acos((trace(Rf^T R) - 1) / 2)
    const m = result.transform.matrix;
    let trace = 0;
    for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) trace += m[3 * k + i] * rotation[3 * k + i];
    expect((Math.acos(Math.min(1, (trace - 1) / 2)) * 180) / Math.PI).toBeLessThan(1);
    for (const point of [c0, [30, 40, 50], [70, 60, 35]]) {
      const found = applyRigid(result.transform, point as unknown as Vec3);
      const want = expected(point);
      expect(Math.hypot(found[0] - want[0], found[1] - want[1], found[2] - want[2])).toBeLessThan(1);
    }
    expect(result.identity).toBe(false);
    expect(result.rotationDeg).toBeGreaterThan(10);
  });

  it('finds next to nothing for the unmoved head and calls it none', async () => {
    const result = await registerToTemplate(template, flair.data, dims, nodeElastix);
    expect(result.rotationDeg).toBeLessThan(1);
    expect(result.shiftMm).toBeLessThan(1);
    expect(result.identity).toBe(true);
  });

  it('names a failed registration in one line', async () => {
    const failing = async () => { throw new Error('Too many samples map outside moving image buffer\nmore detail'); };
    await expect(registerToTemplate(template, flair.data, dims, failing)).rejects.toThrow(/^the registration to the template failed: Too many samples map outside moving image buffer$/);
  });
});
