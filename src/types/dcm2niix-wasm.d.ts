/**
 * The Emscripten glue and binary of @niivue/dcm2niix's JPEG-capable WASM build, reached through
 * the `dcm2niix-wasm` alias of vite.config.ts (the package's exports map only offers its own
 * worker-spawning wrapper, which reads files with FileReader from a worker of its own).
 */
declare module 'dcm2niix-wasm/dcm2niix.jpeg.js' {
  import type { Dcm2niixModule } from '../core/dicom-convert.ts';
  const createModule: (options: {
    print?: (line: string) => void;
    printErr?: (line: string) => void;
    wasmBinary?: ArrayBuffer;
    locateFile?: (path: string) => string;
  }) => Promise<Dcm2niixModule>;
  export default createModule;
}

declare module 'dcm2niix-wasm/dcm2niix.jpeg.wasm?url' {
  const url: string;
  export default url;
}
