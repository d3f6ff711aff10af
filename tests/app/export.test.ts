import { describe, expect, it } from 'vitest';
import { fileStem, maskNiftiBytes, metricsCsv, metricsJson, metricsRecord, probabilityNiftiBytes } from '../../src/app/export.ts';
import { lesionTable } from '../../src/core/lesion-table.ts';
import { readNifti, writeNifti } from '../../src/core/nifti-io.ts';
import type { Volume } from '../../src/core/types.ts';

const flair: Volume = readNifti(writeNifti({
  dims: [3, 2, 2], spacingMm: [1, 1, 2], dataType: 'int16', data: Float32Array.from({ length: 12 }, (_, i) => i * 10),
  affine: [[-1, 0, 0, 5], [0, 1, 0, -7], [0, 0, 2, 3], [0, 0, 0, 1]],
}, 'int16'));

describe('exports', () => {
  it('writes the mask and probability map on the FLAIR grid and header', () => {
    const mask = Uint8Array.of(0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    const maskBack = readNifti(maskNiftiBytes(flair, mask));
    expect(maskBack.dataType).toBe('uint8');
    expect(maskBack.affine).toEqual(flair.affine);
    expect(maskBack.dims).toEqual(flair.dims);
    expect(Array.from(maskBack.data)).toEqual(Array.from(mask));
    const prob = Float32Array.from({ length: 12 }, (_, i) => i / 11);
    const probBack = readNifti(probabilityNiftiBytes(flair, prob));
    expect(probBack.dataType).toBe('float32');
    expect(probBack.affine).toEqual(flair.affine);
    expect(Array.from(probBack.data)).toEqual(Array.from(prob));
  });

  it('builds JSON and CSV metrics records', () => {
    const lesions = lesionTable(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), [3, 2, 2], [1, 1, 2]);
    const record = metricsRecord({
      caseTitle: 'case "one", FLAIR', model: 'fbeta15-light', backend: 'webgpu', threshold: 0.5, flair, lesions,
      evaluation: null, timingsMs: { modelMs: 12.5 }, now: new Date('2026-01-02T03:04:05Z'),
      lesionFilter: { minLesionMm3: 3, minConfidence: 0.8, removed: 4 },
    });
    expect(record.lesionCount).toBe(2);
    expect(record.lesionFilter).toEqual({ minLesionMm3: 3, minConfidence: 0.8, removed: 4 });
    expect(record.totalVolumeMl).toBeCloseTo(0.004, 12);
    expect(JSON.parse(metricsJson(record))).toEqual(JSON.parse(JSON.stringify(record)));
    const csv = metricsCsv(record).split('\n');
    expect(csv[0]).toBe('metric,value');
    expect(csv).toContain('case,"case ""one"", FLAIR"');
    expect(csv).toContain('lesion_count,2');
    expect(csv).toEqual(expect.arrayContaining(['min_lesion_mm3,3', 'min_confidence,0.8', 'removed_lesions,4']));
    expect(csv).toContain('time_model_ms,12.5');
    expect(csv).toContain('lesion,voxels,volume_ml,centroid_i,centroid_j,centroid_k');
    expect(csv).toContain('1,1,0.002,0,0,0');
    expect(csv).toContain('2,1,0.002,2,1,1');
  });

  it('adds each lesion\'s verdict and the missed reference lesions when there is a reference', () => {
    // in the 3x2x2 grid voxel 0 is (0, 0, 0) and voxel 11 is (2, 1, 1): not neighbours; the reference holds only voxel 0
    const mask = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    const reference = Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const lesions = lesionTable(mask, [3, 2, 2], [1, 1, 2], { reference });
    const record = metricsRecord({ caseTitle: 'c', model: 'm', backend: 'wasm', threshold: 0.5, flair, lesions, evaluation: null, timingsMs: {} });
    expect(record.lesions.map((l) => l.inReference)).toEqual([true, false]);
    expect(record.missedReferenceLesions).toEqual([]);
    const csv = metricsCsv(record).split('\n');
    expect(csv).toContain('lesion,voxels,volume_ml,centroid_i,centroid_j,centroid_k,in_reference');
    expect(csv).toContain('1,1,0.002,0,0,0,1');
    expect(csv).toContain('2,1,0.002,2,1,1,0');
    expect(csv).toContain('missed_reference_lesion,voxels,volume_ml,centroid_i,centroid_j,centroid_k');
    // a reference lesion nothing touches is listed as missed
    const missedOne = metricsRecord({ caseTitle: 'c', model: 'm', backend: 'wasm', threshold: 0.5, flair, evaluation: null, timingsMs: {},
      lesions: lesionTable(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), [3, 2, 2], [1, 1, 2], { reference: Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1) }) });
    expect(missedOne.missedReferenceLesions?.map((l) => l.centroidVox)).toEqual([[2, 1, 1]]);
    expect(metricsCsv(missedOne).split('\n')).toContain('1,1,0.002,2,1,1');
  });

  it('derives file stems from case titles', () => {
    expect(fileStem('sub-01_FLAIR.nii.gz')).toBe('sub-01_FLAIR');
    expect(fileStem('my scan (1).nii')).toBe('my_scan_1_');
    expect(fileStem('')).toBe('case');
  });
});
