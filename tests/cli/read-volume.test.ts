import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVolume } from '../../src/cli/read-volume.ts';
import { readNifti, writeNifti } from '../../src/core/nifti-io.ts';
import type { Volume } from '../../src/core/types.ts';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'read-volume-test-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** 5x4x3 volume whose voxel v holds v + 1 (so a shifted read shows at once). */
function ramp(): Volume {
  return {
    dims: [5, 4, 3], spacingMm: [1, 2, 3], affine: [[1, 0, 0, 4], [0, 2, 0, 5], [0, 0, 3, 6], [0, 0, 0, 1]],
    data: Float32Array.from({ length: 60 }, (_, v) => v + 1), dataType: 'float32',
  };
}

describe('readVolume (files read in Node arrive as Buffers)', () => {
  for (const [name, gzip] of [['ramp.nii', false], ['ramp.nii.gz', true]] as const) {
    for (const type of ['float32', 'int16', 'uint8'] as const) {
      it(`reads back every voxel of a ${type} ${name}`, async () => {
        const target = path.join(dir, `${type}-${name}`);
        await writeFile(target, writeNifti(ramp(), type, { gzip }));
        const v = await readVolume('--flair', target);
        expect(v.dims).toEqual([5, 4, 3]);
        expect(Array.from(v.data)).toEqual(Array.from(ramp().data));
        expect(v.affine[1][3]).toBeCloseTo(5, 5);
      });
    }
  }

  it('reads a Buffer that sits at an offset inside a larger ArrayBuffer', () => {
    const bytes = writeNifti(ramp(), 'float32');
    const pool = Buffer.alloc(bytes.length + 64);
    const view = pool.subarray(64);
    view.set(bytes);
    expect(view.byteOffset).toBeGreaterThan(0);
    expect(Array.from(readNifti(view).data)).toEqual(Array.from(ramp().data));
    // and the same file through readFileSync
    const target = path.join(dir, 'sync.nii');
    return writeFile(target, bytes).then(() => {
      expect(Array.from(readNifti(readFileSync(target)).data)).toEqual(Array.from(ramp().data));
    });
  });

  it('names the option and the file when it cannot read', async () => {
    await expect(readVolume('--t1', path.join(dir, 'none.nii'))).rejects.toThrow(/^cannot read --t1 '.*none\.nii': no such file$/);
    await mkdir(path.join(dir, 'folder.nii'));
    await expect(readVolume('--t2', path.join(dir, 'folder.nii'))).rejects.toThrow(/^cannot read --t2 '.*folder\.nii': is a directory$/);
    await writeFile(path.join(dir, 'text.nii'), 'x'.repeat(400));
    await expect(readVolume('--pred', path.join(dir, 'text.nii'))).rejects.toThrow(/^--pred '.*text\.nii' is not a readable NIfTI file: /);
  });
});
