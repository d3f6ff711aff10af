import { formatMl } from '../format.ts';
import type { SegmentationResult } from '../state/workbench-state.ts';

/** Voxel-wise and lesion-wise scores against the loaded reference mask. */
export function MetricsPanel({ result }: { result: SegmentationResult | null }) {
  const m = result?.outcome.metrics;
  if (!m) return null;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows: [string, string, string][] = [
    ['Dice', pct(m.dice), 'dice'], ['Precision', pct(m.precision), 'precision'], ['Recall', pct(m.recall), 'recall'],
    [`F${m.beta}`, pct(m.fbeta), 'fbeta'], ['F2', pct(m.f2), 'f2'], ['Average precision', m.ap === null ? '–' : pct(m.ap), 'ap'],
    ['Lesion TPR', pct(m.lesionTPR), 'lesion-tpr'], ['Lesion FPR', pct(m.lesionFPR), 'lesion-fpr'],
    ['Lesions (pred / ref)', `${m.lesionCountPred} / ${m.lesionCountTruth}`, 'lesion-counts'],
    ['Volume (pred / ref)', `${formatMl(m.volumePredMl)} / ${formatMl(m.volumeTruthMl)} mL`, 'volumes'],
  ];
  return (
    <section className="panel">
      <h2>Against the reference mask</h2>
      <table className="metrics" data-testid="metrics">
        <tbody>
          {rows.map(([name, value, id]) => <tr key={id}><th>{name}</th><td data-testid={`metric-${id}`}>{value}</td></tr>)}
        </tbody>
      </table>
    </section>
  );
}
