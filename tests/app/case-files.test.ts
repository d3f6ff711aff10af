import { describe, expect, it } from 'vitest';
import { type CaseFiles, changeRole, constantImageProblem, type LoadedFile, mergeIntoCase, readNiftiFiles, removeFile, scansOf, segmentBlocker, setCaseMessage, toLoadedFiles, withEditedReference } from '../../src/app/case-files.ts';
import { writeNifti } from '../../src/core/nifti-io.ts';
import type { Vec3, Volume } from '../../src/core/types.ts';

function volume(dims: Vec3 = [4, 4, 4], shiftMm = 0): Volume {
  return {
    dims, spacingMm: [1, 1, 1], dataType: 'float32', data: new Float32Array(dims[0] * dims[1] * dims[2]).fill(1),
    affine: [[1, 0, 0, shiftMm], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
  };
}

const read = (name: string, v: Volume = volume()) => ({ name, sizeBytes: 100, volume: v });

describe('case files', () => {
  it('takes an edited reference as the mask, keeps the old one ignored, and keeps the demo open', () => {
    const first: CaseFiles = { ...mergeIntoCase(null, toLoadedFiles([read('FLAIR.nii'), read('mask.nii')])), isDemo: true, title: 'demo' };
    const mask = new Uint8Array(64);
    mask[5] = 1;
    const edited = withEditedReference(first, mask, 'demo_reference_edited.nii.gz');
    expect(edited.files.map((f) => [f.name, f.role])).toEqual([['FLAIR.nii', 'flair'], ['mask.nii', 'ignore'], ['demo_reference_edited.nii.gz', 'mask']]);
    expect([edited.isDemo, edited.title, edited.key]).toEqual([true, 'demo', first.key + 1]);
    const truth = scansOf(edited).truth!;
    expect(Array.from(truth.volume.data).reduce((a, b) => a + b, 0)).toBe(1);
    expect(truth.volume.data[5]).toBe(1);
    expect(truth.volume.affine).toBe(first.files[0].volume.affine);
    expect(() => withEditedReference({ ...first, files: [first.files[1]] }, mask, 'x.nii.gz')).toThrow(/FLAIR/);
  });

  it('starts a case from files with guessed roles', () => {
    const c = mergeIntoCase(null, toLoadedFiles([read('FLAIR.nii.gz'), read('T1.nii.gz'), read('lesion_mask.nii.gz')]));
    expect(c.files.map((f) => f.role)).toEqual(['flair', 't1', 'mask']);
    expect(c.title).toBe('FLAIR.nii.gz');
    expect(c.isDemo).toBe(false);
    const { scans, truth, flair } = scansOf(c);
    expect(Object.keys(scans).sort()).toEqual(['flair', 't1']);
    expect(truth).toBe(c.files[2]);
    expect(flair?.name).toBe('FLAIR.nii.gz');
    expect(segmentBlocker(c)).toBeNull();
  });

  it('adds files without a FLAIR to the open case, replacing the same role', () => {
    const first = mergeIntoCase(null, toLoadedFiles([read('FLAIR.nii'), read('T1.nii')]));
    const added = mergeIntoCase(first, toLoadedFiles([read('T1w_new.nii'), read('mask.nii')], first.files.map((f) => f.role)));
    expect(added.files.map((f) => f.name)).toEqual(['FLAIR.nii', 'T1w_new.nii', 'mask.nii']);
    expect(added.title).toBe('FLAIR.nii');
    expect(added.key).toBe(first.key + 1);
  });

  it('starts over when new files bring a FLAIR or the demo is open', () => {
    const first = mergeIntoCase(null, toLoadedFiles([read('FLAIR.nii'), read('T2.nii')]));
    const next = mergeIntoCase(first, toLoadedFiles([read('other_flair.nii')]));
    expect(next.files.map((f) => f.name)).toEqual(['other_flair.nii']);
    const demo: CaseFiles = { ...first, isDemo: true };
    expect(mergeIntoCase(demo, toLoadedFiles([read('T1.nii')])).files.map((f) => f.name)).toEqual(['T1.nii']);
  });

  it('refuses files on another grid, naming both', () => {
    const first = mergeIntoCase(null, toLoadedFiles([read('FLAIR.nii')]));
    expect(() => mergeIntoCase(first, toLoadedFiles([read('T1.nii', volume([4, 4, 5]))]))).toThrow(/FLAIR\.nii.*T1\.nii.*dimensions differ/);
    expect(() => mergeIntoCase(first, toLoadedFiles([read('T1.nii', volume([4, 4, 4], 2))]))).toThrow(/affines differ/);
    expect(() => mergeIntoCase(null, toLoadedFiles([read('FLAIR.nii'), read('T2.nii', volume([5, 4, 4]))]))).toThrow(/not on the same voxel grid/);
  });

  it('changes a role; the previous holder is ignored', () => {
    const c = mergeIntoCase(null, toLoadedFiles([read('FLAIR.nii'), read('scan2.nii')]));
    expect(c.files.map((f) => f.role)).toEqual(['flair', 'ignore']);
    const swapped = changeRole(c, c.files[1].id, 'flair');
    expect(swapped.files.map((f) => f.role)).toEqual(['ignore', 'flair']);
    expect(segmentBlocker(changeRole(swapped, swapped.files[1].id, 't2'))).toMatch(/FLAIR/);
    const removed = removeFile(swapped, swapped.files[1].id);
    expect(removed.files).toHaveLength(1);
    expect(segmentBlocker(removed)).toMatch(/FLAIR/);
    expect(segmentBlocker(null)).toMatch(/Load a FLAIR/);
  });

  it('builds the worker message of the case without ignored files', () => {
    const c = mergeIntoCase(null, toLoadedFiles([read('FLAIR.nii'), read('x.nii'), read('seg.nii')]));
    const message = setCaseMessage(c);
    expect(message.caseKey).toBe(c.key);
    expect(Object.keys(message.scans)).toEqual(['flair']);
    expect(message.scans.flair).toEqual({ id: c.files[0].id, volume: c.files[0].volume });
    expect(message.truth?.id).toBe(c.files[2].id);
    expect(setCaseMessage(null)).toEqual({ type: 'set-case', caseKey: 0, scans: {}, truth: null });
  });

  it('gives each loaded file its own id', () => {
    const files: LoadedFile[] = toLoadedFiles([read('a.nii'), read('b.nii')]);
    expect(new Set(files.map((f) => f.id)).size).toBe(2);
  });
});

describe('readNiftiFiles (the page reads File objects in slices)', () => {
  it('reads NIfTI-2 and notes NaN voxels; a bad file is a problem naming it, and the others are read', async () => {
    const v = volume([4, 4, 4]);
    v.data[3] = Number.NaN;
    const nifti2 = new File([writeNifti(v, 'float32', { gzip: true, version: 2 }) as BlobPart], 'sub-01_FLAIR.nii.gz');
    const huge = writeNifti(volume(), 'float32');
    [3, 1024, 1024, 1024].forEach((d, i) => new DataView(huge.buffer).setInt16(40 + 2 * i, d, true));
    const files = [new File([huge as BlobPart], 'huge.nii'), nifti2, new File(['x'], 'notes.txt')];
    const { volumes, problems } = await readNiftiFiles(files);
    expect(volumes.map((r) => r.name)).toEqual(['sub-01_FLAIR.nii.gz']);
    expect(volumes[0].volume.sourceHeader?.length).toBe(540);
    expect(volumes[0].volume.data[3]).toBe(0);
    expect(volumes[0].volume.notes).toEqual(['1 of its 64 voxels are NaN or infinite; they were read as 0 (background)']);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^huge\.nii: image too large: the header declares 1024x1024x1024 float32 voxels/),
      expect.stringMatching(/^notes\.txt: not a NIfTI file name/),
    ]);
  });
});

