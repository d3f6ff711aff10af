/**
 * A Volume written as a classic DICOM MR series: one file per slice along a chosen voxel axis,
 * int16 pixels with RescaleSlope/RescaleIntercept, geometry (ImagePositionPatient,
 * ImageOrientationPatient, PixelSpacing) from the volume's affine. The tests and the e2e checks
 * build their DICOM input with it from the phantom; it is also how a generated case can be handed
 * to a DICOM viewer.
 */
import type { NaturalDataset } from 'dcmjs';
import { flipLpsRas } from './dicom-geometry.ts';
import type { DicomFile } from './dicom-series.ts';
import { newUid, writePart10 } from './dicom-part10.ts';
import type { Vec3, Volume } from './types.ts';

/** MR Image Storage. */
export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

/** Options of dicomSeriesFromVolume. */
export interface DicomSeriesOptions {
  /** Voxel axis the slices are taken along (2: k, e.g. axial for the phantom). Default 2. */
  sliceAxis?: 0 | 1 | 2;
  seriesDescription?: string;
  seriesNumber?: number;
  protocolName?: string;
  sequenceName?: string;
  inversionTimeMs?: number;
  /** Shared by the series of one study. Default: new UIDs. */
  studyInstanceUid?: string;
  frameOfReferenceUid?: string;
  patientName?: string;
  patientId?: string;
  /** Real value = stored * slope + intercept. Default: the volume's range over 30000 steps from its minimum. */
  rescale?: { slope: number; intercept: number };
  /** File name of slice n (0-based, in axis order). Default `IM${n + 1}.dcm`, zero-padded. */
  fileName?: (n: number) => string;
}

/** The written files, and the volume their voxels hold (the input quantised to the int16 steps). */
export interface WrittenSeries {
  files: DicomFile[];
  stored: Volume;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  frameOfReferenceUid: string;
}

/**
 * Writes `volume` as one DICOM file per slice along `sliceAxis`. Columns run along the first of the
 * other two axes, rows along the second. The affine's columns must be orthogonal (any rotation,
 * oblique included); their lengths are the spacings.
 *
 * @example const { files } = dicomSeriesFromVolume(phantom.flair, { seriesDescription: 'AX FLAIR' });
 */
export function dicomSeriesFromVolume(volume: Volume, options: DicomSeriesOptions = {}): WrittenSeries {
  const axis = options.sliceAxis ?? 2;
  const [u, v] = [0, 1, 2].filter((a) => a !== axis);
  const { dims, affine } = volume;
  const column = (a: number): Vec3 => [affine[0][a], affine[1][a], affine[2][a]];
  const length = (p: Vec3) => Math.hypot(p[0], p[1], p[2]);
  const unit = (p: Vec3) => flipLpsRas(p.map((x) => x / length(p)) as unknown as Vec3);
  const rowDir = unit(column(u));
  const colDir = unit(column(v));
  const sliceStep = column(axis);
  const rescale = options.rescale ?? defaultRescale(volume.data);
  const quantised = quantise(volume.data, rescale);
  const uids = {
    studyInstanceUid: options.studyInstanceUid ?? newUid(),
    seriesInstanceUid: newUid(),
    frameOfReferenceUid: options.frameOfReferenceUid ?? newUid(),
  };
  const columns = dims[u];
  const rows = dims[v];
  const files: DicomFile[] = [];
  for (let s = 0; s < dims[axis]; s++) {
    const origin = flipLpsRas([0, 1, 2].map((r) => affine[r][3] + sliceStep[r] * s) as unknown as Vec3);
    const pixels = new Int16Array(rows * columns);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const ijk = [0, 0, 0];
        ijk[u] = c;
        ijk[v] = r;
        ijk[axis] = s;
        pixels[r * columns + c] = quantised.stored[ijk[0] + dims[0] * (ijk[1] + dims[1] * ijk[2])];
      }
    }
    const dataset = sliceDataset(options, uids, s, {
      rows, columns, origin, orientation: [...rowDir, ...colDir],
      pixelSpacingMm: [length(column(v)), length(column(u))], sliceThicknessMm: length(sliceStep), pixels, rescale,
    });
    const name = options.fileName?.(s) ?? `IM${String(s + 1).padStart(4, '0')}.dcm`;
    files.push({ name, bytes: writePart10(dataset) });
  }
  const stored: Volume = { ...volume, data: quantised.real, dataType: 'float32', sourceHeader: undefined };
  return { files, stored, ...uids };
}

