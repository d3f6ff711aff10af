/**
 * dcm2niix in Node: the same WASM build the page runs (@niivue/dcm2niix, JPEG-capable variant),
 * loaded from node_modules. Its Emscripten glue detects Node and reads the .wasm beside it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Dcm2niixFactory, Dcm2niixModule } from '../core/dicom-convert.ts';

type EmscriptenFactory = (options: { print: (s: string) => void; printErr: (s: string) => void }) => Promise<Dcm2niixModule>;

let glue: Promise<EmscriptenFactory> | undefined;

/** The Emscripten glue's path: dist/dcm2niix.jpeg.js of @niivue/dcm2niix (its exports map hides it from import). */
function gluePath(): string {
  const entry = fileURLToPath(import.meta.resolve('@niivue/dcm2niix'));
  return join(dirname(entry), 'dcm2niix.jpeg.js');
}

/**
 * A Dcm2niixFactory for Node: each call instantiates a fresh module (about 30 ms) whose stdout and
 * stderr lines go to `print`.
 */
export const nodeDcm2niix: Dcm2niixFactory = async (print) => {
  glue ??= import(pathToFileURL(gluePath()).href).then((m: { default: EmscriptenFactory }) => m.default);
  const factory = await glue;
  return factory({ print, printErr: print });
};
