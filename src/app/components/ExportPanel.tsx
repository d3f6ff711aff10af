import type { WorkbenchActions } from '../use-workbench.ts';

/** Downloads of the mask, the probability map, the metrics and the (possibly edited) reference mask. */
export function ExportPanel({ enabled, hasReference, onDownload }: { enabled: boolean; hasReference: boolean; onDownload: WorkbenchActions['download'] }) {
  return (
    <section className="panel">
      <h2>Export</h2>
      <div className="row wrap">
        <button type="button" data-testid="download-mask" disabled={!enabled} onClick={() => onDownload('mask')}>Mask .nii.gz</button>
        <button type="button" data-testid="download-probability" disabled={!enabled} onClick={() => onDownload('probability')}>Probability .nii.gz</button>
        <button type="button" data-testid="download-metrics-json" disabled={!enabled} onClick={() => onDownload('metrics-json')}>Metrics JSON</button>
        <button type="button" data-testid="download-metrics-csv" disabled={!enabled} onClick={() => onDownload('metrics-csv')}>Metrics CSV</button>
        <button type="button" data-testid="download-reference" disabled={!hasReference} onClick={() => onDownload('reference')}>Reference mask .nii.gz</button>
      </div>
      <p className="hint">On the FLAIR's grid, with its header and affine.</p>
    </section>
  );
}
