/** writeFileAtomic: the file is the whole new content, no temporary file stays; removeStaleTempFiles touches only its own names. */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleTempFiles, writeFileAtomic } from '../../src/cli/atomic-write.ts';

describe('writeFileAtomic', () => {
  it('replaces a file with the whole new content and leaves no temporary file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'atomic-'));
    const file = path.join(dir, 'caseA_lesions.csv');
    await writeFile(file, 'old\n');
    await writeFileAtomic(file, 'new,content\n');
    await writeFileAtomic(path.join(dir, 'mask.nii.gz'), new Uint8Array([1, 2, 3]));
    expect(await readFile(file, 'utf8')).toBe('new,content\n');
    expect([...await readFile(path.join(dir, 'mask.nii.gz'))]).toEqual([1, 2, 3]);
    expect((await readdir(dir)).sort()).toEqual(['caseA_lesions.csv', 'mask.nii.gz']);
  });

  it('fails on a missing folder without leaving anything', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'atomic-'));
    await expect(writeFileAtomic(path.join(dir, 'no-such', 'x.csv'), 'x')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('removeStaleTempFiles', () => {
  it("removes what a killed run's writes left, and nothing else", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'atomic-'));
    for (const name of ['.caseA_mask.nii.gz.123-0.tmp', '.summary.csv.9-12.tmp', 'caseA_mask.nii.gz', '.hidden', 'x.tmp', '.y.tmp']) {
      await writeFile(path.join(dir, name), 'x');
    }
    expect(removeStaleTempFiles(dir).sort()).toEqual(['.caseA_mask.nii.gz.123-0.tmp', '.summary.csv.9-12.tmp']);
    expect((await readdir(dir)).sort()).toEqual(['.hidden', '.y.tmp', 'caseA_mask.nii.gz', 'x.tmp']);
  });
});
