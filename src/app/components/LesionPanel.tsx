import { useState } from 'react';
import { describeRule, type LesionFilterRule } from '../../core/lesion-filter.ts';
import type { FilteredPreview } from '../../core/lesion-scores.ts';
import type { LesionRow } from '../../core/lesion-table.ts';
import type { Vec3 } from '../../core/types.ts';
import { formatMl, formatThreshold } from '../format.ts';
import type { SegmentationResult } from '../state/workbench-state.ts';
import { LesionFilterControls } from './LesionFilterControls.tsx';

interface Props {
  result: SegmentationResult | null;
  /** The rule on the controls (the page's or the model's) and what it keeps of the result's lesions. */
  filter: { rule: LesionFilterRule; preview: FilteredPreview } | null;
  onRule: (rule: LesionFilterRule | null) => void;
  showRemoved: boolean;
  onShowRemoved: (on: boolean) => void;
  onJump: (vox: Vec3) => void;
}

/** Which lesions the table lists when there is a reference: all found ones, the false ones, or the reference's missed ones. */
type Listing = 'all' | 'false' | 'missed';

/**
 * Lesion count, total volume and one row per lesion with its volume and confidence (click to move
 * the crosshair there), after the lesion filter, whose two minimums update the list at once. With
 * a reference mask each lesion is marked found or false, and the reference lesions the mask misses
 * can be listed, so a reader can step through the errors.
 */
export function LesionPanel({ result, filter, onRule, showRemoved, onShowRemoved, onJump }: Props) {
  const [listing, setListing] = useState<Listing>('all');
  const outcome = result?.outcome;
  if (!result || !outcome || !filter) {
    return (
      <section className="panel">
        <h2>Lesions</h2>
        <p className="hint">Segment to list the lesions.</p>
      </section>
    );
  }
  const { threshold, lesions } = outcome;
  const { rule: applied, preview } = filter;
  // the missed list is the worker's, for the rule it last applied
  const missed = sameRule(outcome.rule, applied) ? lesions.missed : undefined;
  const reviewing = outcome.candidates.overlaps !== null;
  const shown = reviewing ? listing : 'all';
  const falseRows = preview.rows.filter((r) => r.inReference === false);
  const rows = shown === 'missed' ? (missed ?? []) : shown === 'false' ? falseRows : preview.rows;
  const isModelRule = sameRule(applied, outcome.modelRule);
  return (
    <section className="panel" data-testid="lesion-panel" data-applied-rule={`${outcome.rule.minLesionMm3},${outcome.rule.minConfidence}`}>
      <h2>Lesions</h2>
      <div className="stats">
        <div><span className="big" data-testid="lesion-count">{preview.count}</span><span className="hint">lesions</span></div>
        <div><span className="big" data-testid="lesion-volume">{formatMl(preview.totalVolumeMl)} mL</span><span className="hint">total volume</span></div>
      </div>
      <p className="hint" data-testid="lesion-threshold" data-threshold={threshold}>
        26-connected components of p ≥ {formatThreshold(threshold)}; filter: {describeRule(applied).replace('mm^3', 'mm³')}{isModelRule ? ' (the model’s defaults)' : ''};{' '}
        <span data-testid="lesion-removed-count">{preview.removedCount}</span> removed
      </p>
      <LesionFilterControls rule={applied} modelRule={outcome.modelRule} onRule={onRule} showRemoved={showRemoved} onShowRemoved={onShowRemoved} />
      {reviewing && (
        <ReviewChoice count={preview.count} falseCount={falseRows.length} missedCount={missed?.length ?? null} listing={shown} onChange={setListing} />
      )}
      <div className="table-wrap">
        <table className="lesions">
          <thead>
            <tr><th>#</th><th>Volume (mm³)</th><th title="The highest lesion probability among its voxels">Confidence</th><th>Centre (i, j, k)</th>{reviewing && shown === 'all' && <th>Ref.</th>}</tr>
          </thead>
          <tbody>
            {rows.map((row, n) => (
              <LesionLine
                key={row.label} row={row} n={n} testId={shown === 'missed' ? 'missed-row' : 'lesion-row'}
                verdict={reviewing && shown === 'all'} onJump={onJump}
              />
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="hint">{shown === 'missed' ? 'No reference lesion is missed.' : shown === 'false' ? 'No false lesion.' : 'No lesion at this threshold and filter.'}</p>}
      </div>
    </section>
  );
}

function sameRule(a: LesionFilterRule, b: LesionFilterRule): boolean {
  return a.minLesionMm3 === b.minLesionMm3 && a.minConfidence === b.minConfidence;
}

function ReviewChoice({ count, falseCount, missedCount, listing, onChange }: { count: number; falseCount: number; missedCount: number | null; listing: Listing; onChange: (l: Listing) => void }) {
  return (
    <label className="inline" data-testid="lesion-review" data-false={falseCount} data-missed={missedCount ?? ''}>
      <span>List</span>
      <select data-testid="lesion-listing" value={listing} onChange={(e) => onChange(e.target.value as Listing)} title="Checked against the reference mask: a lesion is found when it touches a reference lesion">
        <option value="all">all {count} lesions</option>
        <option value="false">{falseCount} false (not in the reference)</option>
        <option value="missed">{missedCount ?? '…'} missed reference lesions</option>
      </select>
    </label>
  );
}

function LesionLine({ row, n, testId, verdict, onJump }: { row: LesionRow; n: number; testId: string; verdict: boolean | undefined; onJump: (vox: Vec3) => void }) {
  const mm3 = row.volumeMl * 1000;
  return (
    <tr data-testid={testId} data-in-reference={row.inReference === undefined ? undefined : String(row.inReference)} data-confidence={row.confidence}
      data-volume-mm3={mm3} tabIndex={0} onClick={() => onJump(row.centroidVox)} onKeyDown={(e) => e.key === 'Enter' && onJump(row.centroidVox)}>
      <td>{n + 1}</td>
      <td title={`${row.voxels} voxels`}>{mm3 < 100 ? mm3.toFixed(1) : Math.round(mm3)}</td>
      <td>{row.confidence === undefined ? '–' : row.confidence.toFixed(2)}</td>
      <td>{row.centroidVox.map((c) => Math.round(c)).join(', ')}</td>
      {verdict && <td className={row.inReference ? 'found' : 'false-lesion'}>{row.inReference ? 'found' : 'false'}</td>}
    </tr>
  );
}
