/**
 * Reading bounded by the declared image: a gzip stream that inflates to 1 GiB behind a 64^3 header is
 * read with about 1 MiB inflated (measured with ReadStats, not the clock), a declared image above the
 * scan limit is refused before its voxels are inflated, and data after the image is ignored with a note.
 */
import { createGzip } from 'node:zlib';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readNifti, readNiftiFrom, type ReadStats, writeNifti } from '../../src/core/nifti-io.ts';
import { NiftiReader } from '../../src/core/nifti-stream.ts';
import type { Volume } from '../../src/core/types.ts';
import { buildNifti, int16Fixture } from './nifti-fixture.ts';

const GIB = 2 ** 30;
const N = 64;

/** A 64^3 float32 volume whose voxel v holds v % 251 (so a shifted read shows). */
function cube(): Volume {
  return {
    dims: [N, N, N], spacingMm: [1, 1, 1], affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
    data: Float32Array.from({ length: N ** 3 }, (_, v) => v % 251), dataType: 'float32',
  };
}

/**
 * gzip of `head` followed by zeros up to `total` bytes, compressed as a stream (Node's zlib, level 1:
 * 1 GiB of zeros in about 0.5 s; fflate's Gzip took 8 s), so the test never holds the inflated bytes.
 */
async function gzipBomb(head: Uint8Array, total: number): Promise<Uint8Array> {
  const gzip = createGzip({ level: 1 });
  const parts: Buffer[] = [];
  gzip.on('data', (part: Buffer) => parts.push(part));
  const ended = new Promise((resolve) => gzip.on('end', resolve));
  gzip.write(head);
  const zeros = Buffer.alloc(16 << 20);
  for (let left = total - head.length; left > 0; left -= zeros.length) {
    if (!gzip.write(left >= zeros.length ? zeros : zeros.subarray(0, left))) await new Promise((r) => gzip.once('drain', r));
  }
  gzip.end();
  await ended;
  return new Uint8Array(Buffer.concat(parts));
}

describe('a gzip bomb behind a small header', () => {
  it('inflates 1 GiB to 64^3 float32 voxels: read with the image inflated and not much more, as the header says', async () => {
    const image = writeNifti(cube(), 'float32');
    const bomb = await gzipBomb(image, GIB);
    expect(bomb.length).toBeLessThan(10e6);
    const stats: ReadStats = { bytesRead: 0, bytesInflated: 0 };
    const volume = readNifti(bomb, 'bomb.nii.gz', stats);
    expect(volume.dims).toEqual([N, N, N]);
    expect(volume.data).toEqual(cube().data);
    // the image is 352 + 1 MiB; the reader's bound past it is one 32 KiB step and one 1 KiB probe at
    // deflate's largest ratio (1032:1), about 35 MB; here (zlib level 1 zeros, 229:1) 6.8 MB were inflated
    expect(stats.bytesInflated).toBeGreaterThanOrEqual(image.length);
    expect(stats.bytesInflated).toBeLessThan(image.length + 33 * 1032 * 1024);
    console.log(`1 GiB gzip bomb: ${bomb.length} bytes compressed, ${stats.bytesRead} read, ${stats.bytesInflated} inflated`);
    expect(stats.bytesRead).toBeLessThan(bomb.length / 10);
    expect(volume.notes).toEqual([
      `the decompressed file goes on past the image (the header's 64x64x64 float32 voxels end at byte ${image.length}); the rest was ignored, not decompressed`,
    ]);
    // read in chunks, as the CLI and the page read files: the same, and only the first chunk is read
    const reads: number[] = [];
    const chunked = await readNiftiFrom({ size: bomb.length, read: async (a, b) => (reads.push(a), bomb.subarray(a, b)) }, 'bomb.nii.gz');
    expect(chunked.data).toEqual(volume.data);
    expect(reads).toEqual([0]);
  }, 60_000);

  it('refuses a declared image above the scan limit before inflating its voxels', async () => {
    const huge = int16Fixture({ dim: [3, 2048, 2048, 1024, 1, 1, 1, 1] });
    const bomb = await gzipBomb(huge.subarray(0, 352), 64 << 20);
    const stats: ReadStats = { bytesRead: 0, bytesInflated: 0 };
    expect(() => readNifti(bomb, 'huge.nii.gz', stats)).toThrow(/^huge\.nii\.gz: image too large: the header declares 2048x2048x1024 int16 voxels/);
    expect(stats.bytesInflated).toBeLessThan(2e6);
  });
});

