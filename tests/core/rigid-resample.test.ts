import { describe, expect, it } from 'vitest';
import { blockAverage2, resampleMaskRigid, resampleRigid, resampleRigidBSpline, resampleRigidPeak } from '../../src/core/rigid-resample.ts';
import { eulerMatrix, identityRigid, invertRigid } from '../../src/core/rigid-transform.ts';
import type { Vec3 } from '../../src/core/types.ts';

const dims: Vec3 = [9, 8, 7];
const ramp = Float32Array.from({ length: 9 * 8 * 7 }, (_, v) => v % 9 + 2 * (Math.floor(v / 9) % 8) + 3 * Math.floor(v / 72));

describe('resampleRigid', () => {
  it('copies through the identity, linear and B-spline', () => {
    expect(Array.from(resampleRigid(ramp, dims, dims, identityRigid()))).toEqual(Array.from(ramp));
    resampleRigidBSpline(ramp, dims, dims, identityRigid()).forEach((x, v) => expect(x).toBeCloseTo(ramp[v], 4));
  });
  it('moves by whole voxels exactly: output x reads the source at x + t, 0 outside', () => {
    const out = resampleRigid(ramp, dims, dims, { ...identityRigid(), translation: [1, 0, 0] });
    expect(out[0]).toBe(ramp[1]);
    expect(out[8]).toBe(0);
  });
  it('reproduces a linear ramp at sub-voxel positions (both interpolations reproduce linear fields)', () => {
    const t = { matrix: eulerMatrix(0.05, -0.04, 0.1), centre: [4, 3.5, 3] as Vec3, translation: [0.3, -0.2, 0.1] as Vec3 };
    const lin = resampleRigid(ramp, dims, dims, t);
    const cub = resampleRigidBSpline(ramp, dims, dims, t);
    // the centre voxel (4, 3, 3) reads the source at R((4,3,3) - c) + c + t, well inside
    const v = 4 + 9 * (3 + 8 * 3);
    const d = [0, -0.5, 0];
    const m = t.matrix;
    const p = [0, 1, 2].map((r) => m[3 * r] * d[0] + m[3 * r + 1] * d[1] + m[3 * r + 2] * d[2] + t.centre[r] + t.translation[r]);
    const expected = p[0] + 2 * p[1] + 3 * p[2];
    expect(lin[v]).toBeCloseTo(expected, 4);
    // the spline's mirrored edges, three voxels off, pull it by 0.268^3 of their mismatch (0.0025 here)
    expect(cub[v]).toBeCloseTo(expected, 2);
  });
  it('keeps a constant field exactly constant on the way back (clamped edges), whatever the turn', () => {
    const constant = new Float32Array(40 * 36 * 30).fill(0.7310585975646973);
    const t = { matrix: eulerMatrix(0.2, -0.15, 0.25), centre: [20, 18, 15] as Vec3, translation: [3.3, -4.1, 2.7] as Vec3 };
    const back = resampleRigid(constant, [40, 36, 30], [33, 41, 29], invertRigid(t), 'clamp');
    expect(back.every((x) => x === constant[0])).toBe(true);
  });
  it('cuts a moved mask at 0.5', () => {
    const mask = new Uint8Array(9 * 8 * 7);
    mask[4 + 9 * (4 + 8 * 3)] = 1;
    const moved = resampleMaskRigid(mask, dims, dims, { ...identityRigid(), translation: [0.4, 0, 0] });
    expect(moved.reduce((a, b) => a + b, 0)).toBe(1);
    expect(moved[4 + 9 * (4 + 8 * 3)]).toBe(1);
  });
});

describe('blockAverage2', () => {
  it('averages 2x2x2 blocks and drops a trailing odd voxel', () => {
    const { data, dims: half } = blockAverage2(ramp, dims);
    expect(half).toEqual([4, 4, 3]);
    // block (0,0,0): i 0-1, j 0-1, k 0-1 of i + 2j + 3k: mean 0.5 + 1 + 1.5
    expect(data[0]).toBeCloseTo(3, 6);
    expect(data[1 + 4 * (2 + 4 * 1)]).toBeCloseTo(2.5 + 2 * 4.5 + 3 * 2.5, 5);
  });
});

describe('resampleRigidPeak', () => {
  const spike = (at: Vec3): Float32Array => { const d = new Float32Array(9 * 8 * 7); d[at[0] + 9 * (at[1] + 8 * at[2])] = 1; return d; };
  it('keeps a one-voxel peak read half a voxel off, where trilinear halves it', () => {
    const t = { ...identityRigid(), translation: [0.5, 0, 0] as Vec3 };
    const lin = resampleRigid(spike([4, 3, 2]), dims, dims, t, 'clamp');
    const peak = resampleRigidPeak(spike([4, 3, 2]), dims, dims, t);
    // output i reads the source at i + 0.5: voxels 3 and 4 read between source 3-4 and 4-5
    for (const i of [3, 4]) {
      expect(lin[i + 9 * (3 + 8 * 2)]).toBe(0.5);
      expect(peak[i + 9 * (3 + 8 * 2)]).toBe(1);
    }
    expect(Array.from(peak).reduce((a, b) => a + b, 0)).toBe(2);
  });
  it('reads one voxel where the position falls on one: a whole-voxel move is not widened', () => {
    const t = { ...identityRigid(), translation: [1, -1, 2] as Vec3 };
    expect(Array.from(resampleRigidPeak(ramp, dims, dims, t))).toEqual(Array.from(resampleRigid(ramp, dims, dims, t, 'clamp')));
    expect(Array.from(resampleRigidPeak(ramp, dims, dims, identityRigid()))).toEqual(Array.from(ramp));
  });
  it('is never below trilinear, never above the highest voxel read, and keeps a constant', () => {
    const t = { matrix: eulerMatrix(0.2, -0.15, 0.25), centre: [4, 3.5, 3] as Vec3, translation: [0.7, -0.4, 0.3] as Vec3 };
    const noise = Float32Array.from({ length: 9 * 8 * 7 }, (_, v) => (Math.sin(v * 12.9898) * 43758.5453) % 1);
    const lin = resampleRigid(noise, dims, dims, t, 'clamp');
    const peak = resampleRigidPeak(noise, dims, dims, t);
    const top = Math.max(...noise);
    let wrong = 0;
    peak.forEach((p, v) => { if (p < lin[v] - 1e-6 || p > top) wrong++; });
    expect(wrong).toBe(0);
    expect(resampleRigidPeak(new Float32Array(9 * 8 * 7).fill(0.25), dims, [5, 6, 4], t).every((x) => x === 0.25)).toBe(true);
  });
});
