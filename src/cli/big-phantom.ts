/**
 * `npx tsx src/cli/big-phantom.ts OUT.nii.gz [--dims 512,512,350] [--brain 72,88,64] [--seed 5] [--mm 0.5|1]`
 *
 * A 0.5 mm isotropic FLAIR as a 3D FLAIR of a modern scanner stores it (512 x 512 x 350 voxels, 92 M,
 * int16), for checking what a big scan costs in memory (docs/big-scans.md). The brain is the
 * project's phantom (core/phantom.ts) generated at 1 mm on a `brain`-sized grid and upsampled x2
 * (nearest: each 1 mm voxel becomes 2 x 2 x 2 voxels), centred in the big field of view of zeros, so
 * that on the model's 1 mm grid (256 x 256 x 175) only the few patches over the small brain run.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeNifti } from '../core/nifti-io.ts';
import { generatePhantom } from '../core/phantom.ts';
import type { Vec3, Volume } from '../core/types.ts';

/** Options of `bigFlairPhantom`. */
export interface BigPhantomOptions {
  /** Grid of the 0.5 mm scan. Default 512 x 512 x 350. */
  dims?: Vec3;
  /** Grid of the 1 mm phantom brain inside it (each axis at least 24, at most dims / 2). Default 72 x 88 x 64. */
  brainDims?: Vec3;
  seed?: number;
  /** Voxel size, mm: 0.5 (default; the brain upsampled x2) or 1 (the same brain and field of view at 1 mm, for comparison). */
  voxelMm?: 0.5 | 1;
}

/** Intensity scale from the phantom's units to the int16 file (FLAIR white matter ~58 -> ~1160). */
const INT16_SCALE = 20;

/** The 0.5 mm FLAIR (dataType int16, values already rounded) with an MNI-like orientation (i flipped). */
export function bigFlairPhantom(options: BigPhantomOptions = {}): Volume {
  const mm = options.voxelMm ?? 0.5;
  const f = mm === 0.5 ? 2 : 1;
  const dims = options.dims ?? (f === 2 ? [512, 512, 350] : [256, 256, 175]);
  const brainDims = options.brainDims ?? [72, 88, 64];
  if (brainDims.some((b, a) => f * b > dims[a])) throw new Error(`a ${brainDims.join('x')} mm brain does not fit a ${dims.join('x')} grid of ${mm} mm`);
  const small = generatePhantom({ dims: brainDims, seed: options.seed ?? 5 }).flair;
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  const offset = dims.map((d, a) => Math.floor((d - f * brainDims[a]) / 2));
  const [bx, by] = brainDims;
  for (let k = 0; k < f * brainDims[2]; k++) {
    for (let j = 0; j < f * by; j++) {
      const row = (offset[0]) + dims[0] * (offset[1] + j + dims[1] * (offset[2] + k));
      const from = bx * (Math.floor(j / f) + by * Math.floor(k / f));
      for (let i = 0; i < f * bx; i++) data[row + i] = Math.round(INT16_SCALE * small.data[from + Math.floor(i / f)]);
    }
  }
  const c = dims.map((d) => ((d - 1) * mm) / 2);
  const affine = [[-mm, 0, 0, c[0]], [0, mm, 0, -c[1]], [0, 0, mm, -c[2]], [0, 0, 0, 1]];
  return { dims, spacingMm: [mm, mm, mm], affine, data, dataType: 'int16' };
}

/** The phantom as .nii.gz bytes (int16). */
export function bigFlairPhantomBytes(options: BigPhantomOptions = {}): Uint8Array {
  return writeNifti(bigFlairPhantom(options), 'int16', { gzip: true });
}

const vec3 = (text: string | undefined): Vec3 | undefined => (text ? (text.split(',').map(Number) as unknown as Vec3) : undefined);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { dims: { type: 'string' }, brain: { type: 'string' }, seed: { type: 'string' }, mm: { type: 'string' } } });
  if (positionals.length !== 1) {
    process.stderr.write('usage: npx tsx src/cli/big-phantom.ts OUT.nii.gz [--dims 512,512,350] [--brain 72,88,64] [--seed 5] [--mm 0.5|1]\n');
    process.exit(1);
  }
  const bytes = bigFlairPhantomBytes({ dims: vec3(values.dims), brainDims: vec3(values.brain), seed: values.seed ? Number(values.seed) : undefined, voxelMm: values.mm === '1' ? 1 : 0.5 });
  writeFileSync(positionals[0], bytes);
  process.stderr.write(`wrote ${positionals[0]} (${(bytes.length / 1e6).toFixed(1)} MB)\n`);
}
