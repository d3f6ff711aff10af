/**
 * `npm run build-template -- [--cases ../shared/data/open_ms_data/cases] [--out public/template/flair-2mm.nii.gz]`
 *
 * Builds the registration template from the training cases' FLAIRs (open_ms_data, CC-BY 4.0; all on
 * the MNI grid the models were trained on): each FLAIR z-scored inside its brain (FLAIR > 0) and
 * mapped to 110 + 35 z (0 outside the brain), the cases averaged, the average taken over 2x2x2 blocks
 * (2 mm) and written as uint8 with the affine of core/registration-template.ts. A derived artifact,
 * like the model weights: an average of two brains at 2 mm, not a copy of a scan.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeNifti } from '../core/nifti-io.ts';
import { brainMaskFrom, zscoreInBrain } from '../core/normalize.ts';
import { templateAffine } from '../core/registration-template.ts';
import { blockAverage2 } from '../core/rigid-resample.ts';
import { assertSameGrid } from '../core/volume.ts';
import type { Volume } from '../core/types.ts';
import { optionalString, parseCliArgs } from './args.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';

runCli(async () => {
  const o = parseCliArgs(process.argv.slice(2), { cases: { type: 'string' }, out: { type: 'string' } });
  const casesDir = optionalString(o, 'cases') ?? '../shared/data/open_ms_data/cases';
  const out = optionalString(o, 'out') ?? 'public/template/flair-2mm.nii.gz';
  const names = (await readdir(casesDir)).sort();
  const flairs: { name: string; volume: Volume }[] = [];
  for (const name of names) flairs.push({ name, volume: await readVolume(`${name} FLAIR`, join(casesDir, name, 'FLAIR.nii.gz')) });
  if (flairs.length === 0) throw new Error(`no case folders under ${casesDir}`);
  assertSameGrid(flairs);
  const first = flairs[0].volume;
  const sum = new Float32Array(first.data.length);
  for (const { name, volume } of flairs) {
    const z = zscoreInBrain(volume, brainMaskFrom(volume), `${name} FLAIR`);
    for (let v = 0; v < sum.length; v++) if (z[v] !== 0 || volume.data[v] > 0) sum[v] += Math.min(255, Math.max(1, 110 + 35 * z[v])) / flairs.length;
  }
  const small = blockAverage2(sum, first.dims);
  const template: Volume = { dims: small.dims, spacingMm: [2, 2, 2], affine: templateAffine(first.affine), data: small.data, dataType: 'uint8' };
  await writeFileAtomic(out, writeNifti(template, 'uint8', { gzip: true }));
  console.log(`template of ${flairs.map((f) => f.name).join(', ')}: ${small.dims.join('x')} voxels of 2 mm -> ${out}`);
});
