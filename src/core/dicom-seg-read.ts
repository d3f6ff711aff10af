/**
 * Reading a DICOM Segmentation (binary or fractional, uncompressed) with dcmjs: its segments, its
 * frames with their positions and source images, and a mask on a given voxel grid (the scan the
 * SEG was drawn on), so that a SEG from 3D Slicer, OHIF or this app can be the reference mask.
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { type DicomPlane, invertAffine, planeInVoxels, wholeVoxels } from './dicom-geometry.ts';
import { num, nums, SEG_SOP_CLASS, str } from './dicom-series.ts';
import type { MaskGrid } from './dicom-seg.ts';
import type { Vec3 } from './types.ts';

/** One segment of a SEG. */
export interface SegSegment {
  number: number;
  label: string;
  /** SegmentedPropertyTypeCodeSequence's code value and meaning ('' when absent). */
  typeCode: string;
  typeMeaning: string;
}

/** One frame: which segment, where (LPS mm), from which source image, and its pixels (0/1, row by row). */
export interface SegFrame {
  segmentNumber: number;
  plane: DicomPlane;
  sourceSopInstanceUid: string;
  pixels: Uint8Array;
}

/** A SEG as read. */
export interface DicomSeg {
  rows: number;
  columns: number;
  segments: SegSegment[];
  frames: SegFrame[];
  frameOfReferenceUid: string;
  referencedSeriesUids: string[];
}

const seq = (ds: NaturalDataset, key: string): NaturalDataset[] => {
  const v = ds[key];
  return Array.isArray(v) ? (v as NaturalDataset[]) : v && typeof v === 'object' ? [v as NaturalDataset] : [];
};

/**
 * Reads the bytes of a SEG file; throws one line for a file that is not DICOM, not a SEG, or
 * whose pixel data is compressed or shorter than its frames.
 */
export function readDicomSeg(bytes: Uint8Array, fileName = 'the file'): DicomSeg {
  let ds: NaturalDataset;
  let syntax = '';
  try {
    const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    syntax = str(dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta), 'TransferSyntaxUID');
  } catch (error) {
    throw new Error(`${fileName}: not a readable DICOM file (${(error as Error).message})`);
  }
  if (str(ds, 'SOPClassUID') !== SEG_SOP_CLASS) throw new Error(`${fileName}: a DICOM ${str(ds, 'Modality') || 'object'}, not a DICOM SEG`);
  if (!['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2'].includes(syntax)) {
    throw new Error(`${fileName}: a compressed SEG (transfer syntax ${syntax}); save it uncompressed`);
  }
  const rows = num(ds, 'Rows');
  const columns = num(ds, 'Columns');
  const fractional = str(ds, 'SegmentationType') === 'FRACTIONAL';
  const maxFraction = fractional ? num(ds, 'MaximumFractionalValue') || 255 : 1;
  const shared = seq(ds, 'SharedFunctionalGroupsSequence')[0] ?? {};
  const perFrame = seq(ds, 'PerFrameFunctionalGroupsSequence');
  const pixelData = new Uint8Array((ds.PixelData as ArrayBuffer[] | undefined)?.[0] ?? new ArrayBuffer(0));
  const perFramePixels = rows * columns;
  const needed = fractional ? perFrame.length * perFramePixels : Math.ceil((perFrame.length * perFramePixels) / 8);
  if (pixelData.length < needed) throw new Error(`${fileName}: pixel data has ${pixelData.length} bytes, ${perFrame.length} frames need ${needed}`);
  const frames = perFrame.map((group, f): SegFrame => {
    const pick = (key: string) => seq(group, key)[0] ?? seq(shared, key)[0] ?? {};
    const position = nums(pick('PlanePositionSequence'), 'ImagePositionPatient');
    const spacing = nums(pick('PixelMeasuresSequence'), 'PixelSpacing');
    const pixels = new Uint8Array(perFramePixels);
    for (let p = 0; p < perFramePixels; p++) {
      const n = f * perFramePixels + p;
      pixels[p] = fractional ? (pixelData[n] > maxFraction / 2 ? 1 : 0) : (pixelData[n >> 3] >> (n & 7)) & 1;
    }
    const source = seq(seq(group, 'DerivationImageSequence')[0] ?? {}, 'SourceImageSequence')[0] ?? {};
    return {
      segmentNumber: num(pick('SegmentIdentificationSequence'), 'ReferencedSegmentNumber'),
      plane: {
        positionMm: [position[0], position[1], position[2]],
        orientation: nums(pick('PlaneOrientationSequence'), 'ImageOrientationPatient'),
        pixelSpacingMm: [spacing[0], spacing[1]],
      },
      sourceSopInstanceUid: str(source, 'ReferencedSOPInstanceUID'),
      pixels,
    };
  });
  const segments = seq(ds, 'SegmentSequence').map((s) => {
    const type = seq(s, 'SegmentedPropertyTypeCodeSequence')[0] ?? {};
    return { number: num(s, 'SegmentNumber'), label: str(s, 'SegmentLabel'), typeCode: str(type, 'CodeValue'), typeMeaning: str(type, 'CodeMeaning') };
  });
  const referencedSeriesUids = seq(ds, 'ReferencedSeriesSequence').map((r) => str(r, 'SeriesInstanceUID'));
  return { rows, columns, segments, frames, frameOfReferenceUid: str(ds, 'FrameOfReferenceUID'), referencedSeriesUids };
}

