/**
 * DICOM SEG out and in: the phantom's true mask written as a SEG over a series built from the
 * phantom, read back with dcmjs directly (frames, per-frame ImagePositionPatient, source image
 * references, UIDs, the segment's codes) and with readDicomSeg onto the converted scan's grid.
 */
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { nodeDcm2niix } from '../../src/cli/dcm2niix-node.ts';
import { convertSeries, filesByName } from '../../src/core/dicom-convert.ts';
import { lesionSegments, readDicomSeg, segMaskOnGrid } from '../../src/core/dicom-seg-read.ts';
import { MS_LESION_SEGMENT, writeDicomSeg } from '../../src/core/dicom-seg.ts';
import { scanDicomFiles } from '../../src/core/dicom-series.ts';
import { dicomSeriesFromVolume } from '../../src/core/dicom-write-series.ts';
import { generatePhantom } from '../../src/core/phantom.ts';
import type { Affine, Volume } from '../../src/core/types.ts';
import { multiply4, onGridOf, rotation4 } from './dicom-fixture.ts';

const phantom = generatePhantom({ dims: [30, 34, 26], seed: 7, lesionCount: 10 });

function naturalized(bytes: Uint8Array): NaturalDataset {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}

/** Pixel (column c, row r) of slice s as dicomSeriesFromVolume lays it out, from the mask itself. */
function expectedFrame(mask: Volume, sliceAxis: 0 | 1 | 2, s: number): Uint8Array {
  const [u, v] = [0, 1, 2].filter((a) => a !== sliceAxis);
  const { dims } = mask;
  const out = new Uint8Array(dims[u] * dims[v]);
  for (let r = 0; r < dims[v]; r++) for (let c = 0; c < dims[u]; c++) {
    const ijk = [0, 0, 0];
    ijk[u] = c; ijk[v] = r; ijk[sliceAxis] = s;
    out[r * dims[u] + c] = mask.data[ijk[0] + dims[0] * (ijk[1] + dims[1] * ijk[2])] > 0 ? 1 : 0;
  }
  return out;
}

const cases: { name: string; affine: Affine; sliceAxis: 0 | 1 | 2 }[] = [
  { name: 'axial', affine: phantom.flair.affine, sliceAxis: 2 },
  { name: 'sagittal, 1.2 mm slices', affine: [[-1.2, 0, 0, 18], [0, 1, 0, -16], [0, 0, 1, -12], [0, 0, 0, 1]], sliceAxis: 0 },
  { name: 'oblique', affine: multiply4(rotation4(1, 15), multiply4(rotation4(0, -12), phantom.flair.affine)), sliceAxis: 2 },
];

