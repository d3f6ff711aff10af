import { open, type FileHandle } from 'node:fs/promises';
import { readNiftiFrom } from '../core/nifti-io.ts';
import type { Volume } from '../core/types.ts';

/**
 * Reads a NIfTI volume, with errors that name what it is (`--flair`, `the T1`) and the file. The file
 * is read in chunks and only as far as the image its header declares (core/nifti-stream.ts), so a
 * gzip bomb or a file with gigabytes after its image costs no more than the image. The reader's
 * notes (NaN voxels read as 0, data after the image ignored, ...) are in the volume's `notes`.
 * @example await readVolume('--flair', 'FLAIR.nii.gz')
 */
export async function readVolume(what: string, path: string): Promise<Volume> {
  let file: FileHandle;
  let size: number;
  try {
    file = await open(path, 'r');
    const stat = await file.stat().catch(async (err: unknown) => {
      await file.close();
      throw err;
    });
    if (stat.isDirectory()) {
      await file.close();
      throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    }
    size = stat.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new Error(`cannot read ${what} '${path}': ${why}`);
  }
  try {
    return await readNiftiFrom({ size, read: (start, end) => readRange(file, start, end) });
  } catch (err) {
    throw new Error(`${what} '${path}' is not a readable NIfTI file: ${(err as Error).message}`);
  } finally {
    await file.close();
  }
}

/** Bytes [start, end) of an open file. */
async function readRange(file: FileHandle, start: number, end: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(end - start);
  let done = 0;
  while (done < bytes.length) {
    const { bytesRead } = await file.read(bytes, done, bytes.length - done, start + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === bytes.length ? bytes : bytes.subarray(0, done);
}

/** The reader's notes on a volume as CLI lines: "note: --pred 'p.nii': 3 of its ... voxels are NaN ...". */
export function readNoteLines(what: string, path: string, volume: Volume): string[] {
  return (volume.notes ?? []).map((note) => `note: ${what} '${path}': ${note}`);
}
