import { describe, expect, it } from 'vitest';
import { assignRoles, guessRole, roleOf, type VoxelEvidence, voxelEvidence } from '../../src/core/file-roles.ts';

describe('guessRole', () => {
  it.each([
    ['FLAIR.nii.gz', 'flair'],
    ['patient07_flair_crop.nii', 'flair'],
    ['sub-01_T2_FLAIR.nii.gz', 'flair'],
    ['T1.nii.gz', 't1'],
    ['sub-01_T1w.nii.gz', 't1'],
    ['mprage.nii', 't1'],
    ['T1POST.nii.gz', 't1post'],
    ['t1_gd.nii.gz', 't1post'],
    ['T1c.nii.gz', 't1post'],
    ['sub-01_t1ce.nii.gz', 't1post'],
    ['T2.nii.gz', 't2'],
    ['sub-02_T2w.nii', 't2'],
    ['lesion_mask.nii.gz', 'mask'],
    ['consensus_gt.nii.gz', 'mask'],
    ['flair_seg.nii.gz', 'mask'],
    ['labels.nii', 'mask'],
    ['Lesions.nii.gz', 'mask'],
    ['wmhmask.nii.gz', 'mask'],
  ])('%s -> %s', (name, role) => {
    expect(guessRole(name)).toBe(role);
  });

  it('says nothing for names without a hint', () => {
    expect(guessRole('crop.nii.gz')).toBeNull();
    expect(guessRole('scan_0001.nii')).toBeNull();
    expect(guessRole('t12345.nii')).toBeNull();
  });
});

describe('voxelEvidence', () => {
  it('calls 0/1 and labelled lesion masks label maps', () => {
    expect(voxelEvidence(new Float32Array([0, 0, 1, 1, 0]))).toBe('labels');
    expect(voxelEvidence(Float32Array.from({ length: 100 }, (_, i) => (i % 7 === 0 ? i % 16 : 0)))).toBe('labels');
  });

  it('calls a non-integer voxel outside 0-1, or more than 256 distinct values, a scan', () => {
    expect(voxelEvidence(new Float32Array([0, 0, 1, 1, 2.5]))).toBe('intensities');
    expect(voxelEvidence(new Float32Array([0, 0.4, -0.7]))).toBe('intensities');
    expect(voxelEvidence(new Float32Array([0, 0.5, 3]))).toBe('intensities');
    expect(voxelEvidence(Float32Array.from({ length: 300 }, (_, i) => i))).toBe('intensities');
    expect(voxelEvidence(new Float32Array([0, Number.NaN]))).toBe('intensities');
  });

  it('leaves fractions in 0-1 (a soft mask, a probability map), uint8-like scans, constant images, label sets without 0 and negative values to the name', () => {
    expect(voxelEvidence(new Float32Array([0, 0, 1, 1, 0.5, 0.25]))).toBe('unknown');
    expect(voxelEvidence(Float32Array.from({ length: 256 }, (_, i) => i))).toBe('unknown');
    expect(voxelEvidence(Float32Array.from({ length: 40 }, (_, i) => i % 17))).toBe('unknown');
    expect(voxelEvidence(new Float32Array(10))).toBe('unknown');
    expect(voxelEvidence(new Float32Array([1, 2, 1]))).toBe('unknown');
    expect(voxelEvidence(new Float32Array([0, -1, 1]))).toBe('unknown');
  });
});

describe('roleOf', () => {
  it.each<[string, VoxelEvidence, string | null]>([
    ['t2_hyperintensities.nii.gz', 'labels', 'mask'],
    ['FLAIR.nii.gz', 'labels', 'mask'],
    ['rater2.nii.gz', 'labels', 'mask'],
    ['flair_masked.nii.gz', 'intensities', 'flair'],
    ['T1_brain_mask_applied.nii.gz', 'intensities', 't1'],
    ['lesion_probability.nii.gz', 'intensities', null],
    ['lesion_mask_resampled.nii.gz', 'unknown', 'mask'],
    ['flair_masked.nii.gz', 'unknown', 'mask'],
    ['lesion_mask.nii.gz', 'unknown', 'mask'],
    ['T2.nii.gz', 'intensities', 't2'],
    ['scan.nii', 'intensities', null],
    ['sub-01_brainmask.nii.gz', 'labels', 'ignore'],
    ['FLAIR_brain_mask.nii.gz', 'unknown', 'ignore'],
    ['brain_lesion_mask.nii.gz', 'labels', 'mask'],
    ['T1_brain-mask_applied.nii.gz', 'intensities', 't1'],
  ])('%s with %s voxels -> %s', (name, evidence, role) => {
    expect(roleOf(name, evidence)).toBe(role);
  });
});

describe('assignRoles', () => {
  const scan = (name: string) => ({ name, evidence: 'intensities' as const });

  it('makes a lone unnamed scan the FLAIR', () => {
    expect(assignRoles([scan('crop.nii.gz')])).toEqual(['flair']);
  });

  it('ignores unnamed scans once a FLAIR is known', () => {
    expect(assignRoles([scan('a.nii'), scan('FLAIR.nii')])).toEqual(['ignore', 'flair']);
    expect(assignRoles([scan('a.nii')], ['flair'])).toEqual(['ignore']);
  });

  it('gives a role taken twice to the first file only', () => {
    expect(assignRoles([scan('T1.nii'), scan('sub_T1w.nii'), { name: 'mask.nii', evidence: 'labels' }])).toEqual(['t1', 'ignore', 'mask']);
  });

  it('keeps the guesses of a full case', () => {
    expect(assignRoles([scan('FLAIR.nii.gz'), scan('T1.nii.gz'), scan('T1POST.nii.gz'), scan('T2.nii.gz'), { name: 'lesion_mask.nii.gz', evidence: 'labels' }]))
      .toEqual(['flair', 't1', 't1post', 't2', 'mask']);
  });

  it('takes an unnamed label map as the reference and a skull-stripped FLAIR named "masked" as the FLAIR', () => {
    expect(assignRoles([{ name: 'p26.nii.gz', evidence: 'labels' }, scan('p26_flair_masked.nii.gz')])).toEqual(['mask', 'flair']);
    // a lone label map is not made the FLAIR: the page then asks which file is the FLAIR
    expect(assignRoles([{ name: 'p26.nii.gz', evidence: 'labels' }])).toEqual(['mask']);
  });
});