describe('data past the image and truncated streams', () => {
  it('ignores bytes after the image of a .nii, with a note', () => {
    const plain = int16Fixture();
    const padded = new Uint8Array(plain.length + 100);
    padded.set(plain);
    const volume = readNifti(padded);
    expect(Array.from(volume.data)).toEqual(Array.from(readNifti(plain).data));
    expect(volume.notes).toEqual(["100 bytes after the image were ignored (the header's 3x2x2 int16 voxels end at byte 376)"]);
    expect(readNifti(plain).notes).toBeUndefined();
    expect(readNifti(gzipSync(plain)).notes).toBeUndefined();
  });

  it('reads a .nii only as far as its image when it comes in chunks (the CLI and the page)', async () => {
    const plain = int16Fixture();
    const big = new Uint8Array(10 << 20);
    big.set(plain);
    const reads: number[] = [];
    const volume = await readNiftiFrom({ size: big.length, read: async (a, b) => (reads.push(a), big.subarray(a, b)) });
    expect(reads).toEqual([0]);
    expect(Array.from(volume.data)).toEqual(Array.from(readNifti(plain).data));
    expect(volume.notes).toEqual(["the file goes on past the image (the header's 3x2x2 int16 voxels end at byte 376); the rest was ignored, not read"]);
  });

  it('ignores a damaged gzip tail after a whole image, with a note', () => {
    const gz = gzipSync(int16Fixture());
    const tail = new Uint8Array([...gz, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const volume = readNifti(tail);
    expect(volume.data).toEqual(readNifti(gz).data);
    expect(volume.notes?.[0]).toMatch(/^the compressed data after the image is damaged \(invalid gzip data\); it was ignored$/);
  });

  it('tells a whole gzip of a truncated file from a truncated gzip stream', () => {
    const short = int16Fixture().subarray(0, 370);
    expect(() => readNifti(gzipSync(short))).toThrow(/^truncated NIfTI file: 3x2x2 int16 voxels need 376 bytes, file has 370/);
    const big = buildNifti({
      dim: [3, 40, 40, 40, 1, 1, 1, 1], datatype: 16, bitpix: 32, writeVoxel: (v, o, x, le) => v.setFloat32(o, x, le),
      values: Array.from({ length: 64000 }, (_, i) => Math.sin(i)),
    });
    const gz = gzipSync(big);
    expect(() => readNifti(gz.subarray(0, gz.length - 4000))).toThrow(/^corrupt or truncated gzip data \(unexpected EOF\)/);
  });

  it('reads the same from chunks of any size, big-endian and multi-member gzip included', () => {
    const files = [int16Fixture(), int16Fixture({ littleEndian: false })];
    const expected = readNifti(files[0]).data;
    for (const file of [...files, gzipSync(files[0]), new Uint8Array([...gzipSync(files[1].subarray(0, 100)), ...gzipSync(files[1].subarray(100))])]) {
      for (const size of [1, 3, 200, 1000]) {
        const reader = new NiftiReader();
        let done = false;
        for (let at = 0; at < file.length && !done; at += size) done = reader.push(file.subarray(at, at + size), at + size >= file.length);
        const raw = reader.finish();
        expect(raw.plan.dims).toEqual([3, 2, 2]);
        expect(raw.image.length).toBe(24);
      }
      expect(readNifti(file).data).toEqual(expected);
    }
  });
});
