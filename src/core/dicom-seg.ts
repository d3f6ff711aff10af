/**
 * A lesion mask written as a DICOM Segmentation (SEG, binary) that references its source series:
 * one frame per source slice, in the source's own rows and columns, each frame tied to its source
 * image (SOP Instance UID) and to its ImagePositionPatient; one segment "MS lesion" coded as 3D
 * Slicer's and OHIF's terminology codes a lesion (SNOMED CT 49755003 "Morphologically Altered
 * Structure" / 52988006 "Lesion", in the brain, 12738006). 3D Slicer, OHIF or a PACS shows it over
 * the original series.
 */
import type { NaturalDataset } from 'dcmjs';
import { type DicomPlane, invertAffine, planeInVoxels, wholeVoxels } from './dicom-geometry.ts';
import { sliceStack } from './dicom-checks.ts';
import { type DicomSeries, SEG_SOP_CLASS, seriesLabel } from './dicom-series.ts';
import { newUid, writePart10 } from './dicom-part10.ts';
import type { Affine, Vec3 } from './types.ts';

/** A coded concept (code sequence item). */
export interface Code {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

/** The segment this project writes, as 3D Slicer's general anatomy terminology codes a lesion. */
export const MS_LESION_SEGMENT = {
  label: 'MS lesion',
  category: { CodeValue: '49755003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Morphologically Altered Structure' },
  type: { CodeValue: '52988006', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Lesion' },
  anatomicRegion: { CodeValue: '12738006', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Brain' },
} as const satisfies { label: string; category: Code; type: Code; anatomicRegion: Code };

/** Options of writeDicomSeg. */
export interface SegWriteOptions {
  seriesNumber?: number;
  seriesDescription?: string;
  /** Segmentation algorithm name (SegmentAlgorithmName). */
  algorithmName?: string;
  softwareVersion?: string;
  /** Content date and time. Default now. */
  now?: Date;
}

/** A grid the mask is on: dims and voxel-to-RAS affine (the converted series' volume). */
export interface MaskGrid {
  dims: Vec3;
  affine: Affine;
}

/**
 * Writes `mask` (0 / non-zero per voxel of `grid`, i fastest) as a binary DICOM SEG over `source`:
 * frame n is source slice n in slice order, with the source's orientation, pixel spacing and the
 * slice's ImagePositionPatient. Throws when a source slice does not lie on the mask's grid (the mask
 * was made on another series).
 *
 * @example const bytes = writeDicomSeg(mask, flair, flairSeries, { algorithmName: 'fbeta15-light' });
 */
export function writeDicomSeg(mask: ArrayLike<number>, grid: MaskGrid, source: DicomSeries, options: SegWriteOptions = {}): Uint8Array {
  if (source.instances.length < 2 || source.instances.some((i) => i.frames > 1 || !i.positionMm || !i.orientation || !i.pixelSpacingMm)) {
    throw new Error(`a DICOM SEG is written over a classic series (one image per slice); ${seriesLabel(source)} is not one (an enhanced multi-frame object?)`);
  }
  const { instances } = sliceStack(source);
  const first = instances[0];
  const { rows, columns } = first;
  const toVoxel = invertAffine(grid.affine);
  const bits = new Uint8Array(Math.ceil((instances.length * rows * columns) / 8 / 2) * 2);
  instances.forEach((instance, f) => {
    const plane: DicomPlane = {
      positionMm: instance.positionMm as Vec3, orientation: instance.orientation as number[], pixelSpacingMm: instance.pixelSpacingMm as [number, number],
    };
    const onGrid = planeInVoxels(plane, toVoxel);
    const origin = wholeVoxels(onGrid.origin);
    const perColumn = wholeVoxels(onGrid.perColumn);
    const perRow = wholeVoxels(onGrid.perRow);
    if (!origin || !perColumn || !perRow) {
      throw new Error(`the mask's grid does not match ${seriesLabel(source)}: its slices do not fall on the mask's voxels`);
    }
    packFrame(mask, grid.dims, { origin, perColumn, perRow }, rows, columns, bits, f * rows * columns, seriesLabel(source));
  });
  return writePart10(segDataset(source, instances, bits, options));
}

/** Sets the bits of one frame: pixel (x, y) is voxel origin + x * perColumn + y * perRow. */
function packFrame(
  mask: ArrayLike<number>, dims: Vec3, map: { origin: Vec3; perColumn: Vec3; perRow: Vec3 },
  rows: number, columns: number, bits: Uint8Array, startBit: number, label: string,
): void {
  const { origin, perColumn, perRow } = map;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const i = origin[0] + x * perColumn[0] + y * perRow[0];
      const j = origin[1] + x * perColumn[1] + y * perRow[1];
      const k = origin[2] + x * perColumn[2] + y * perRow[2];
      if (i < 0 || j < 0 || k < 0 || i >= dims[0] || j >= dims[1] || k >= dims[2]) {
        throw new Error(`the mask's grid (${dims.join('x')}) does not cover ${label}`);
      }
      if (mask[i + dims[0] * (j + dims[1] * k)] > 0) {
        const bit = startBit + y * columns + x;
        bits[bit >> 3] |= 1 << (bit & 7);
      }
    }
  }
}

const code = (c: Code): Code => ({ CodeValue: c.CodeValue, CodingSchemeDesignator: c.CodingSchemeDesignator, CodeMeaning: c.CodeMeaning });

function segDataset(source: DicomSeries, instances: DicomSeries['instances'], bits: Uint8Array, o: SegWriteOptions): NaturalDataset {
  const now = o.now ?? new Date();
  const date = now.toISOString().slice(0, 10).replace(/-/g, '');
  const time = now.toISOString().slice(11, 19).replace(/:/g, '');
  const first = instances[0];
  const stepMm = sliceStack(source).spacingMm;
  const dimensionUid = newUid();
  const sopInstanceUid = newUid();
  const sourceRef = (i: (typeof instances)[number]) => ({ ReferencedSOPClassUID: i.sopClassUid, ReferencedSOPInstanceUID: i.sopInstanceUid });
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SEG_SOP_CLASS, SOPInstanceUID: sopInstanceUid,
    ...source.patientStudy,
    StudyInstanceUID: source.studyInstanceUid,
    Modality: 'SEG', SeriesInstanceUID: newUid(), SeriesNumber: o.seriesNumber ?? 900,
    SeriesDescription: o.seriesDescription ?? 'MS lesion segmentation', SeriesDate: date, SeriesTime: time,
    FrameOfReferenceUID: source.frameOfReferenceUid, PositionReferenceIndicator: '',
    Manufacturer: 'lesion-workbench', ManufacturerModelName: 'lesion-workbench', DeviceSerialNumber: '1',
    SoftwareVersions: o.softwareVersion ?? '0.1.0',
    InstanceNumber: 1, ContentDate: date, ContentTime: time, ContentLabel: 'MS_LESIONS', ContentDescription: 'MS lesion mask',
    ContentCreatorName: '', ImageType: ['DERIVED', 'PRIMARY'], LossyImageCompression: '00',
    SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', Rows: first.rows, Columns: first.columns,
    BitsAllocated: 1, BitsStored: 1, HighBit: 0, PixelRepresentation: 0, SegmentationType: 'BINARY',
    NumberOfFrames: instances.length,
    SegmentSequence: [{
      SegmentNumber: 1, SegmentLabel: MS_LESION_SEGMENT.label, SegmentAlgorithmType: 'AUTOMATIC',
      SegmentAlgorithmName: o.algorithmName ?? 'lesion-workbench FC-DenseNet',
      SegmentedPropertyCategoryCodeSequence: [code(MS_LESION_SEGMENT.category)],
      SegmentedPropertyTypeCodeSequence: [code(MS_LESION_SEGMENT.type)],
      AnatomicRegionSequence: [code(MS_LESION_SEGMENT.anatomicRegion)],
      RecommendedDisplayCIELabValue: [62629, 23266, 50700],
    }],
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionUid }],
    DimensionIndexSequence: [
      { DimensionOrganizationUID: dimensionUid, DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'ReferencedSegmentNumber' },
      { DimensionOrganizationUID: dimensionUid, DimensionIndexPointer: 0x00200032, FunctionalGroupPointer: 0x00209113, DimensionDescriptionLabel: 'ImagePositionPatient' },
    ],
    SharedFunctionalGroupsSequence: [{
      PlaneOrientationSequence: [{ ImageOrientationPatient: first.orientation }],
      PixelMeasuresSequence: [{ PixelSpacing: first.pixelSpacingMm, SliceThickness: Number(stepMm.toFixed(6)), SpacingBetweenSlices: Number(stepMm.toFixed(6)) }],
    }],
    PerFrameFunctionalGroupsSequence: instances.map((instance, f) => ({
      DerivationImageSequence: [{
        SourceImageSequence: [{
          ...sourceRef(instance),
          PurposeOfReferenceCodeSequence: [{ CodeValue: '121322', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Source image for image processing operation' }],
        }],
        DerivationCodeSequence: [{ CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' }],
      }],
      FrameContentSequence: [{ DimensionIndexValues: [1, f + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: instance.positionMm }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: 1 }],
    })),
    ReferencedSeriesSequence: [{ SeriesInstanceUID: source.seriesInstanceUid, ReferencedInstanceSequence: instances.map(sourceRef) }],
    PixelData: [bits.buffer],
    _vrMap: { PixelData: 'OB' },
  };
}
