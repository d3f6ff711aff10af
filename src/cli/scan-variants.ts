/**
 * `npm run variants -- --case DIR --out DIR [--rotate X,Y,Z] [--shift X,Y,Z] [--scale S|flair=S,t1=S,...] [--offset O|flair=O,...]
 *   [--bias 0.3] [--noise 0.03] [--seed 1] [--interpolation linear|bspline]`
 *
 * Writes every .nii/.nii.gz of a case folder as a scan that did not come out of the preprocessing:
 * the head rotated (degrees about the array axes i, j, k, about the array centre) and shifted (mm)
 * in the array with the affine unchanged (the scans read trilinearly, or by cubic B-spline with
 * --interpolation bspline, the masks always trilinearly and cut at 0.5); the scans' intensities scaled and offset
 * (one factor for all, or one per modality, the modality guessed from the file name), times a smooth
 * bias field of +-B, with Rician noise of sd N x the mean inside the head (core/scan-variants.ts).
 * Files named like a mask (mask, seg, lesion, label) get the same move and nothing else, so each
 * variant is scored against its own truth.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeNifti } from '../core/nifti-io.ts';
import { biasField, moveInArray, parsePerModality, rescaleIntensity, ricianNoise, valueFor } from '../core/scan-variants.ts';
import { guessRole } from '../core/file-roles.ts';
import { optionalNumber, optionalString, parseCliArgs, requiredString } from './args.ts';
import { readVolume } from './read-volume.ts';
import { runCli } from './run-cli.ts';
import { caseNiftiNames } from './case-folder.ts';

function triple(o: Record<string, unknown>, name: string): [number, number, number] {
  const text = optionalString(o as never, name) ?? '0,0,0';
  const v = text.split(',').map(Number);
  if (v.length !== 3 || v.some((x) => !Number.isFinite(x))) throw new Error(`--${name} must be three numbers X,Y,Z, got '${text}'`);
  return [v[0], v[1], v[2]];
}

runCli(async () => {
  const spec = { type: 'string' } as const;
  const o = parseCliArgs(process.argv.slice(2), { case: spec, out: spec, rotate: spec, shift: spec, scale: spec, offset: spec, bias: spec, noise: spec, seed: spec, interpolation: spec });
  const caseDir = requiredString(o, 'case');
  const outDir = requiredString(o, 'out');
  const move = { rotateDeg: triple(o, 'rotate'), shiftMm: triple(o, 'shift') };
  const moves = move.rotateDeg.some((x) => x !== 0) || move.shiftMm.some((x) => x !== 0);
  const scale = parsePerModality(optionalString(o, 'scale') ?? '1', 1, '--scale');
  const offset = parsePerModality(optionalString(o, 'offset') ?? '0', 0, '--offset');
  const bias = optionalNumber(o, 'bias', 0);
  const noise = optionalNumber(o, 'noise', 0);
  const seed = optionalNumber(o, 'seed', 1);
  const kernel = optionalString(o, 'interpolation') ?? 'linear';
  if (kernel !== 'linear' && kernel !== 'bspline') throw new Error(`--interpolation must be linear or bspline, got '${kernel}'`);
  if (![scale.all, ...Object.values(scale.byModality)].every((x) => x > 0)) throw new Error('--scale must be positive');
  if (!(bias >= 0 && bias < 1)) throw new Error(`--bias must be in [0, 1), got ${bias}`);
  if (!(noise >= 0)) throw new Error(`--noise must be 0 or more, got ${noise}`);
  const names = await caseNiftiNames(caseDir);
  await mkdir(outDir, { recursive: true });
  for (const [n, name] of names.entries()) {
    const role = guessRole(name);
    const isMask = role === 'mask' || /mask|seg|lesion|label/i.test(name);
    const modality = role === 'mask' || role === 'ignore' ? null : role;
    let volume = await readVolume(name, join(caseDir, name));
    if (moves) volume = moveInArray(volume, move, isMask, kernel);
    if (!isMask) {
      const [a, b] = [valueFor(scale, modality), valueFor(offset, modality)];
      if (a !== 1 || b !== 0) volume = rescaleIntensity(volume, a, b);
      if (bias > 0) volume = biasField(volume, bias, seed);
      if (noise > 0) volume = ricianNoise(volume, noise, seed + n);
    }
    await writeFile(join(outDir, name.replace(/\.nii$/, '.nii.gz')), writeNifti(volume, volume.dataType, { gzip: true }));
    process.stdout.write(`${name} -> ${join(outDir, name.replace(/\.nii$/, '.nii.gz'))}\n`);
  }
});
