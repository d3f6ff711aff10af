/**
 * Checks that a DICOM series is one 3D scan the converter can turn into a volume: not a secondary
 * capture or a localizer, a transfer syntax dcm2niix reads, one orientation and image size, and
 * slices at equal steps (none missing or doubled). Messages name the series by number and
 * description only (seriesLabel), never the patient.
 */
import { cross, dot } from './dicom-geometry.ts';
import { type DicomInstance, type DicomSeries, seriesLabel } from './dicom-series.ts';
import type { Vec3 } from './types.ts';

/**
 * Transfer syntaxes the WASM dcm2niix with JPEG support (@niivue/dcm2niix/jpeg) decodes: native
 * little/big endian, JPEG baseline, extended and lossless, JPEG-LS, JPEG 2000 and RLE.
 */
export const READABLE_TRANSFER_SYNTAXES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2': 'implicit VR little endian',
  '1.2.840.10008.1.2.1': 'explicit VR little endian',
  '1.2.840.10008.1.2.2': 'explicit VR big endian',
  '1.2.840.10008.1.2.4.50': 'JPEG baseline',
  '1.2.840.10008.1.2.4.51': 'JPEG extended',
  '1.2.840.10008.1.2.4.57': 'JPEG lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS near-lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE lossless',
};

const SECONDARY_CAPTURE_PREFIX = '1.2.840.10008.5.1.4.1.1.7';

/** Slice positions of a series along its normal, sorted, with the instances in that order. */
export interface SliceStack {
  instances: DicomInstance[];
  /** Position of each slice along the normal (mm), ascending. */
  offsetsMm: number[];
  /** Unit normal (row direction x column direction), LPS. */
  normal: Vec3;
  /** Median step between slices (mm). */
  spacingMm: number;
}

/**
 * Why `series` cannot be converted as one 3D scan, or null when it can. Single-frame series get
 * every check; an enhanced multi-frame object (one file, many frames) only the class and transfer
 * syntax checks, its geometry being per frame inside it (dcm2niix reads that).
 */
export function seriesProblem(series: DicomSeries): string | null {
  const first = series.instances[0];
  if (series.sopClassUid.startsWith(SECONDARY_CAPTURE_PREFIX)) {
    return 'is a secondary capture (a picture of images, without scanner geometry), not a scan; export the original series';
  }
  const syntax = series.instances.find((i) => !(i.transferSyntaxUid in READABLE_TRANSFER_SYNTAXES));
  if (syntax) {
    return `uses transfer syntax ${syntax.transferSyntaxUid}, which the converter cannot decode; ` +
      'export it uncompressed (or JPEG, JPEG-LS, JPEG 2000, RLE)';
  }
  if (series.instances.some((i) => i.imageType.includes('LOCALIZER'))) return 'is a localizer (scout), not a 3D scan';
  if (series.instances.length === 1 && first.frames > 1) return null;
  if (series.instances.length < 2) return 'has a single 2D image, not a 3D scan';
  if (series.instances.some((i) => i.positionMm === null || i.orientation === null || i.pixelSpacingMm === null)) {
    return 'lacks ImagePositionPatient, ImageOrientationPatient or PixelSpacing, so its geometry is unknown';
  }
  if (series.instances.some((i) => i.rows !== first.rows || i.columns !== first.columns)) {
    return 'mixes image sizes; it is not one 3D scan';
  }
  if (series.instances.some((i) => !sameOrientation(i.orientation as number[], first.orientation as number[]))) {
    return 'mixes slice orientations (a localizer or several stacks); it is not one 3D scan';
  }
  const stack = sliceStack(series);
  return stackProblem(stack);
}

/** Throws `<series label> <problem>` when seriesProblem finds one. */
export function assertConvertible(series: DicomSeries): void {
  const problem = seriesProblem(series);
  if (problem) throw new Error(`${seriesLabel(series)} ${problem}`);
}

/** The instances sorted along the slice normal; needs positions and orientations (seriesProblem). */
export function sliceStack(series: DicomSeries): SliceStack {
  const o = series.instances[0].orientation as number[];
  const normal = cross([o[0], o[1], o[2]], [o[3], o[4], o[5]]);
  const sorted = series.instances
    .map((instance) => ({ instance, offset: dot(instance.positionMm as Vec3, normal) }))
    .sort((a, b) => a.offset - b.offset);
  const offsetsMm = sorted.map((s) => s.offset);
  const steps = offsetsMm.slice(1).map((v, n) => v - offsetsMm[n]);
  const spacingMm = median(steps);
  return { instances: sorted.map((s) => s.instance), offsetsMm, normal, spacingMm };
}

/** Duplicated, missing or unequally spaced slices, in one line; null for an even stack. */
function stackProblem(stack: SliceStack): string | null {
  const { offsetsMm, spacingMm } = stack;
  const steps = offsetsMm.slice(1).map((v, n) => v - offsetsMm[n]);
  const doubled = steps.filter((s) => s < 1e-3).length;
  if (doubled > 0) {
    return `has ${doubled} duplicated slice${doubled > 1 ? 's' : ''} (two images at one position); ` +
      'remove the copies or export the series again';
  }
  const tol = Math.max(0.01, 0.02 * spacingMm);
  const uneven = steps.filter((s) => Math.abs(s - spacingMm) > tol);
  if (uneven.length === 0) return null;
  const gaps = uneven.map((s) => s / spacingMm);
  if (gaps.every((g) => g > 1.5 && Math.abs(g - Math.round(g)) < 0.05)) {
    const missing = gaps.reduce((sum, g) => sum + Math.round(g) - 1, 0);
    return `is missing ${missing} slice${missing > 1 ? 's' : ''} (${offsetsMm.length} of ${offsetsMm.length + missing}, ` +
      `a gap in the ${spacingMm.toFixed(2)} mm steps); copy the whole series`;
  }
  const lo = Math.min(...steps);
  const hi = Math.max(...steps);
  return `has unequal slice spacing (${lo.toFixed(2)} to ${hi.toFixed(2)} mm between slices); it cannot be read as one regular 3D grid`;
}

function sameOrientation(a: readonly number[], b: readonly number[]): boolean {
  return a.every((v, n) => Math.abs(v - b[n]) < 1e-4);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
