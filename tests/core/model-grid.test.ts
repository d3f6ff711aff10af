import { describe, expect, it } from 'vitest';
import { coarsestVoxelMm, describeModelGrid, fromModelGrid, maskToModelGrid, orientationNote, planModelGrid, thickSliceNote, toModelGrid, volumeOnModelGrid } from '../../src/core/model-grid.ts';
import { readNifti, writeNifti } from '../../src/core/nifti-io.ts';
import type { Affine, Vec3, Volume } from '../../src/core/types.ts';

/** Voxel (i, j, k) to world through a 4x4 affine. */
function toWorld(affine: Affine, ijk: readonly number[]): number[] {
  return [0, 1, 2].map((r) => affine[r][0] * ijk[0] + affine[r][1] * ijk[1] + affine[r][2] * ijk[2] + affine[r][3]);
}

/** World to voxel through the inverse of the affine's 3x3 part (Cramer's rule). */
function toVoxel(affine: Affine, world: readonly number[]): number[] {
  const m = [0, 1, 2].map((r) => [0, 1, 2].map((c) => affine[r][c]));
  const d = world.map((w, r) => w - affine[r][3]);
  const det = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const full = det(m);
  return [0, 1, 2].map((c) => det(m.map((row, r) => row.map((v, cc) => (cc === c ? d[r] : v)))) / full);
}

function volumeFrom(dims: Vec3, affine: Affine, value: (ijk: number[]) => number): Volume {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) data[i + dims[0] * (j + dims[1] * k)] = value([i, j, k]);
  const spacingMm = [0, 1, 2].map((c) => Math.hypot(affine[0][c], affine[1][c], affine[2][c])) as unknown as Vec3;
  return { dims, spacingMm, affine, data, dataType: 'float32' };
}

function eachVoxel(dims: Vec3, visit: (ijk: number[], index: number) => void): void {
  let n = 0;
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) visit([i, j, k], n++);
}

const MNI: Affine = [[-1, 0, 0, 90], [0, 1, 0, -126], [0, 0, 1, -72], [0, 0, 0, 1]];

