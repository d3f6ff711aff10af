/**
 * `npm run thick-slices -- --case DIR --out DIR [--mm 3] [--axis 2]`: writes every .nii.gz of a
 * case folder (FLAIR.nii.gz, T1.nii.gz, ..., lesion_mask.nii.gz) as if acquired in `--mm` mm slices
 * along array axis `--axis` (core/thick-slice-scan.ts; fractional too, e.g. 1.5), to measure the
 * engine on thick-slice scans. Files named like a mask (mask, seg, lesion, label) are lesion where
 * lesion covers at least half a thick voxel; the others hold the mean of what each thick voxel covers.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeNifti } from '../core/nifti-io.ts';
import { thickSliceScan } from '../core/thick-slice-scan.ts';
import { optionalString, parseCliArgs, requiredString } from './args.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';
import { caseNiftiNames } from './case-folder.ts';

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), {
    case: { type: 'string' },
    out: { type: 'string' },
    mm: { type: 'string' },
    axis: { type: 'string' },
  });
  const caseDir = requiredString(o, 'case');
  const outDir = requiredString(o, 'out');
  const mm = Number(optionalString(o, 'mm') ?? '3');
  const axis = Number(optionalString(o, 'axis') ?? '2');
  if (!(Number.isFinite(mm) && mm > 1)) throw new Error(`--mm must be a slice thickness in mm above 1 (e.g. 1.5 or 3), got '${o.mm}'`);
  if (axis !== 0 && axis !== 1 && axis !== 2) throw new Error(`--axis must be 0, 1 or 2, got '${o.axis}'`);
  const names = await caseNiftiNames(caseDir);
  await mkdir(outDir, { recursive: true });
  for (const name of names) {
    const volume = await readVolume(name, join(caseDir, name));
    if (volume.spacingMm.some((s) => Math.abs(s - 1) > 0.02)) throw new Error(`${name} has ${volume.spacingMm.join(' x ')} mm voxels; thick slices are made from a 1 mm scan`);
    const thick = thickSliceScan(volume, axis, mm, /mask|seg|lesion|label/i.test(name));
    await writeFile(join(outDir, name.replace(/\.nii$/, '.nii.gz')), writeNifti(thick, thick.dataType, { gzip: true }));
    process.stdout.write(`${name}: ${thick.dims.join('x')}, ${thick.spacingMm.join(' x ')} mm\n`);
  }
});