interface SlicePixels {
  rows: number;
  columns: number;
  origin: Vec3;
  orientation: number[];
  pixelSpacingMm: [number, number];
  sliceThicknessMm: number;
  pixels: Int16Array;
  rescale: { slope: number; intercept: number };
}

function sliceDataset(
  o: DicomSeriesOptions, uids: Omit<WrittenSeries, 'files' | 'stored'>, s: number, p: SlicePixels,
): NaturalDataset {
  const round = (x: number) => Number(x.toFixed(6));
  const dataset: NaturalDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'ND'],
    SOPClassUID: MR_IMAGE_STORAGE,
    SOPInstanceUID: newUid(),
    StudyDate: '20260101', SeriesDate: '20260101', StudyTime: '120000', SeriesTime: '120000',
    Modality: 'MR', Manufacturer: 'lesion-workbench phantom', ReferringPhysicianName: '',
    SeriesDescription: o.seriesDescription ?? 'FLAIR', ProtocolName: o.protocolName ?? o.seriesDescription ?? 'FLAIR',
    PatientName: o.patientName ?? 'PHANTOM^SYNTHETIC', PatientID: o.patientId ?? 'PHANTOM', PatientBirthDate: '', PatientSex: 'O',
    SequenceName: o.sequenceName ?? '', ScanningSequence: 'SE', SequenceVariant: 'NONE', MRAcquisitionType: '3D',
    SliceThickness: round(p.sliceThicknessMm), SpacingBetweenSlices: round(p.sliceThicknessMm),
    RepetitionTime: 5000, EchoTime: 100, MagneticFieldStrength: 3, EchoNumbers: 1,
    StudyInstanceUID: uids.studyInstanceUid, SeriesInstanceUID: uids.seriesInstanceUid, StudyID: '1',
    SeriesNumber: o.seriesNumber ?? 1, AcquisitionNumber: 1, InstanceNumber: s + 1,
    ImagePositionPatient: p.origin.map(round), ImageOrientationPatient: p.orientation.map(round),
    FrameOfReferenceUID: uids.frameOfReferenceUid, PositionReferenceIndicator: '',
    SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', Rows: p.rows, Columns: p.columns,
    PixelSpacing: p.pixelSpacingMm.map(round), BitsAllocated: 16, BitsStored: 16, HighBit: 15, PixelRepresentation: 1,
    RescaleIntercept: p.rescale.intercept, RescaleSlope: p.rescale.slope, RescaleType: 'US',
    PixelData: [p.pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  };
  if (o.inversionTimeMs !== undefined) dataset.InversionTime = o.inversionTimeMs;
  return dataset;
}

/** Slope and intercept spreading `data`'s range over 30000 int16 steps from -15000 (DS-exact values). */
function defaultRescale(data: Float32Array): { slope: number; intercept: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of data) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const slope = hi > lo ? Number(((hi - lo) / 30000).toPrecision(6)) : 1;
  return { slope, intercept: Number((lo + 15000 * slope).toPrecision(8)) };
}

/** Stored int16 values and the real values they stand for (stored * slope + intercept, float32). */
function quantise(data: Float32Array, { slope, intercept }: { slope: number; intercept: number }): { stored: Int16Array; real: Float32Array } {
  const stored = new Int16Array(data.length);
  const real = new Float32Array(data.length);
  for (let n = 0; n < data.length; n++) {
    const q = Math.max(-32768, Math.min(32767, Math.round((data[n] - intercept) / slope)));
    stored[n] = q;
    real[n] = q * slope + intercept;
  }
  return { stored, real };
}
