/**
 * Helpers of the DICOM tests, independent of src/core/dicom-geometry.ts: a 4x4 inverse by
 * Gauss-Jordan elimination, rotations, and the map of one voxel grid onto another that shares its
 * voxel centres (a signed axis permutation, as dcm2niix's output is of the phantom's grid).
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import type { DicomFile } from '../../src/core/dicom-series.ts';
import type { Affine, Vec3, Volume } from '../../src/core/types.ts';

/** Inverse of a 4x4 matrix by Gauss-Jordan elimination with partial pivoting. */
export function inverse4(m: Affine): number[][] {
  const a = m.map((row, r) => [...row, ...[0, 1, 2, 3].map((c) => (c === r ? 1 : 0))]);
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r][c]) > Math.abs(a[p][c])) p = r;
    [a[c], a[p]] = [a[p], a[c]];
    const d = a[c][c];
    for (let k = 0; k < 8; k++) a[c][k] /= d;
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r][c];
      for (let k = 0; k < 8; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row) => row.slice(4));
}

export function multiply4(a: Affine, b: Affine): number[][] {
  return [0, 1, 2, 3].map((r) => [0, 1, 2, 3].map((c) => a[r].reduce((s, _, k) => s + a[r][k] * b[k][c], 0)));
}

/** Rotation by `deg` degrees about world axis x (0), y (1) or z (2), as a 4x4. */
export function rotation4(axis: 0 | 1 | 2, deg: number): number[][] {
  const c = Math.cos((deg * Math.PI) / 180);
  const s = Math.sin((deg * Math.PI) / 180);
  const [p, q] = [0, 1, 2].filter((a) => a !== axis);
  const m = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  m[p][p] = c; m[p][q] = -s; m[q][p] = s; m[q][q] = c;
  return m;
}

/**
 * `volume`'s voxels in the voxel order of `reference` (same voxel centres in world space): checks
 * that inverse(reference.affine) * volume.affine is a signed permutation with whole-voxel offsets
 * (to `tol`), then copies each voxel to its place. Throws when the grids do not share centres.
 */
export function onGridOf(volume: Volume, reference: Pick<Volume, 'dims' | 'affine'>, tol = 1e-3): Float32Array {
  const m = multiply4(inverse4(reference.affine), volume.affine);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 4; c++) {
      const v = m[r][c];
      if (Math.abs(v - Math.round(v)) > tol) throw new Error(`grids differ: voxel map entry [${r}][${c}] = ${v}`);
    }
    if (m[r].slice(0, 3).filter((v) => Math.round(v) !== 0).length !== 1) throw new Error(`grids differ: row ${r} of ${JSON.stringify(m)}`);
  }
  const out = new Float32Array(reference.dims[0] * reference.dims[1] * reference.dims[2]).fill(Number.NaN);
  const [nx, ny, nz] = volume.dims;
  const R = m.map((row) => row.map(Math.round));
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const t = [0, 1, 2].map((r) => R[r][0] * i + R[r][1] * j + R[r][2] * k + R[r][3]) as unknown as Vec3;
    if (t.some((x, a) => x < 0 || x >= reference.dims[a])) throw new Error(`voxel ${i},${j},${k} falls outside the reference grid`);
    out[t[0] + reference.dims[0] * (t[1] + reference.dims[1] * t[2])] = volume.data[i + nx * (j + ny * k)];
  }
  return out;
}

/** Largest absolute difference of two arrays of equal length (NaN anywhere gives NaN). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let n = 0; n < a.length; n++) {
    const d = Math.abs(a[n] - b[n]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Number.NaN : d;
    if (Number.isNaN(worst)) return worst;
  }
  return worst;
}

/** `file` with its dataset (and meta) changed by `edit`, written again with dcmjs. */
export function edited(file: DicomFile, edit: (ds: NaturalDataset, meta: NaturalDataset) => void): DicomFile {
  const dict = dcmjs.data.DicomMessage.readFile(file.bytes.slice().buffer);
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
  const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
  edit(ds, meta);
  dict.meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  return { name: file.name, bytes: new Uint8Array(dict.write()) };
}

