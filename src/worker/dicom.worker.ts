/**
 * The DICOM worker: reads the headers of dropped files, lists their series, converts each
 * convertible one with dcm2niix (WASM) and posts the volumes back, with progress per series. The
 * page stays responsive while it runs. Logic lives in src/core (dicom-series, dicom-study,
 * dicom-convert); this file only dispatches.
 */
import { convertSeries, filesByName, seriesFileName } from '../core/dicom-convert.ts';
import { scanDicomFiles, SEG_SOP_CLASS } from '../core/dicom-series.ts';
import { studySeries } from '../core/dicom-study.ts';
import { browserDcm2niix } from './dcm2niix-browser.ts';
import type { DicomEvent, DicomRequest, DicomSeriesResult } from './dicom-protocol.ts';

const post = (event: DicomEvent, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(event, transfer);

self.onmessage = async (message: MessageEvent<DicomRequest>) => {
  const request = message.data;
  switch (request.type) {
    case 'convert': {
      const { jobId, files } = request;
      try {
        const scan = scanDicomFiles(files);
        const listed = studySeries(scan);
        const byName = filesByName(files);
        const results: DicomSeriesResult[] = [];
        for (const [n, item] of listed.entries()) {
          post({ type: 'progress', jobId, done: n, total: listed.length, label: item.summary.label });
          let problem = item.summary.problem;
          let volume = null;
          if (problem === null) {
            try {
              volume = (await convertSeries(browserDcm2niix, item.series, byName)).volume;
            } catch (error) {
              problem = (error as Error).message.replace(`${item.summary.label}: `, '');
            }
          }
          results.push({ name: seriesFileName(item.series), summary: item.summary, role: item.role, series: item.series, volume, problem });
        }
        const segNames = new Set(scan.nonImage.filter((x) => x.sopClassUid === SEG_SOP_CLASS).map((x) => x.fileName));
        const segFiles = files.filter((f) => segNames.has(f.name));
        const transfer = results.flatMap((r) => (r.volume ? [r.volume.data.buffer as ArrayBuffer] : []));
        post({ type: 'converted', jobId, results, notDicom: scan.notDicom, segFiles }, transfer);
      } catch (error) {
        post({ type: 'failed', jobId, message: (error as Error).message });
      }
      break;
    }
    default: {
      const never: never = request.type;
      throw new Error(`unknown request ${String(never)}`);
    }
  }
};
