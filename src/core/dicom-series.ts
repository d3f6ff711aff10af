/**
 * DICOM files grouped into series from their headers (read with dcmjs, pixel data skipped): what
 * each series is (description, protocol, sequence, inversion time), its geometry per instance, and
 * the study tags a DICOM SEG must repeat. Patient tags are kept only to be copied into a SEG; they
 * never appear in a label or message (`seriesLabel`).
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import type { Vec3 } from './types.ts';

/** A file to read: its name (for messages and for the converter) and bytes. */
export interface DicomFile {
  name: string;
  bytes: Uint8Array;
}

/** One image instance (file) of a series. */
export interface DicomInstance {
  fileName: string;
  sopInstanceUid: string;
  sopClassUid: string;
  instanceNumber: number | null;
  /** ImagePositionPatient (mm, LPS); null when absent (e.g. an enhanced multi-frame object). */
  positionMm: Vec3 | null;
  /** ImageOrientationPatient (6 direction cosines); null when absent. */
  orientation: number[] | null;
  /** PixelSpacing [between rows, between columns] in mm; null when absent. */
  pixelSpacingMm: [number, number] | null;
  rows: number;
  columns: number;
  frames: number;
  imageType: string[];
  transferSyntaxUid: string;
}

/** A series: the instances sharing a SeriesInstanceUID, with the series-level tags of the first. */
export interface DicomSeries {
  seriesInstanceUid: string;
  studyInstanceUid: string;
  frameOfReferenceUid: string;
  seriesNumber: number | null;
  description: string;
  protocolName: string;
  sequenceName: string;
  /** InversionTime (ms), null when absent. */
  inversionTimeMs: number | null;
  modality: string;
  sopClassUid: string;
  instances: DicomInstance[];
  /** Patient and study tags (PatientName, StudyDate, ...) for a SEG's patient and study modules. */
  patientStudy: NaturalDataset;
}

/** What a set of files holds: image series, and the files that were not DICOM or not images. */
export interface DicomScan {
  series: DicomSeries[];
  notDicom: string[];
  /** DICOM objects without pixels of their own: DICOMDIR, structured reports, SEG, ... */
  nonImage: { fileName: string; sopClassUid: string; modality: string; studyInstanceUid: string }[];
}

/** Tags copied from the source into a SEG (patient and general study modules). */
export const PATIENT_STUDY_TAGS = [
  'PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyDate', 'StudyTime', 'StudyID',
  'AccessionNumber', 'ReferringPhysicianName', 'StudyDescription',
] as const;

/** The SEG storage class. */
export const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';

dcmjs.log.setLevel('error');

/**
 * Reads the headers of `files` and groups the images by SeriesInstanceUID (series in order of
 * SeriesNumber). Files dcmjs cannot parse as DICOM Part 10 are listed in `notDicom`.
 *
 * @example scanDicomFiles(files).series.map(seriesLabel) // ['series 3 "AX FLAIR"']
 */
export function scanDicomFiles(files: readonly DicomFile[]): DicomScan {
  const bySeries = new Map<string, DicomSeries>();
  const notDicom: string[] = [];
  const nonImage: DicomScan['nonImage'] = [];
  for (const file of files) {
    const read = readHeader(file.bytes);
    if (read === null) {
      notDicom.push(file.name);
      continue;
    }
    const { ds, transferSyntaxUid } = read;
    const sopClassUid = str(ds, 'SOPClassUID');
    if (!(num(ds, 'Rows') > 0) || sopClassUid === SEG_SOP_CLASS) {
      nonImage.push({ fileName: file.name, sopClassUid, modality: str(ds, 'Modality'), studyInstanceUid: str(ds, 'StudyInstanceUID') });
      continue;
    }
    const uid = str(ds, 'SeriesInstanceUID');
    let series = bySeries.get(uid);
    if (!series) {
      series = seriesFrom(ds);
      bySeries.set(uid, series);
    }
    series.instances.push(instanceFrom(file.name, ds, transferSyntaxUid));
  }
  const series = [...bySeries.values()].sort((a, b) => (a.seriesNumber ?? 1e9) - (b.seriesNumber ?? 1e9));
  return { series, notDicom, nonImage };
}

/**
 * How a series is named in lists and messages: its number and description, never patient data.
 * @example seriesLabel(s) // 'series 3 "AX FLAIR"'
 */
