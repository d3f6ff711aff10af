/**
 * What a NIfTI header must say before its voxels are read, each refusal naming its cause: the image's
 * size (refused above the scan limit from the header alone), bitpix against the datatype, the affine
 * (finite, not singular), voxel sizes (0.05-20 mm) and the scaling (finite, within float32). Pure;
 * used by nifti-io.ts and nifti-stream.ts.
 */
import type { Vec3 } from './types.ts';
import { affineSource, geometryFromHeader, mmPerUnit, niftiTypeByCode, storedPixdim, type NiftiTypeInfo } from './nifti-header.ts';
import { layoutOf, layoutView, readField, type NiftiLayout } from './nifti-layout.ts';

/**
 * Most voxels a scan may have: 512 x 512 x 512 (134 M; a 0.5 mm 3D FLAIR of 512 x 512 x 350 is 92 M).
 * As float32, the form every reader keeps, that is 512 MiB; larger images are refused from the header,
 * before any voxel is read or inflated.
 */
export const MAX_SCAN_VOXELS = 512 ** 3;
/**
 * Most bytes of stored voxels: 512 MiB (512^3 float32, 512 x 512 x 256 float64), so that the stored
 * image and its float32 copy stay within about 1 GiB.
 */
export const MAX_SCAN_BYTES = 2 ** 29;
/** Most bytes of header extensions (vox_offset) a file may put before its voxels. */
export const MAX_VOX_OFFSET_BYTES = 64 * 2 ** 20;
/** Voxel sizes (mm) outside this range are not an MRI scan's: a header's units or pixdim are wrong. */
export const VOXEL_SIZE_RANGE_MM: readonly [number, number] = [0.05, 20];

/** Where a header's image lies in the (decompressed) file, and how it is stored. */
export interface ImagePlan {
  dims: Vec3;
  type: NiftiTypeInfo;
  count: number;
  /** Byte offset of the first voxel. */
  offset: number;
  /** Byte offset just past the last voxel: offset + count * type.bytes. */
  end: number;
}

/** The i, j, k sizes from dim[0..7]; throws for 2D images and for more than one volume. */
function spatialDims(dim: number[]): Vec3 {
  const rank = dim[0];
  if (!(rank >= 1 && rank <= 7) || dim.slice(1, rank + 1).some((d) => !(d >= 1))) {
    throw new Error(`corrupt NIfTI header: invalid dim field [${dim.join(', ')}]`);
  }
  const sizes = [1, 2, 3].map((axis) => (axis <= rank ? dim[axis] : 1));
  const shape = dim.slice(1, rank + 1).join('x');
  if (rank < 3 || sizes.some((s) => s < 2)) {
    throw new Error(`image is 2D (${shape} voxels); a 3D volume with at least 2 voxels per axis is needed`);
  }
  const volumes = dim.slice(4, rank + 1).reduce((p, d) => p * d, 1);
  if (volumes > 1) {
    throw new Error(`image is 4D with ${volumes} volumes (${shape}); extract a single 3D volume first`);
  }
  return [sizes[0], sizes[1], sizes[2]];
}

