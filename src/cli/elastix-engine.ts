/**
 * The registration in Node: elastix's WASM build through @itk-wasm/elastix's node entry (WASI, no
 * worker), and the shipped template (public/template/flair-2mm.nii.gz, `npm run build-template`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { elastixNode } from '@itk-wasm/elastix';
import type { Image, JsonCompatible } from 'itk-wasm';
import type { ParameterMap, RegistrationEngine } from '../core/registration.ts';
import { templateFromVolume } from '../core/registration-template.ts';
import type { Registration } from '../model/registered-input.ts';
import { readVolume } from './read-volume.ts';

/** The template shipped with the app. */
export const TEMPLATE_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/template/flair-2mm.nii.gz');

export const nodeElastix: RegistrationEngine = async (parameterMap, fixed, moving) => {
  const { transformParameterObject } = await elastixNode([parameterMap] as unknown as JsonCompatible, { fixed: fixed as unknown as Image, moving: moving as unknown as Image });
  return transformParameterObject as unknown as ParameterMap[];
};

let loaded: Promise<Registration> | undefined;

/** The template and the Node engine (the template read once). */
export function nodeRegistration(): Promise<Registration> {
  loaded ??= readVolume('the registration template', TEMPLATE_PATH).then((volume) => ({ template: templateFromVolume(volume), engine: nodeElastix }));
  return loaded;
}
