import { readFile } from 'node:fs/promises';
import { readNifti } from '../core/nifti-io.ts';
import type { Volume } from '../core/types.ts';

/** Reads a NIfTI volume, with errors that name the option and the file. */
export async function readVolume(option: string, path: string): Promise<Volume> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new Error(`cannot read --${option} '${path}': ${why}`);
  }
  try {
    return readNifti(bytes);
  } catch (err) {
    throw new Error(`--${option} '${path}' is not a readable NIfTI file: ${(err as Error).message}`);
  }
}

