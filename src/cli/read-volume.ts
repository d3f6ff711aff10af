import { readFile } from 'node:fs/promises';
import { readNifti } from '../core/nifti-io.ts';
import type { Volume } from '../core/types.ts';

/**
 * Reads a NIfTI volume, with errors that name what it is (`--flair`, `the T1`) and the file.
 * @example await readVolume('--flair', 'FLAIR.nii.gz')
 */
export async function readVolume(what: string, path: string): Promise<Volume> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new Error(`cannot read ${what} '${path}': ${why}`);
  }
  try {
    return readNifti(bytes);
  } catch (err) {
    throw new Error(`${what} '${path}' is not a readable NIfTI file: ${(err as Error).message}`);
  }
}

