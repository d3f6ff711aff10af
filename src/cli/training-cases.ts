import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { nonZeroIndices, type TrainingCase } from '../core/patch-sampling.ts';
import { brainMaskFrom, zscoreInBrain } from '../core/normalize.ts';
import { transplantLesions } from '../core/lesion-transplant.ts';
import { createRng } from '../core/random.ts';
import { assertSameGrid, referenceLesions } from '../core/volume.ts';
import type { Volume } from '../core/types.ts';
import type { Modality } from '../model/model-meta.ts';
import { readVolume } from './read-volume.ts';

/** File names of a case folder of open_ms_data (cases/patientNN/). */
const MODALITY_FILES: Record<Modality, string> = { flair: 'FLAIR.nii.gz', t1: 'T1.nii.gz', t2: 'T2.nii.gz', t1post: 'T1POST.nii.gz' };

/** A real case: normalised channels, label and brain, before augmentation. */
interface LoadedCase {
  name: string;
  flair: Volume;
  channels: Float32Array[];
  label: Uint8Array;
  brain: Uint8Array;
}

/** Reads one case folder: modalities z-scored inside the FLAIR > 0 brain, the consensus mask as label. */
export async function loadCase(caseDir: string, modalities: readonly Modality[]): Promise<LoadedCase> {
  const name = path.basename(caseDir);
  const volumes = await Promise.all(modalities.map((m) => readVolume(`the ${m.toUpperCase()}`, path.join(caseDir, MODALITY_FILES[m]))));
  const mask = await readVolume('the lesion mask', path.join(caseDir, 'lesion_mask.nii.gz'));
  assertSameGrid([...volumes.map((v, i) => ({ name: `${name}/${modalities[i]}`, volume: v })), { name: `${name}/mask`, volume: mask }]);
  const brain = brainMaskFrom(volumes[0]);
  const channels = volumes.map((v, i) => zscoreInBrain(v, brain, modalities[i]));
  const label = referenceLesions(mask.data);
  return { name, flair: volumes[0], channels, label, brain };
}

function toTrainingCase(name: string, dimsFrom: Volume, channels: Float32Array[], label: Uint8Array, brain: Uint8Array): TrainingCase {
  return {
    name,
    dims: dimsFrom.dims,
    channels,
    label: Float32Array.from(label),
    brainVoxels: nonZeroIndices(brain),
    lesionVoxels: nonZeroIndices(label),
  };
}

/**
 * The training set: each real case plus `copies` versions with lesions transplanted from random
 * donor masks (masks_mni/*.nii.gz, minus `excludeDonors`), as in docs/method.md section 7.
 */
export async function buildTrainingSet(options: {
  caseDirs: string[];
  donorDir: string;
  excludeDonors: string[];
  modalities: readonly Modality[];
  copies: number;
  seed: number;
  log: (line: string) => void;
}): Promise<TrainingCase[]> {
  const rng = createRng(options.seed);
  const donorFiles = (await readdir(options.donorDir))
    .filter((f) => f.endsWith('.nii.gz') && !options.excludeDonors.some((ex) => f.startsWith(ex)))
    .sort();
  if (options.copies > 0 && donorFiles.length === 0) throw new Error(`no donor masks in ${options.donorDir}`);
  const out: TrainingCase[] = [];
  for (const dir of options.caseDirs) {
    const c = await loadCase(dir, options.modalities);
    out.push(toTrainingCase(c.name, c.flair, c.channels, c.label, c.brain));
    for (let k = 0; k < options.copies; k++) {
      const donorName = donorFiles[Math.floor(rng() * donorFiles.length)];
      const donor = await readVolume('the donor mask', path.join(options.donorDir, donorName));
      assertSameGrid([{ name: c.name, volume: c.flair }, { name: donorName, volume: donor }]);
      const t = transplantLesions(c.channels, c.label, c.brain, donor.data, c.flair.dims, rng);
      out.push(toTrainingCase(`${c.name}+${donorName}`, c.flair, t.channels, t.label, c.brain));
      options.log(`transplanted ${donorName} into ${c.name}`);
    }
  }
  return out;
}
