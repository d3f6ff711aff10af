import type { OperatingPoint } from '../../core/operating-point.ts';
import { formatMl, formatThreshold } from '../format.ts';
import type { SegmentationResult } from '../state/workbench-state.ts';

interface Props {
  result: SegmentationResult | null;
  /** Live scores at the operating threshold (from the worker's sweep); null without a reference. */
  point: OperatingPoint | null;
  /** Threshold-free average precision (exact, from the worker; else from the sweep's histogram). */
  ap: number | null;
  beta: number;
  manual: boolean;
  onBeta: (beta: number) => void;
  onThreshold: (threshold: number) => void;
}

/**
 * The beta slider, the operating threshold (F-beta optimal, or set by hand) and the voxel-wise and
 * lesion-wise scores against the reference mask, which follow every move. Values are 0 to 1.
 */
export function MetricsPanel({ result, point, ap, beta, manual, onBeta, onThreshold }: Props) {
  if (!result || !result.outcome.metrics) {
    return (
      <section className="panel" data-testid="metrics-panel">
        <h2>Precision and recall</h2>
        <p className="hint" data-testid="metrics-needs">
          {result ? 'Load a reference lesion mask (a file with the role "mask") for the same scan' : 'Segment a scan that has a reference lesion mask (the demo has one)'}
          {' '}to tune β and see precision, recall, Dice, F-β, lesion-wise rates and the precision-recall curve.
        </p>
      </section>
    );
  }
  const m = result.outcome.metrics;
  const n = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(3));
  const threshold = point?.threshold ?? result.outcome.threshold;
  const rows: [string, string, string][] = point ? [
    ['Precision', n(point.precision), 'precision'], ['Recall', n(point.recall), 'recall'], ['Specificity', n(point.specificity), 'specificity'],
    ['Dice (F1)', n(point.dice), 'dice'], ['F2', n(point.f2), 'f2'], [`F-β (β = ${beta.toFixed(2)})`, n(point.fbeta), 'fbeta'],
    ['Average precision', n(ap), 'ap'], ['Lesion TPR', n(point.lesionTPR), 'lesion-tpr'], ['Lesion FPR', n(point.lesionFPR), 'lesion-fpr'],
    ['Lesions (pred / ref)', `${point.lesionCountPred} / ${point.lesionCountTruth}`, 'lesion-counts'],
    ['Volume (pred / ref)', `${formatMl(m.volumePredMl)} / ${formatMl(m.volumeTruthMl)} mL`, 'volumes'],
  ] : [];
  return (
    <section className="panel" data-testid="metrics-panel">
      <h2>Precision and recall</h2>
      <label className="field">
        <span>β (recall weight) <output data-testid="beta-value">{beta.toFixed(2)}</output></span>
        <input data-testid="beta-slider" type="range" min={0.5} max={4} step={0.05} value={beta} onChange={(e) => onBeta(Number(e.target.value))} />
      </label>
      <label className="field">
        <span>
          Operating threshold <output data-testid="operating-threshold" data-mode={manual ? 'manual' : 'fbeta'} data-value={threshold}>{formatThreshold(threshold)}</output>
        </span>
        <input
          data-testid="threshold-slider" type="range" min={0.01} max={0.99} step={0.01}
          value={Number.isFinite(threshold) ? Math.min(0.99, Math.max(0.01, threshold)) : 0.99}
          onChange={(e) => onThreshold(Number(e.target.value))}
        />
        <span className="hint">{manual ? 'set by hand (move β to return to the F-β optimum)' : 'maximises F-β against the reference'}</span>
      </label>
      {point ? (
        <table className="metrics" data-testid="metrics">
          <tbody>
            {rows.map(([name, value, id]) => <tr key={id}><th>{name}</th><td data-testid={`metric-${id}`}>{value}</td></tr>)}
          </tbody>
        </table>
      ) : <p className="hint">Computing the metrics at every threshold…</p>}
    </section>
  );
}
