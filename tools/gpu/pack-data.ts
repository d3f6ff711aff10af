/**
 * Packs open_ms_data into .gpu/data for a GPU machine, where at most 64 MiB travel: FLAIR, T1 and T2
 * of each case as int16 with scl_slope (max error 2e-5 of the range; z-scoring makes the scale
 * irrelevant), the masks as they are. `npx tsx tools/gpu/pack-data.ts [../shared/data/open_ms_data]`
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'fflate';
import { readNifti, writeNifti } from '../../src/core/nifti-io.ts';

const source = process.argv[2] ?? '../shared/data/open_ms_data';
const target = '.gpu/data';
const SCL_SLOPE_OFFSET = 112;

for (const name of (await readdir(path.join(source, 'cases'))).sort()) {
  const dir = path.join(target, 'cases', name);
  await mkdir(dir, { recursive: true });
  for (const modality of ['FLAIR', 'T1', 'T2']) {
    const volume = readNifti(await readFile(path.join(source, 'cases', name, `${modality}.nii.gz`)));
    const max = volume.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0) || 1;
    const scale = 32000 / max;
    const raw = writeNifti({ ...volume, data: Float32Array.from(volume.data, (x) => x * scale) }, 'int16');
    new DataView(raw.buffer).setFloat32(SCL_SLOPE_OFFSET, 1 / scale, true);
    await writeFile(path.join(dir, `${modality}.nii.gz`), gzipSync(raw));
  }
  await copyFile(path.join(source, 'cases', name, 'lesion_mask.nii.gz'), path.join(dir, 'lesion_mask.nii.gz'));
  process.stderr.write(`packed ${name}\n`);
}
await mkdir(path.join(target, 'masks_mni'), { recursive: true });
for (const f of await readdir(path.join(source, 'masks_mni'))) {
  await copyFile(path.join(source, 'masks_mni', f), path.join(target, 'masks_mni', f));
}
