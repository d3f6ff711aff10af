/**
 * The registration in the browser: elastix's WASM build (@itk-wasm/elastix) run inside this worker
 * (webWorker: false: no second worker), its pipeline files served by the app itself (vite.config.ts
 * copies elastix.js and elastix.wasm.zst to itk/, never a CDN), and the shipped template
 * (public/template/flair-2mm.nii.gz), both fetched on first use.
 */
import { elastix, setPipelinesBaseUrl } from '@itk-wasm/elastix';
import type { Image, JsonCompatible } from 'itk-wasm';
import { readNifti } from '../core/nifti-io.ts';
import type { ParameterMap, RegistrationEngine } from '../core/registration.ts';
import { templateFromVolume } from '../core/registration-template.ts';
import type { Registration } from '../model/registered-input.ts';

/** The app's root: built workers lie in assets/, the dev server serves from /. */
function appRoot(): URL {
  return import.meta.env.DEV ? new URL('/', self.location.origin) : new URL('../', self.location.href);
}

const browserElastix: RegistrationEngine = async (parameterMap, fixed, moving) => {
  const { transformParameterObject } = await elastix([parameterMap] as unknown as JsonCompatible, {
    fixed: fixed as unknown as Image, moving: moving as unknown as Image, webWorker: false,
  });
  return transformParameterObject as unknown as ParameterMap[];
};

let loaded: Promise<Registration> | undefined;

/** The template and the engine; a failed fetch is retried on the next run. */
export function browserRegistration(): Promise<Registration> {
  loaded ??= (async () => {
    setPipelinesBaseUrl(new URL('itk', appRoot()).href);
    const response = await fetch(new URL('template/flair-2mm.nii.gz', appRoot()));
    if (!response.ok) throw new Error(`the registration template did not load: HTTP ${response.status}`);
    const template = templateFromVolume(readNifti(new Uint8Array(await response.arrayBuffer()), 'flair-2mm.nii.gz'));
    return { template, engine: browserElastix };
  })();
  loaded.catch(() => { loaded = undefined; });
  return loaded;
}
