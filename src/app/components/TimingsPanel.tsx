import type { CasePreparation, SegmentationResult } from '../state/workbench-state.ts';

/**
 * Where the time of the last run went: model (network calls) against everything else on the path
 * from pressing Segment to the overlay (request, blank channels, fusion, lesion table, transfer,
 * overlay). Moving the scans to the worker and z-scoring them happen when files are loaded and
 * are listed apart. data-json holds the numbers.
 */
export function TimingsPanel({ result, preparation }: { result: SegmentationResult | null; preparation: CasePreparation | null }) {
  if (!result) return null;
  const t = result.timings;
  const w = t.worker;
  const total = t.totalMs;
  const other = total === null ? null : total - w.modelMs;
  const json = JSON.stringify({
    totalMs: total, modelMs: w.modelMs, otherMs: other, loadMs: w.loadMs, postMs: t.postMs, startMs: t.startMs, prepareMs: w.prepareMs,
    fusionMs: w.fusionMs, outcomeMs: w.outcomeMs, transferMs: t.transferMs, overlayMs: t.overlayMs, afterResultMs: t.afterResultMs, patches: w.patches, calls: w.calls, mirrored: w.mirrored, threads: w.threads,
    backend: result.backend, caseUploadMs: preparation?.uploadMs ?? null, casePrepareMs: preparation?.prepareMs ?? null,
  });
  const ms = (x: number | null | undefined) => (x === null || x === undefined ? '…' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
  return (
    <section className="panel">
      <h2>Timing</h2>
      <table className="metrics" data-testid="timings" data-json={json}>
        <tbody>
          <tr><th>Segment → overlay</th><td>{ms(total)}</td></tr>
          <tr><th>Model ({w.patches} patches, {w.calls} network calls{w.mirrored ? ', mirrored' : ''}{w.threads > 1 ? `; ${w.threads} threads` : ''})</th><td>{ms(w.modelMs)}</td></tr>
          <tr><th>Everything else</th><td>{ms(other)}{other !== null && w.modelMs > 0 ? ` (${((100 * other) / w.modelMs).toFixed(1)}% of model)` : ''}</td></tr>
          <tr><th className="sub">request · worker start</th><td>{ms(t.postMs)} · {ms(t.startMs)}</td></tr>
          <tr><th className="sub">model load · channels</th><td>{ms(w.loadMs)} · {ms(w.prepareMs)}</td></tr>
          <tr><th className="sub">fusion · lesions</th><td>{ms(w.fusionMs)} · {ms(w.outcomeMs)}</td></tr>
          <tr><th className="sub">transfer · overlay</th><td>{ms(t.transferMs)} · {ms(t.overlayMs)}</td></tr>
          <tr><th className="sub">page: result → overlay drawn</th><td>{ms(t.afterResultMs)}</td></tr>
          <tr><th>At load: upload · z-score</th><td>{ms(preparation?.uploadMs)} · {ms(preparation?.prepareMs)}</td></tr>
        </tbody>
      </table>
    </section>
  );
}
