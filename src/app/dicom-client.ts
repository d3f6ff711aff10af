/**
 * The page's handle on the DICOM worker: started on first use, one conversion at a time, with
 * progress reported per series.
 */
import type { DicomEvent, DicomRequest } from '../worker/dicom-protocol.ts';

/** The result of one conversion. */
export type DicomConverted = Extract<DicomEvent, { type: 'converted' }>;

export class DicomWorkerClient {
  private worker: Worker | null = null;
  private nextJob = 1;

  /** Converts `files` (read as bytes here, moved to the worker); `onProgress` gets "series k of n: label". */
  async convert(files: readonly File[], onProgress: (text: string) => void): Promise<DicomConverted> {
    const seen = new Map<string, number>();
    const unique = (name: string) => {
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      return n === 1 ? name : `${name}#${n}`;
    };
    const payload = await Promise.all(files.map(async (f) => ({ name: unique(relativeName(f)), bytes: new Uint8Array(await f.arrayBuffer()) })));
    const worker = (this.worker ??= new Worker(new URL('../worker/dicom.worker.ts', import.meta.url), { type: 'module', name: 'dicom' }));
    const jobId = this.nextJob++;
    return new Promise((resolve, reject) => {
      worker.onmessage = (message: MessageEvent<DicomEvent>) => {
        const event = message.data;
        if (event.jobId !== jobId) return;
        switch (event.type) {
          case 'progress':
            return onProgress(`Converting DICOM: series ${event.done + 1} of ${event.total} (${event.label})`);
          case 'converted':
            return resolve(event);
          case 'failed':
            return reject(new Error(event.message));
          default: {
            const never: never = event;
            return reject(new Error(`unknown DICOM worker event ${JSON.stringify(never)}`));
          }
        }
      };
      worker.onerror = (event) => {
        event.preventDefault();
        this.worker = null;
        reject(new Error(event.message || 'the DICOM worker failed to start'));
      };
      onProgress(`Reading ${payload.length} DICOM file${payload.length === 1 ? '' : 's'}…`);
      const request: DicomRequest = { type: 'convert', jobId, files: payload };
      worker.postMessage(request, payload.map((p) => p.bytes.buffer as ArrayBuffer));
    });
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}

/** A dropped or picked file's path inside its folder, else its name. */
function relativeName(file: File): string {
  const relative = (file as File & { webkitRelativePath?: string }).webkitRelativePath;
  return relative || file.name;
}
