import { readdir } from 'node:fs/promises';

/** The .nii/.nii.gz files of a case folder, sorted; errors name the folder. */
export async function caseNiftiNames(caseDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(caseDir)).filter((f) => /\.nii(\.gz)?$/.test(f)).sort();
  } catch {
    throw new Error(`cannot read the case folder '${caseDir}'`);
  }
  if (names.length === 0) throw new Error(`no .nii or .nii.gz files in '${caseDir}'`);
  return names;
}
