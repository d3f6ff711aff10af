import type { EvaluationReport } from '../../core/evaluate.ts';
import { fBetaFromCounts } from '../../core/metrics.ts';
import { voxelVolumeMl } from '../../core/volume.ts';
import type { OperatingPoint } from '../../core/operating-point.ts';
import { formatMl, formatThreshold } from '../format.ts';
import type { SegmentationResult } from '../state/workbench-state.ts';

interface Props {
  result: SegmentationResult | null;
  /** Live scores at the operating threshold (from the worker's sweep); null without a reference. */
  point: OperatingPoint | null;
  /** Scores of the mask the lesion filter leaves (at the threshold the worker last applied); null without a reference. */
  filtered: EvaluationReport | null;
  /** Threshold-free average precision (exact, from the worker; else from the sweep's histogram). */
  ap: number | null;
  beta: number;
  manual: boolean;
  onBeta: (beta: number) => void;
  onThreshold: (threshold: number) => void;
}

/**
 * The beta slider, the operating threshold (F-beta optimal, or set by hand) and the voxel-wise and
 * lesion-wise scores against the reference mask in two columns: the map cut at the threshold (from
 * the sweep: it follows every slider move) and the mask after the lesion filter (it follows the
 * filter controls at once, and the threshold when the worker has re-thresholded). Values are 0 to 1.
 */
export function MetricsPanel({ result, point, filtered, ap, beta, manual, onBeta, onThreshold }: Props) {
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
  const n = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(3));
  const threshold = point?.threshold ?? result.outcome.threshold;
  // the sweep counts voxels: volumes from the grid's voxel size
  const voxelMl = voxelVolumeMl(result.outcome.candidates.overlaps?.spacingMm ?? [1, 1, 1]);
  const f = filtered;
  // name, the map at the threshold, after the lesion filter, test id
  const rows: [string, string, string, string][] = point ? [
    ['Precision', n(point.precision), n(f?.precision), 'precision'], ['Recall', n(point.recall), n(f?.recall), 'recall'],
    ['Specificity', n(point.specificity), n(f?.specificity), 'specificity'], ['Dice (F1)', n(point.dice), n(f?.dice), 'dice'],
    ['F2', n(point.f2), n(f?.f2), 'f2'], [`F-β (β = ${beta.toFixed(2)})`, n(point.fbeta), f ? n(fBetaFromCounts(f, beta)) : '–', 'fbeta'],
    ['Average precision', n(ap), n(ap), 'ap'],
    ['Lesion precision', n(point.lesionPrecision), n(f?.lesionPrecision), 'lesion-precision'],
    ['Lesion recall (TPR)', n(point.lesionTPR), n(f?.lesionTPR), 'lesion-tpr'], ['Lesion F1', n(point.lesionF1), n(f?.lesionF1), 'lesion-f1'],
    ['Lesion FPR', n(point.lesionFPR), n(f?.lesionFPR), 'lesion-fpr'],
    ['Lesions (pred / ref)', `${point.lesionCountPred} / ${point.lesionCountTruth}`, f ? `${f.lesionCountPred} / ${f.lesionCountTruth}` : '–', 'lesion-counts'],
    ['Volume (pred / ref)', `${formatMl((point.tp + point.fp) * voxelMl)} / ${formatMl((point.tp + point.fn) * voxelMl)} mL`, f ? `${formatMl(f.volumePredMl)} / ${formatMl(f.volumeTruthMl)} mL` : '–', 'volumes'],
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
          <thead><tr><th /><th title="The map cut at the operating threshold">threshold</th><th title="The mask after the lesion filter (Lesions panel)">filtered</th></tr></thead>
          <tbody>
            {rows.map(([name, value, after, id]) => (
              <tr key={id}><th>{name}</th><td data-testid={`metric-${id}`}>{value}</td><td data-testid={`metric-filtered-${id}`}>{after}</td></tr>
            ))}
          </tbody>
        </table>
      ) : <p className="hint">Computing the metrics at every threshold…</p>}
    </section>
  );
}

