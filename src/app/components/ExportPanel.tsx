import type { WorkbenchActions } from '../use-workbench.ts';

interface Props {
  enabled: boolean;
  hasReference: boolean;
  /** The FLAIR was converted from a DICOM series: the mask can go back as a DICOM SEG over it. */
  fromDicom: boolean;
  onDownload: WorkbenchActions['download'];
}

/** Downloads of the mask (NIfTI, and DICOM SEG for a DICOM FLAIR), the probability map, the metrics and the reference mask. */
export function ExportPanel({ enabled, hasReference, fromDicom, onDownload }: Props) {
  return (
    <section className="panel">
      <h2>Export</h2>
      <div className="row wrap">
        <button type="button" data-testid="download-mask" disabled={!enabled} onClick={() => onDownload('mask')}>Mask .nii.gz</button>
        {fromDicom && <button type="button" data-testid="download-seg" disabled={!enabled} onClick={() => onDownload('seg')}>Mask DICOM SEG</button>}
        <button type="button" data-testid="download-probability" disabled={!enabled} onClick={() => onDownload('probability')}>Probability .nii.gz</button>
        <button type="button" data-testid="download-metrics-json" disabled={!enabled} onClick={() => onDownload('metrics-json')}>Metrics JSON</button>
        <button type="button" data-testid="download-metrics-csv" disabled={!enabled} onClick={() => onDownload('metrics-csv')}>Metrics CSV</button>
        <button type="button" data-testid="download-reference" disabled={!hasReference} onClick={() => onDownload('reference')}>Reference mask .nii.gz</button>
      </div>
      <p className="hint">On the FLAIR's grid, with its header and affine{fromDicom ? '; the SEG references the FLAIR series (3D Slicer, OHIF, a PACS)' : ''}.</p>
    </section>
  );
}
