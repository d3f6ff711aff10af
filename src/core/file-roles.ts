/**
 * File roles: what each dropped NIfTI file is (a modality, the reference lesion mask, or ignored),
 * guessed from its name and changeable by the user.
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
  const base = fileName.toLowerCase().replace(/\.nii(\.gz)?$/, '').replace(/\.gz$/, '');
  const tokens = base.split(/[^a-z0-9]+/).filter((t) => t.length > 0);
  const has = (words: readonly string[]) => tokens.some((t) => words.includes(t));
  if (has(MASK_WORDS) || /(mask|lesion|consensus|segmentation)/.test(base)) return 'mask';
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

/**
 * Roles for a batch of new files, given the roles already taken in the case: each file gets its
 * guessed role; a file whose name says nothing becomes FLAIR when no FLAIR is known yet (so a lone
 * scan of any name can be segmented), else it is ignored; a role taken twice in the batch goes to
 * the first file and the others are ignored.
 */
export function assignRoles(fileNames: readonly string[], takenRoles: readonly FileRole[] = []): FileRole[] {
  const guesses = fileNames.map(guessRole);
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
