import { useState } from 'react';
import type { LesionRow } from '../../core/lesion-table.ts';
import type { Vec3 } from '../../core/types.ts';
import { formatMl } from '../format.ts';
import type { SegmentationResult } from '../state/workbench-state.ts';

interface Props {
  result: SegmentationResult | null;
  onJump: (vox: Vec3) => void;
}

/** Which lesions the table lists when there is a reference: all found ones, the false ones, or the reference's missed ones. */
type Listing = 'all' | 'false' | 'missed';

/**
 * Lesion count, total volume and one row per lesion (click to move the crosshair there). With a
 * reference mask each lesion is marked found or false, and the reference lesions the mask misses
 * can be listed, so a reader can step through the errors.
 */
export function LesionPanel({ result, onJump }: Props) {
  const [listing, setListing] = useState<Listing>('all');
  if (!result) {
    return (
      <section className="panel">
        <h2>Lesions</h2>
        <p className="hint">Segment to list the lesions.</p>
      </section>
    );
  }
  const { lesions, threshold } = result.outcome;
  const missed = lesions.missed;
  const shown = missed ? listing : 'all';
  const falseRows = lesions.rows.filter((r) => r.inReference === false);
  const rows = shown === 'missed' ? (missed ?? []) : shown === 'false' ? falseRows : lesions.rows;
  return (
    <section className="panel">
      <h2>Lesions</h2>
      <div className="stats">
        <div><span className="big" data-testid="lesion-count">{lesions.count}</span><span className="hint">lesions</span></div>
        <div><span className="big" data-testid="lesion-volume">{formatMl(lesions.totalVolumeMl)} mL</span><span className="hint">total volume</span></div>
      </div>
      <p className="hint" data-testid="lesion-threshold" data-threshold={threshold}>26-connected components of p ≥ {threshold.toFixed(2)}</p>
      {missed && <ReviewChoice count={lesions.count} falseCount={falseRows.length} missedCount={missed.length} listing={shown} onChange={setListing} />}
      <div className="table-wrap">
        <table className="lesions">
          <thead>
            <tr><th>#</th><th>Volume (mL)</th><th>Voxels</th><th>Centre (i, j, k)</th>{missed && shown === 'all' && <th>Ref.</th>}</tr>
          </thead>
          <tbody>
            {rows.map((row, n) => (
              <LesionLine key={row.label} row={row} n={n} testId={shown === 'missed' ? 'missed-row' : 'lesion-row'} verdict={missed && shown === 'all'} onJump={onJump} />
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="hint">{shown === 'missed' ? 'No reference lesion is missed.' : shown === 'false' ? 'No false lesion.' : 'No lesion at this threshold.'}</p>}
      </div>
    </section>
  );
}

function ReviewChoice({ count, falseCount, missedCount, listing, onChange }: { count: number; falseCount: number; missedCount: number; listing: Listing; onChange: (l: Listing) => void }) {
  return (
    <label className="inline" data-testid="lesion-review" data-false={falseCount} data-missed={missedCount}>
      <span>List</span>
      <select data-testid="lesion-listing" value={listing} onChange={(e) => onChange(e.target.value as Listing)} title="Checked against the reference mask: a lesion is found when it touches a reference lesion">
        <option value="all">all {count} lesions</option>
        <option value="false">{falseCount} false (not in the reference)</option>
        <option value="missed">{missedCount} missed reference lesions</option>
      </select>
    </label>
  );
}

function LesionLine({ row, n, testId, verdict, onJump }: { row: LesionRow; n: number; testId: string; verdict: boolean | undefined; onJump: (vox: Vec3) => void }) {
  return (
    <tr data-testid={testId} data-in-reference={row.inReference === undefined ? undefined : String(row.inReference)} tabIndex={0}
      onClick={() => onJump(row.centroidVox)} onKeyDown={(e) => e.key === 'Enter' && onJump(row.centroidVox)}>
      <td>{n + 1}</td>
      <td>{formatMl(row.volumeMl)}</td>
      <td>{row.voxels}</td>
      <td>{row.centroidVox.map((c) => Math.round(c)).join(', ')}</td>
      {verdict && <td className={row.inReference ? 'found' : 'false-lesion'}>{row.inReference ? 'found' : 'false'}</td>}
    </tr>
  );
}
