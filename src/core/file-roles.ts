/**
 * File roles: what each dropped NIfTI file is (a modality, the reference lesion mask, or ignored),
 * guessed from its name and its voxels, and changeable by the user.
 */
import type { Modality } from './types.ts';

/** The role of a loaded file. */
export type FileRole = Modality | 'mask' | 'ignore';

export const FILE_ROLES: readonly FileRole[] = ['flair', 't1', 't2', 't1post', 'mask', 'ignore'];

export const ROLE_LABELS: Readonly<Record<FileRole, string>> = {
  flair: 'FLAIR', t1: 'T1', t2: 'T2', t1post: 'T1 post-contrast', mask: 'Lesion mask (reference)', ignore: 'Ignore',
};

const MASK_WORDS = ['mask', 'seg', 'segmentation', 'label', 'labels', 'lesion', 'lesions', 'consensus', 'gt', 'truth', 'groundtruth', 'manual', 'roi'];
const POST_WORDS = ['post', 'gd', 'gad', 'ce', 'contrast', 'c', 'postcontrast', 'gado'];

/**
 * The role a file name suggests, or null when it says nothing. Mask words win over modality words
 * ("flair_seg" is a mask); FLAIR wins over T2 ("t2_flair" is FLAIR); a T1 with a contrast word
 * ("t1_gd", "T1c", "t1ce", "T1POST") is T1 post-contrast.
 *
 * @example guessRole('sub-01_T1w.nii.gz') // 't1'
 * @example guessRole('consensus_gt.nii.gz') // 'mask'
 */
export function guessRole(fileName: string): FileRole | null {
  const base = baseName(fileName);
  if (tokensOf(base).some((t) => MASK_WORDS.includes(t)) || /(mask|lesion|consensus|segmentation)/.test(base)) return 'mask';
  return modalityFromName(fileName);
}

/** The modality a file name names, mask words aside ("t1_masked" is a T1), or null. */
function modalityFromName(fileName: string): Modality | null {
  const base = baseName(fileName);
  const tokens = tokensOf(base);
  if (base.includes('flair')) return 'flair';
  for (let n = 0; n < tokens.length; n++) {
    const t = tokens[n];
    const t1 = /^t1(w|wi)?$/.test(t) || t === 'mprage';
    const t1Joined = /^t1w?(post|gd|gad|c|ce|contrast|postcontrast|ks)$/.test(t);
    if (t1Joined || (t1 && n + 1 < tokens.length && POST_WORDS.includes(tokens[n + 1]))) return 't1post';
    if (t1) return 't1';
    if (/^t2(w|wi)?$/.test(t)) return 't2';
  }
  return null;
}

const baseName = (fileName: string) => fileName.toLowerCase().replace(/\.nii(\.gz)?$/, '').replace(/\.gz$/, '');
const tokensOf = (base: string) => base.split(/[^a-z0-9]+/).filter((t) => t.length > 0);

/** What a file's voxels say of its role (voxelEvidence). */
export type VoxelEvidence = 'labels' | 'intensities' | 'unknown';

const MAX_LABELS = 16;
const MAX_UINT8_VALUES = 256;

/**
 * 'labels' for a label map (2-16 distinct non-negative integers, 0 among them: a lesion mask, binary
 * or labelled); 'intensities' for a scan (a non-integer value outside 0-1, or more distinct integers
 * than a uint8 holds); else 'unknown', where the name decides: a uint8 or constant image, or
 * fractions in 0-1 (a soft mask resampled with interpolation, or a probability map). One pass,
 * stopping at the first voxel that settles it.
 */
export function voxelEvidence(data: ArrayLike<number>): VoxelEvidence {
  const values = new Set<number>();
  let fractions = false;
  let last = Number.NaN;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === last) continue;
    last = v;
    if (Number.isInteger(v)) {
      values.add(v);
      if (values.size > MAX_UINT8_VALUES) return 'intensities';
    } else if (v > 0 && v < 1) {
      fractions = true;
    } else {
      return 'intensities';
    }
  }
  if (fractions) return [...values].every((v) => v === 0 || v === 1) ? 'unknown' : 'intensities';
  const labels = values.size >= 2 && values.size <= MAX_LABELS && values.has(0) && [...values].every((v) => v >= 0);
  return labels ? 'labels' : 'unknown';
}

/**
 * The role of a file from its name and voxels: a brain mask ("brainmask", "FLAIR_brain_mask" of 0s
 * and 1s) is ignored, as it is no lesion reference; any other label map is the reference mask
 * whatever its name ("t2_hyperintensities" of 0s and 1s); a scan named like a mask ("flair_masked",
 * a skull-stripped FLAIR) takes the modality its name gives, or none; otherwise the name decides.
 *
 * @example roleOf('T1_brain_masked.nii.gz', 'intensities') // 't1'
 * @example roleOf('sub-01_brainmask.nii.gz', 'labels') // 'ignore'
 */
export function roleOf(fileName: string, evidence: VoxelEvidence): FileRole | null {
  const base = baseName(fileName);
  if (evidence !== 'intensities' && /brain[^a-z0-9]?mask/.test(base) && !base.includes('lesion')) return 'ignore';
  if (evidence === 'labels') return 'mask';
  const byName = guessRole(fileName);
  return evidence === 'intensities' && byName === 'mask' ? modalityFromName(fileName) : byName;
}

/** A file as role assignment sees it: its name and what its voxels say (voxelEvidence). */
export interface RoleInput {
  name: string;
  evidence: VoxelEvidence;
}

/**
 * Roles for a batch of new files, given the roles already taken in the case: each file gets the
 * role of its name and voxels (roleOf); a file that says nothing becomes FLAIR when no FLAIR is known
 * yet (so a lone scan of any name can be segmented), else it is ignored; a role taken twice in the
 * batch goes to the first file and the others are ignored.
 */
export function assignRoles(files: readonly RoleInput[], takenRoles: readonly FileRole[] = []): FileRole[] {
  const guesses = files.map((f) => roleOf(f.name, f.evidence));
  const taken = new Set<FileRole>(takenRoles);
  const flairKnown = taken.has('flair') || guesses.includes('flair');
  let flairGiven = flairKnown;
  const used = new Set<FileRole>();
  return guesses.map((guess) => {
    let role: FileRole = guess ?? 'ignore';
    if (guess === null && !flairGiven) {
      role = 'flair';
      flairGiven = true;
    }
    if (role !== 'ignore' && used.has(role)) role = 'ignore';
    used.add(role);
    return role;
  });
}