describe('writeDicomSeg over a series built from the phantom', () => {
  for (const { name, affine, sliceAxis } of cases) {
    it(`${name}: frames, positions and references match the mask exactly`, async () => {
      const flair: Volume = { ...phantom.flair, affine };
      const mask: Volume = { ...phantom.mask, affine };
      const written = dicomSeriesFromVolume(flair, { sliceAxis, seriesDescription: 'FLAIR', seriesNumber: 2 });
      const series = scanDicomFiles(written.files).series[0];
      const { volume: scan } = await convertSeries(nodeDcm2niix, series, filesByName(written.files));
      // the mask on dcm2niix's grid, as the app and the CLI hold it
      const maskOnScan = onGridOf(mask, scan);
      const bytes = writeDicomSeg(maskOnScan, scan, series, { now: new Date('2026-12-06T12:00:00Z') });

      const ds = naturalized(bytes);
      expect(ds.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.66.4');
      expect(ds.Modality).toBe('SEG');
      expect(ds.StudyInstanceUID).toBe(written.studyInstanceUid);
      expect(ds.FrameOfReferenceUID).toBe(written.frameOfReferenceUid);
      const refSeries = (ds.ReferencedSeriesSequence as NaturalDataset[])[0];
      expect(refSeries.SeriesInstanceUID).toBe(written.seriesInstanceUid);
      expect(ds.NumberOfFrames).toBe(written.files.length);
      const segment = (ds.SegmentSequence as NaturalDataset[])[0];
      expect(segment.SegmentLabel).toBe('MS lesion');
      expect((segment.SegmentedPropertyTypeCodeSequence as NaturalDataset[])[0]).toMatchObject({ CodeValue: '52988006', CodingSchemeDesignator: 'SCT' });
      expect((segment.SegmentedPropertyCategoryCodeSequence as NaturalDataset[])[0]).toMatchObject({ CodeValue: '49755003' });

      // each frame: its source image, that image's position, and the mask's slice bit for bit
      const sourceIndex = new Map(written.files.map((f, s) => [naturalized(f.bytes).SOPInstanceUID as string, s]));
      const sourcePositions = written.files.map((f) => naturalized(f.bytes).ImagePositionPatient);
      const rows = ds.Rows as number;
      const columns = ds.Columns as number;
      const bits = new Uint8Array((ds.PixelData as ArrayBuffer[])[0]);
      const seen = new Set<number>();
      (ds.PerFrameFunctionalGroupsSequence as NaturalDataset[]).forEach((group, f) => {
        const source = ((group.DerivationImageSequence as NaturalDataset[])[0].SourceImageSequence as NaturalDataset[])[0];
        const s = sourceIndex.get(source.ReferencedSOPInstanceUID as string) as number;
        expect(s).toBeTypeOf('number');
        seen.add(s);
        expect((group.PlanePositionSequence as NaturalDataset[])[0].ImagePositionPatient).toEqual(sourcePositions[s]);
        const frame = new Uint8Array(rows * columns);
        for (let p = 0; p < frame.length; p++) frame[p] = (bits[(f * frame.length + p) >> 3] >> ((f * frame.length + p) & 7)) & 1;
        expect(frame).toEqual(expectedFrame(mask, sliceAxis, s));
      });
      expect(seen.size).toBe(written.files.length);
      let setBits = 0;
      for (let n = 0; n < written.files.length * rows * columns; n++) setBits += (bits[n >> 3] >> (n & 7)) & 1;
      expect(setBits).toBe(mask.data.reduce((sum, v) => sum + (v > 0 ? 1 : 0), 0));
      expect(setBits).toBeGreaterThan(100);
      const index = (ds.DimensionIndexSequence as NaturalDataset[]).map((d) => d.DimensionIndexPointer);
      expect(index).toEqual([0x0062000b, 0x00200032]);

      // and back through readDicomSeg onto the scan's grid
      const seg = readDicomSeg(bytes);
      expect(lesionSegments(seg)).toEqual([1]);
      expect(Array.from(segMaskOnGrid(seg, scan))).toEqual(Array.from(maskOnScan, (v) => (v > 0 ? 1 : 0)));
    });
  }

  it('refuses a mask on another grid (half a voxel off) and a SEG read onto one', async () => {
    const written = dicomSeriesFromVolume(phantom.flair, { seriesDescription: 'FLAIR', seriesNumber: 2 });
    const series = scanDicomFiles(written.files).series[0];
    const shifted: Affine = phantom.flair.affine.map((row, r) => (r === 0 ? [...row.slice(0, 3), row[3] + 0.5] : [...row]));
    expect(() => writeDicomSeg(phantom.mask.data, { dims: phantom.mask.dims, affine: shifted }, series))
      .toThrow(/does not match series 2 "FLAIR"/);
    const seg = readDicomSeg(writeDicomSeg(phantom.mask.data, phantom.mask, series));
    expect(() => segMaskOnGrid(seg, { dims: phantom.mask.dims, affine: shifted })).toThrow(/do not lie on the scan's voxel grid/);
    expect(Array.from(segMaskOnGrid(seg, phantom.mask))).toEqual(Array.from(phantom.mask.data));
    const multiFrame = { ...series, instances: [{ ...series.instances[0], frames: 26 }] };
    expect(() => writeDicomSeg(phantom.mask.data, phantom.mask, multiFrame)).toThrow(/over a classic series .* series 2 "FLAIR" is not one/);
  });

  it('reads the segment coded as a lesion among several, and refuses non-SEG files', () => {
    expect(lesionSegments({ rows: 1, columns: 1, frames: [], frameOfReferenceUid: '', referencedSeriesUids: [], segments: [
      { number: 1, label: 'Brain', typeCode: '12738006', typeMeaning: 'Brain' },
      { number: 2, label: MS_LESION_SEGMENT.label, typeCode: '52988006', typeMeaning: 'Lesion' },
    ] })).toEqual([2]);
    const mr = dicomSeriesFromVolume(phantom.flair).files[0];
    expect(() => readDicomSeg(mr.bytes, 'IM1.dcm')).toThrow(/IM1.dcm: a DICOM MR, not a DICOM SEG/);
    expect(() => readDicomSeg(new Uint8Array(300), 'x.dcm')).toThrow(/x.dcm: not a readable DICOM file/);
  });
});
