import type { Vec3 } from '../../core/types.ts';
import { formatMl } from '../format.ts';
import type { SegmentationResult } from '../state/workbench-state.ts';

interface Props {
  result: SegmentationResult | null;
  onJump: (vox: Vec3) => void;
}

/** Lesion count, total volume and one row per lesion (click to move the crosshair there). */
export function LesionPanel({ result, onJump }: Props) {
  if (!result) {
    return (
      <section className="panel">
        <h2>Lesions</h2>
        <p className="hint">Segment to list the lesions.</p>
      </section>
    );
  }
  const { lesions, threshold } = result.outcome;
  return (
    <section className="panel">
      <h2>Lesions</h2>
      <div className="stats">
        <div><span className="big" data-testid="lesion-count">{lesions.count}</span><span className="hint">lesions</span></div>
        <div><span className="big" data-testid="lesion-volume">{formatMl(lesions.totalVolumeMl)} mL</span><span className="hint">total volume</span></div>
      </div>
      <p className="hint" data-testid="lesion-threshold" data-threshold={threshold}>26-connected components of p ≥ {threshold.toFixed(2)}</p>
      <div className="table-wrap">
        <table className="lesions">
          <thead><tr><th>#</th><th>Volume (mL)</th><th>Voxels</th><th>Centre (i, j, k)</th></tr></thead>
          <tbody>
            {lesions.rows.map((row, n) => (
              <tr key={row.label} data-testid="lesion-row" tabIndex={0} onClick={() => onJump(row.centroidVox)} onKeyDown={(e) => e.key === 'Enter' && onJump(row.centroidVox)}>
                <td>{n + 1}</td>
                <td>{formatMl(row.volumeMl)}</td>
                <td>{row.voxels}</td>
                <td>{row.centroidVox.map((c) => Math.round(c)).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