export function seriesLabel(series: Pick<DicomSeries, 'seriesNumber' | 'description' | 'protocolName'>): string {
  const name = series.description || series.protocolName;
  const number = series.seriesNumber === null ? 'series' : `series ${series.seriesNumber}`;
  return name ? `${number} "${name}"` : number;
}

/** The header dataset (pixel data not read) and transfer syntax, or null for a non-DICOM file. */
function readHeader(bytes: Uint8Array): { ds: NaturalDataset; transferSyntaxUid: string } | null {
  if (bytes.length < 132 || String.fromCharCode(...bytes.subarray(128, 132)) !== 'DICM') return null;
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const dict = dcmjs.data.DicomMessage.readFile(buffer, { untilTag: '7FE00010', includeUntilTagValue: false });
    const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta);
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    return { ds, transferSyntaxUid: str(meta, 'TransferSyntaxUID') };
  } catch {
    return null;
  }
}

function seriesFrom(ds: NaturalDataset): DicomSeries {
  const patientStudy: NaturalDataset = {};
  // plain JSON values (dcmjs' person names carry accessors), so that a series can be posted between threads
  for (const tag of PATIENT_STUDY_TAGS) if (ds[tag] !== undefined) patientStudy[tag] = JSON.parse(JSON.stringify(ds[tag]));
  const seriesNumber = num(ds, 'SeriesNumber');
  const inversion = num(ds, 'InversionTime');
  return {
    seriesInstanceUid: str(ds, 'SeriesInstanceUID'),
    studyInstanceUid: str(ds, 'StudyInstanceUID'),
    frameOfReferenceUid: str(ds, 'FrameOfReferenceUID'),
    seriesNumber: Number.isFinite(seriesNumber) ? seriesNumber : null,
    description: str(ds, 'SeriesDescription'),
    protocolName: str(ds, 'ProtocolName'),
    sequenceName: str(ds, 'SequenceName'),
    inversionTimeMs: Number.isFinite(inversion) ? inversion : null,
    modality: str(ds, 'Modality'),
    sopClassUid: str(ds, 'SOPClassUID'),
    instances: [],
    patientStudy,
  };
}

function instanceFrom(fileName: string, ds: NaturalDataset, transferSyntaxUid: string): DicomInstance {
  const position = nums(ds, 'ImagePositionPatient');
  const orientation = nums(ds, 'ImageOrientationPatient');
  const spacing = nums(ds, 'PixelSpacing');
  const instanceNumber = num(ds, 'InstanceNumber');
  const frames = num(ds, 'NumberOfFrames');
  return {
    fileName,
    sopInstanceUid: str(ds, 'SOPInstanceUID'),
    sopClassUid: str(ds, 'SOPClassUID'),
    instanceNumber: Number.isFinite(instanceNumber) ? instanceNumber : null,
    positionMm: position.length === 3 ? [position[0], position[1], position[2]] : null,
    orientation: orientation.length === 6 ? orientation : null,
    pixelSpacingMm: spacing.length === 2 ? [spacing[0], spacing[1]] : null,
    rows: num(ds, 'Rows'),
    columns: num(ds, 'Columns'),
    frames: frames > 1 ? frames : 1,
    imageType: strs(ds, 'ImageType').map((t) => t.toUpperCase()),
    transferSyntaxUid,
  };
}

/** A tag's text ('' when absent); a person name's alphabetic form. */
export function str(ds: NaturalDataset, key: string): string {
  const v = ds[key];
  const first = Array.isArray(v) ? v[0] : v;
  if (first === undefined || first === null) return '';
  if (typeof first === 'object' && 'Alphabetic' in (first as object)) return String((first as { Alphabetic: unknown }).Alphabetic ?? '');
  return String(first).trim();
}

/** A tag's values as strings. */
export function strs(ds: NaturalDataset, key: string): string[] {
  const v = ds[key];
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x).trim());
}

/** A numeric tag's first value, NaN when absent or not a number. */
export function num(ds: NaturalDataset, key: string): number {
  const v = nums(ds, key);
  return v.length > 0 ? v[0] : Number.NaN;
}

/** A numeric tag's values (DS/IS values may come as text); [] when absent or not all numbers. */
export function nums(ds: NaturalDataset, key: string): number[] {
  const v = ds[key];
  if (v === undefined || v === null || v === '') return [];
  const values = (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'number' ? x : Number(String(x).trim())));
  return values.every(Number.isFinite) ? values : [];
}