/**
 * The segments a lesion reference is made of: those coded or labelled as a lesion (SNOMED
 * 52988006, or a label with "lesion"), else the only segment; throws when several segments name
 * no lesion.
 */
export function lesionSegments(seg: DicomSeg): number[] {
  const lesions = seg.segments.filter((s) => s.typeCode === '52988006' || /lesion/i.test(s.label) || /lesion/i.test(s.typeMeaning));
  if (lesions.length > 0) return lesions.map((s) => s.number);
  if (seg.segments.length === 1) return [seg.segments[0].number];
  throw new Error(`the SEG has ${seg.segments.length} segments (${seg.segments.map((s) => s.label).join(', ')}) and none is a lesion`);
}

/**
 * The union of `segmentNumbers`' frames on `grid` (1 inside, 0 outside, i fastest). Every frame
 * must lie on the grid's voxels (the SEG was drawn on the scan `grid` comes from); throws otherwise.
 */
export function segMaskOnGrid(seg: DicomSeg, grid: MaskGrid, segmentNumbers: readonly number[] = lesionSegments(seg)): Uint8Array {
  const { dims } = grid;
  const toVoxel = invertAffine(grid.affine);
  const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (const frame of seg.frames) {
    if (!segmentNumbers.includes(frame.segmentNumber)) continue;
    const onGrid = planeInVoxels(frame.plane, toVoxel);
    const o = wholeVoxels(onGrid.origin);
    const dx = wholeVoxels(onGrid.perColumn);
    const dy = wholeVoxels(onGrid.perRow);
    if (!o || !dx || !dy) throw new Error('the SEG\'s frames do not lie on the scan\'s voxel grid; was it drawn on another series?');
    for (let y = 0; y < seg.rows; y++) {
      for (let x = 0; x < seg.columns; x++) {
        if (!frame.pixels[y * seg.columns + x]) continue;
        const v: Vec3 = [o[0] + x * dx[0] + y * dy[0], o[1] + x * dx[1] + y * dy[1], o[2] + x * dx[2] + y * dy[2]];
        if (v.some((c, a) => c < 0 || c >= dims[a])) throw new Error(`the SEG has lesion pixels outside the scan's ${dims.join('x')} grid`);
        mask[v[0] + dims[0] * (v[1] + dims[1] * v[2])] = 1;
      }
    }
  }
  return mask;
}
