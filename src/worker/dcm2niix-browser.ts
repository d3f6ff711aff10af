/**
 * dcm2niix in the browser: the WASM build of @niivue/dcm2niix (JPEG, JPEG-LS, JPEG 2000 decoders
 * included), its binary an asset of the build, fetched once and instantiated afresh per conversion.
 */
import createModule from 'dcm2niix-wasm/dcm2niix.jpeg.js';
import wasmUrl from 'dcm2niix-wasm/dcm2niix.jpeg.wasm?url';
import type { Dcm2niixFactory } from '../core/dicom-convert.ts';

let binary: Promise<ArrayBuffer> | undefined;

/** A Dcm2niixFactory for a worker or page: fetches the binary on first use. */
export const browserDcm2niix: Dcm2niixFactory = async (print) => {
  binary ??= fetch(new URL(wasmUrl, self.location.href)).then((r) => {
    if (!r.ok) throw new Error(`the DICOM converter (dcm2niix.wasm) did not load: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  const wasmBinary = (await binary).slice(0);
  return createModule({ print, printErr: print, wasmBinary });
};
