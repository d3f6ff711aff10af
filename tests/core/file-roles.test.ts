import { describe, expect, it } from 'vitest';
import { assignRoles, guessRole } from '../../src/core/file-roles.ts';

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

describe('assignRoles', () => {
  it('makes a lone unnamed scan the FLAIR', () => {
    expect(assignRoles(['crop.nii.gz'])).toEqual(['flair']);
  });

  it('ignores unnamed files once a FLAIR is known', () => {
    expect(assignRoles(['a.nii', 'FLAIR.nii'])).toEqual(['ignore', 'flair']);
    expect(assignRoles(['a.nii'], ['flair'])).toEqual(['ignore']);
  });

  it('gives a role taken twice to the first file only', () => {
    expect(assignRoles(['T1.nii', 'sub_T1w.nii', 'mask.nii'])).toEqual(['t1', 'ignore', 'mask']);
  });

  it('keeps the guesses of a full case', () => {
    expect(assignRoles(['FLAIR.nii.gz', 'T1.nii.gz', 'T1POST.nii.gz', 'T2.nii.gz', 'lesion_mask.nii.gz']))
      .toEqual(['flair', 't1', 't1post', 't2', 'mask']);
  });
});
