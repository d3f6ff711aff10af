/**
 * One DICOM series to a Volume with dcm2niix (the WASM build of @niivue/dcm2niix), then readNifti:
 * the geometry and voxel order are dcm2niix's own, so a mask made on the result is voxel for voxel
 * on the grid of the NIfTI file dcm2niix writes for the same series. The Emscripten module is
 * injected (`Dcm2niixFactory`): the browser worker and the Node CLI load the same WASM their own way.
 */
import { assertConvertible, sliceStack } from './dicom-checks.ts';
import { type DicomFile, type DicomSeries, seriesLabel } from './dicom-series.ts';
import { readNifti } from './nifti-io.ts';
import type { Volume } from './types.ts';

/** The part of an Emscripten module of dcm2niix used here: its in-memory file system and main(). */
export interface Dcm2niixModule {
  FS: {
    mkdir(path: string): void;
    writeFile(path: string, data: Uint8Array): void;
    readdir(path: string): string[];
    readFile(path: string): Uint8Array;
  };
  callMain(args: string[]): number;
}

/** Makes a fresh module (dcm2niix keeps state between runs, so one per conversion); lines it prints go to `print`. */
export type Dcm2niixFactory = (print: (line: string) => void) => Promise<Dcm2niixModule>;

/** A converted series: the volume, a file name for it (no patient data) and its source series. */
export interface ConvertedSeries {
  name: string;
  volume: Volume;
  series: DicomSeries;
}

/**
 * dcm2niix's options: one uncompressed NIfTI named `series` (no patient tags in any name), no
 * sidecar, 16-bit values kept as stored with RescaleSlope/Intercept in scl_slope/scl_inter.
 */
export const DCM2NIIX_ARGS = ['-f', 'series', '-z', 'n', '-b', 'n', '-l', 'o', '-i', 'n'];

/**
 * Checks `series` (dicom-checks), converts its files with dcm2niix and reads the result. Throws
 * one line naming the series (`series 3 "AX FLAIR" ...`) when the series fails a check, when
 * dcm2niix makes no NIfTI or several, or when the NIfTI is not one 3D volume.
 *
 * @example const { volume } = await convertSeries(factory, scan.series[0], filesByName);
 */
export async function convertSeries(
  factory: Dcm2niixFactory, series: DicomSeries, files: ReadonlyMap<string, Uint8Array>,
): Promise<ConvertedSeries> {
  assertConvertible(series);
  const label = seriesLabel(series);
  const printed: string[] = [];
  const mod = await factory((line) => printed.push(line));
  mod.FS.mkdir('/in');
  mod.FS.mkdir('/out');
  series.instances.forEach((instance, n) => {
    const bytes = files.get(instance.fileName);
    if (!bytes) throw new Error(`${label}: file ${instance.fileName} was not given to the converter`);
    mod.FS.writeFile(`/in/${n}.dcm`, bytes);
  });
  let status: number;
  try {
    status = mod.callMain([...DCM2NIIX_ARGS, '-o', '/out', '/in']);
  } catch (error) {
    status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : -1;
  }
  const outputs = mod.FS.readdir('/out').filter((f) => /\.nii$/.test(f));
  if (outputs.length !== 1) {
    const why = printed.filter((l) => /error|unsupported|unable/i.test(l)).slice(0, 2).join('; ');
    const what = outputs.length === 0 ? 'made no volume' : `made ${outputs.length} volumes (echoes or stacks)`;
    throw new Error(`${label}: the converter (dcm2niix, exit ${status}) ${what}${why ? `: ${why}` : ''}`);
  }
  const volume = readNifti(mod.FS.readFile(`/out/${outputs[0]}`), label);
  return { name: seriesFileName(series), volume, series };
}

/**
 * A file name for a converted series: its number and description, characters outside
 * [A-Za-z0-9_-] replaced (the description only; patient tags are never used).
 * @example seriesFileName(s) // 'series-3_AX_FLAIR.nii'
 */
export function seriesFileName(series: Pick<DicomSeries, 'seriesNumber' | 'description' | 'protocolName'>): string {
  const name = (series.description || series.protocolName).replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  const number = series.seriesNumber === null ? 'series' : `series-${series.seriesNumber}`;
  return `${number}${name ? `_${name}` : ''}.nii`;
}

/** Files by name, for convertSeries. */
export function filesByName(files: readonly DicomFile[]): Map<string, Uint8Array> {
  return new Map(files.map((f) => [f.name, f.bytes]));
}

/** What a series list shows: size, voxel size (mm) and slice count from the headers. */
export interface SeriesSummary {
  label: string;
  description: string;
  sequenceName: string;
  slices: number;
  /** Columns x rows x slices. */
  size: [number, number, number];
  /** Between columns, between rows, between slices (mm); NaN where unknown. */
  voxelMm: [number, number, number];
  /** Why it cannot be converted, or null. */
  problem: string | null;
}

/** The summary of a series for lists (no conversion). */
export function summarizeSeries(series: DicomSeries, problem: string | null): SeriesSummary {
  const first = series.instances[0];
  const frames = series.instances.length === 1 ? first.frames : series.instances.length;
  const spacing = first.pixelSpacingMm ?? [Number.NaN, Number.NaN];
  const step = problem === null && series.instances.length > 1 ? sliceStack(series).spacingMm : Number.NaN;
  return {
    label: seriesLabel(series), description: series.description || series.protocolName, sequenceName: series.sequenceName,
    slices: frames, size: [first.columns, first.rows, frames], voxelMm: [spacing[1], spacing[0], step], problem,
  };
}