describe('constantImageProblem (an image with one value is no scan)', () => {
  it('refuses empty and constant images by name, keeps an empty reference mask and any image with two values', async () => {
    const zeros = { ...volume(), data: new Float32Array(64) };
    expect(constantImageProblem('empty.nii.gz', zeros)).toBe('empty.nii.gz: every voxel is 0 (an empty image): there is no scan in it to segment or score');
    expect(constantImageProblem('sub-01_FLAIR.nii', volume())).toMatch(/^sub-01_FLAIR\.nii: every voxel is 1 \(a constant image\)/);
    expect(constantImageProblem('sub-01_lesion_mask.nii.gz', zeros)).toBeNull();
    expect(constantImageProblem('sub-01_lesion_mask.nii.gz', volume())).toMatch(/every voxel is 1/);
    const two = volume();
    two.data[63] = 2;
    expect(constantImageProblem('t1.nii', two)).toBeNull();
    const { volumes, problems } = await readNiftiFiles([new File([writeNifti(zeros, 'float32') as BlobPart], 'empty.nii'), new File([writeNifti(two, 'float32') as BlobPart], 't1.nii')]);
    expect(volumes.map((v) => v.name)).toEqual(['t1.nii']);
    expect(problems.map((p) => p.name)).toEqual(['empty.nii']);
  });
});