const millions = (n: number): string => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} M`;

/**
 * The image a little-endian header declares: dims, voxel type and byte range. Throws for 2D/4D images,
 * unsupported datatypes, a bitpix that disagrees with the datatype, an absurd vox_offset and images
 * above MAX_SCAN_VOXELS or MAX_SCAN_BYTES, e.g. "image too large: the header declares 2048x2048x2048 float32 voxels
 * (8590 M voxels, 34360 MB); ...".
 */
export function planImage(header: Uint8Array, layout: NiftiLayout = layoutOf(header)): ImagePlan {
  const v = layoutView(header, layout);
  const dims = spatialDims([0, 1, 2, 3, 4, 5, 6, 7].map((i) => readField(v, layout.dim, i)));
  const type = niftiTypeByCode(readField(v, layout.datatype));
  const bitpix = readField(v, layout.bitpix);
  if (bitpix !== type.bytes * 8) {
    throw new Error(
      `corrupt NIfTI header: bitpix is ${bitpix} but datatype ${type.name} has ${type.bytes * 8} bits per voxel; ` +
        'fix the header (e.g. with nibabel) and retry',
    );
  }
  const count = dims[0] * dims[1] * dims[2];
  if (count > MAX_SCAN_VOXELS) {
    throw new Error(
      `image too large: the header declares ${dims.join('x')} ${type.name} voxels (${millions(count)} voxels, ` +
        `${Math.round((count * type.bytes) / 1e6)} MB), more than the ${millions(MAX_SCAN_VOXELS)} voxels ` +
        '(512x512x512) a scan may have here; crop or downsample it first',
    );
  }
  if (count * type.bytes > MAX_SCAN_BYTES) {
    throw new Error(
      `image too large: the header declares ${dims.join('x')} ${type.name} voxels (${Math.round((count * type.bytes) / 2 ** 20)} MiB ` +
        `stored), more than the 512 MiB of voxels a scan may have here; convert it to float32 or int16, or crop it`,
    );
  }
  const stored = readField(v, layout.voxOffset);
  if (!(stored <= MAX_VOX_OFFSET_BYTES)) {
    throw new Error(`corrupt NIfTI header: vox_offset ${stored} puts the voxels more than 64 MiB into the file`);
  }
  const offset = stored >= layout.headerBytes ? Math.floor(stored) : layout.dataOffset;
  return { dims, type, count, offset, end: offset + count * type.bytes };
}

const fmt = (xs: readonly number[]): string => xs.map((x) => (Number.isFinite(x) ? Number(x.toPrecision(4)) : x)).join(' x ');

/** |det| of the 3x3 part relative to its column lengths (1 for orthogonal axes, 0 when singular). */
function axisIndependence(a: number[][]): { det: number; ratio: number; norms: number[] } {
  const norms = [0, 1, 2].map((c) => Math.hypot(a[0][c], a[1][c], a[2][c]));
  const det =
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
    a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
    a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const scale = norms[0] * norms[1] * norms[2];
  return { det, ratio: scale > 0 ? Math.abs(det) / scale : 0, norms };
}

/**
 * The affine and voxel spacing of a little-endian header, checked: a non-finite or singular sform or
 * qform and voxel sizes outside VOXEL_SIZE_RANGE_MM are refused, each named as such; voxel sizes
 * (pixdim) that are zero, negative or not a number are read as 1 mm (or from the sform) with a note.
 */
export function checkedGeometry(header: Uint8Array): { affine: number[][]; spacingMm: Vec3; notes: string[] } {
  const layout = layoutOf(header);
  const v = layoutView(header, layout);
  const source = affineSource(header);
  const notes: string[] = [];
  const { affine, spacingMm } = geometryFromHeader(header);
  const code = source === 'sform' ? readField(v, layout.sformCode) : readField(v, layout.qformCode);
  const named = source === 'pixdim' ? 'the voxel sizes (pixdim)' : `the ${source} (${source}_code ${code})`;
  if (affine.some((row) => row.some((x) => !Number.isFinite(x)))) {
    const fields = source === 'sform' ? 'srow_x/y/z' : source === 'qform' ? 'quatern_b/c/d, qoffset_x/y/z' : 'pixdim';
    throw new Error(`${named} has entries that are not finite numbers (${fields}); fix the header's orientation and retry`);
  }
  const { det, ratio } = axisIndependence(affine);
  if (ratio < 1e-6) {
    throw new Error(`${named} is singular (determinant ${Number(det.toPrecision(3))}): its axes do not span 3D space; fix the header's orientation and retry`);
  }
  const stored = storedPixdim(header);
  if (stored.some((p) => !(p > 0 && Number.isFinite(p)))) {
    const how = source === 'sform'
      ? `the voxel sizes were taken from the sform (${fmt(spacingMm)} mm)`
      : 'a voxel size that is zero, negative or not a number was read as 1 mm (as nifti1_io does)';
    notes.push(`its header gives voxel sizes (pixdim) of ${fmt(stored)}; ${how}: check the scan's voxel sizes`);
  }
  const [low, high] = VOXEL_SIZE_RANGE_MM;
  const columns = axisIndependence(affine).norms;
  for (const [what, sizes] of [['voxel sizes', spacingMm], [`the ${source}'s voxel sizes`, columns]] as const) {
    if (sizes.every((s) => s >= low && s <= high)) continue;
    const unit = mmPerUnit(header) === 1 ? 'mm' : mmPerUnit(header) === 1000 ? 'metres' : 'microns';
    throw new Error(
      `${what} ${fmt(sizes)} mm are outside ${low}-${high} mm, not those of an MRI scan; ` +
        `check the header's pixdim, sform/qform and units (xyzt_units says ${unit})`,
    );
  }
  return { affine, spacingMm, notes };
}

/**
 * scl_slope and scl_inter as applied to the stored values: a slope of 0 or NaN means no scaling (as
 * nifti1.h and nibabel, which writes NaN for unscaled images), a NaN intercept counts as 0; an
 * infinite slope or intercept is refused.
 */
export function checkedScaling(header: Uint8Array): { slope: number; inter: number } {
  const layout = layoutOf(header);
  const v = layoutView(header, layout);
  const slope = readField(v, layout.sclSlope);
  const inter = readField(v, layout.sclInter);
  if (slope === 0 || Number.isNaN(slope)) return { slope: 1, inter: 0 };
  if (!Number.isFinite(slope) || !Number.isFinite(inter) && !Number.isNaN(inter)) {
    throw new Error(
      `the header's scaling is infinite (scl_slope ${slope}, scl_inter ${inter}): every voxel would be infinite; ` +
        'fix scl_slope/scl_inter (scl_slope 0 means unscaled)',
    );
  }
  return { slope, inter: Number.isNaN(inter) ? 0 : inter };
}

/** The message for a finite scaling that takes finite stored values beyond float32's range. */
export function scalingOverflowMessage(slope: number, inter: number, storedMax: number): string {
  return (
    `the header's scaling (scl_slope ${slope}, scl_inter ${inter}) takes stored values of up to ${storedMax} ` +
    "beyond float32's range (3.4e38); the stored voxels are finite: fix scl_slope/scl_inter"
  );
}