describe('model grid (reorientation and 1 mm resampling)', () => {
  it('leaves a scan on the training grid (LAS, 1 mm) untouched', () => {
    const scan = volumeFrom([4, 5, 6], MNI, ([i, j, k]) => i + 10 * j + 100 * k);
    const plan = planModelGrid(scan);
    expect(plan.identity).toBe(true);
    expect(toModelGrid(scan.data, plan)).toBe(scan.data);
    expect(describeModelGrid(plan)).toBeNull();
    expect(thickSliceNote(plan)).toBeNull();
    // 0.99 mm is within the tolerance: no resampling either
    expect(planModelGrid({ dims: [4, 5, 6], affine: [[-0.99, 0, 0, 0], [0, 0.99, 0, 0], [0, 0, 0.99, 0], [0, 0, 0, 1]] }).identity).toBe(true);
  });

  it('reorders a sagittal scan losslessly: every model voxel holds the scan voxel at its world position', () => {
    // array axes pointing A, I, R (a sagittal acquisition), 1 mm
    const affine: Affine = [[0, 0, 1, -3], [1, 0, 0, 2], [0, -1, 0, 7], [0, 0, 0, 1]];
    const scan = volumeFrom([5, 6, 7], affine, ([i, j, k]) => Math.sin(i * 1.3 + j * 0.7) + k * k + 0.01 * i * j);
    const plan = planModelGrid(scan);
    expect(plan.identity).toBe(false);
    expect(plan.dims).toEqual([7, 5, 6]);
    expect(describeModelGrid(plan)).toContain('reoriented from AIR to LAS');
    const model = volumeOnModelGrid(scan, plan);
    // the model grid's axes point L, A, S like the training data's
    expect(Math.sign(model.affine[0][0])).toBe(-1);
    expect(Math.sign(model.affine[1][1])).toBe(1);
    expect(Math.sign(model.affine[2][2])).toBe(1);
    eachVoxel(model.dims, (ijk, index) => {
      const source = toVoxel(scan.affine, toWorld(model.affine, ijk)).map(Math.round);
      expect(model.data[index]).toBe(scan.data[source[0] + 5 * (source[1] + 6 * source[2])]);
    });
    expect(fromModelGrid(model.data, plan)).toEqual(scan.data);
  });

  it('resamples thick slices to 1 mm exactly for a linear field inside the scan, and maps back', () => {
    // LAS with 3 mm slices and 0.5 mm in-plane along i
    const affine: Affine = [[-0.5, 0, 0, 10], [0, 1, 0, -4], [0, 0, 3, 5], [0, 0, 0, 1]];
    const field = (w: number[]) => 2 * w[0] - w[1] + 0.5 * w[2] + 3;
    const scan = volumeFrom([12, 7, 5], affine, (ijk) => field(toWorld(affine, ijk)));
    const plan = planModelGrid(scan);
    expect(plan.dims).toEqual([6, 7, 15]);
    expect(describeModelGrid(plan)).toContain('resampled from 0.5 x 1 x 3 mm voxels to 1 mm');
    expect(thickSliceNote(plan)).toContain('3 mm long along one axis (thick slices)');
    // 1.9 mm voxels are resampled but not thick slices
    const finer = planModelGrid({ dims: [4, 5, 6], affine: [[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1.9, 0], [0, 0, 0, 1]] });
    expect(thickSliceNote(finer)).toBeNull();
    // the longest voxel side of a scan the model grid resamples; a reordered 1 mm scan and finer voxels read 1
    expect([coarsestVoxelMm(plan), coarsestVoxelMm(finer)]).toEqual([3, 1.9]);
    expect(describeModelGrid(finer)).toMatch(/the map recalibrated for the interpolation/);
    expect(coarsestVoxelMm(planModelGrid({ dims: [4, 5, 6], affine: [[0, 0, 1, 0], [-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]] }))).toBe(1);
    const half = planModelGrid({ dims: [4, 5, 6], affine: [[-0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 0.5, 0], [0, 0, 0, 1]] });
    expect(coarsestVoxelMm(half)).toBe(1);
    expect(describeModelGrid(half)).not.toMatch(/recalibrated/);
    const model = volumeOnModelGrid(scan, plan);
    expect(model.spacingMm).toEqual([1, 1, 1]);
    let inside = 0;
    eachVoxel(model.dims, (ijk, index) => {
      const source = toVoxel(scan.affine, toWorld(model.affine, ijk));
      if (source[2] < 0 || source[2] > 4) return; // clamped at the first and last slice
      inside++;
      expect(model.data[index]).toBeCloseTo(field(toWorld(model.affine, ijk)), 3);
    });
    expect(inside).toBe(6 * 7 * 13);
    // back on the scan's grid: voxels clamped in neither direction (not on the first or last
    // slice, nor at i 0 or 11, whose centres lie outside the 1 mm grid's) come back exactly
    const back = fromModelGrid(model.data, plan);
    eachVoxel(scan.dims, ([i, j, k], index) => {
      if (k === 0 || k === 4 || i === 0 || i === 11) return;
      expect(back[index]).toBeCloseTo(scan.data[i + 12 * (j + 7 * k)], 3);
    });
  });

  it('cubic interpolation reproduces a quadratic field away from the edges, where linear cannot', () => {
    // 1.25 mm slices: every model voxel falls between two slices at some fraction
    const affine: Affine = [[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1.25, 0], [0, 0, 0, 1]];
    const field = (w: number[]) => 0.3 * w[2] ** 2 - 2 * w[2] + 0.5 * w[0] + 7;
    const scan = volumeFrom([3, 2, 16], affine, (ijk) => field(toWorld(affine, ijk)));
    const plan = planModelGrid(scan);
    expect(plan.dims).toEqual([3, 2, 20]);
    const cubic = volumeOnModelGrid(scan, plan, 'cubic');
    const linear = volumeOnModelGrid(scan, plan, 'linear');
    let worstLinear = 0;
    eachVoxel(cubic.dims, (ijk, index) => {
      const source = toVoxel(scan.affine, toWorld(cubic.affine, ijk));
      if (source[2] < 1 || source[2] > 14) return; // the cubic's four taps lie inside the scan
      const truth = field(toWorld(cubic.affine, ijk));
      expect(cubic.data[index]).toBeCloseTo(truth, 3);
      worstLinear = Math.max(worstLinear, Math.abs(linear.data[index] - truth));
    });
    // linear's error on this curvature: up to 0.3 * 1.25^2 / 4 = 0.117 midway between slices
    expect(worstLinear).toBeGreaterThan(0.05);
    // a constant stays constant, up to the clamped edges
    const flat = volumeOnModelGrid(volumeFrom([3, 2, 16], affine, () => 4), plan, 'cubic');
    for (const v of flat.data) expect(v).toBeCloseTo(4, 5);
  });

  it('B-spline interpolation reproduces a cubic field away from the edges, where Keys\' kernel cannot', () => {
    const affine: Affine = [[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1.25, 0], [0, 0, 0, 1]];
    const field = (w: number[]) => 0.05 * (w[2] - 15) ** 3 + 0.3 * w[2] ** 2 - 2 * w[2] + 0.5 * w[0] + 7;
    const scan = volumeFrom([3, 2, 24], affine, (ijk) => field(toWorld(affine, ijk)));
    const plan = planModelGrid(scan);
    const spline = volumeOnModelGrid(scan, plan, 'bspline');
    const keys = volumeOnModelGrid(scan, plan, 'cubic');
    let worstKeys = 0;
    let checked = 0;
    eachVoxel(spline.dims, (ijk, index) => {
      const source = toVoxel(scan.affine, toWorld(spline.affine, ijk));
      if (source[2] < 8 || source[2] > 15) return; // the mirrored edges' effect falls by 0.268 a slice
      const truth = field(toWorld(spline.affine, ijk));
      expect(spline.data[index]).toBeCloseTo(truth, 3);
      worstKeys = Math.max(worstKeys, Math.abs(keys.data[index] - truth));
      checked++;
    });
    expect(checked).toBeGreaterThan(40);
    expect(worstKeys).toBeGreaterThan(0.003);
    const flat = volumeOnModelGrid(volumeFrom([3, 2, 24], affine, () => 4), plan, 'bspline');
    for (const v of flat.data) expect(v).toBeCloseTo(4, 5);
  });

  it('keeps the array order of a file whose header gives no orientation, and only resamples it', () => {
    const affine: Affine = [[0, 0, 1, 0], [2, 0, 0, 0], [0, -1, 0, 0], [0, 0, 0, 1]];
    const bytes = writeNifti(volumeFrom([4, 5, 6], affine, ([i]) => i), 'float32');
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setInt16(252, 0, true); // qform_code
    view.setInt16(254, 0, true); // sform_code
    const plan = planModelGrid(readNifti(bytes)); // affine diag(pixdim) = diag(2, 1, 1)
    expect(plan.axes).toEqual([0, 1, 2]);
    expect(plan.flips).toEqual([false, false, false]);
    expect(plan.dims).toEqual([8, 5, 6]);
    expect(describeModelGrid(plan)).not.toContain('reoriented');
    // the user is told that the axis order was assumed
    expect(orientationNote(plan)).toMatch(/gives no orientation .*LAS/);
    expect(orientationNote(planModelGrid(readNifti(writeNifti(volumeFrom([4, 5, 6], affine, ([i]) => i), 'float32'))))).toBeNull();
  });

  it('moves a mask to the model grid as a mask: a thick slice of lesion becomes three 1 mm slices', () => {
    const affine: Affine = [[-1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 3, 0], [0, 0, 0, 1]];
    const mask = volumeFrom([2, 2, 5], affine, ([, , k]) => (k === 2 ? 7 : 0)); // any nonzero label is lesion
    const onGrid = maskToModelGrid(mask.data, planModelGrid(mask));
    const perSlice = Array.from({ length: 15 }, (_, z) => onGrid.subarray(4 * z, 4 * z + 4).reduce((s, v) => s + v, 0));
    expect(perSlice).toEqual([0, 0, 0, 0, 0, 0, 4, 4, 4, 0, 0, 0, 0, 0, 0]);
  });

  it('refuses a field of view too large to run at 1 mm, with its size', () => {
    expect(() => planModelGrid({ dims: [200, 200, 100], affine: [[-2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 5, 0], [0, 0, 0, 1]] })).toThrow(/covers 400 x 400 x 500 mm.*crop it/);
  });

  it('refuses a degenerate affine', () => {
    expect(() => planModelGrid({ dims: [2, 2, 2], affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1]] })).toThrow(/degenerate/);
  });
});
