import { useMemo } from 'react';
import { bestOperatingPoint, operatingPoint } from '../../core/operating-point.ts';
import { averagePrecisionFromCurve } from '../../core/pr-curve.ts';
import { sweepCurve } from '../../core/threshold-sweep.ts';
import { type PlotFrame, polyline, toSvg } from '../charts.ts';
import type { ModelSweep } from '../state/tuning-state.ts';

interface Props {
  /** Sweeps of the models run on this scan. */
  sweeps: ModelSweep[];
  /** The model shown, whose point sits at the operating threshold (others at their F-beta optimum). */
  current: string | null;
  threshold: number;
  beta: number;
  canCompare: boolean;
  onCompare: () => void;
}

const FRAME: PlotFrame = { width: 300, height: 230, pad: 28, x: [0, 1], y: [0, 1] };
const COLOURS = ['#3fa7ff', '#ffb347', '#4cd28a', '#e879f9'];

/** Precision-recall curves of the models run on the scan, side by side, with their operating points. */
export function PrCurvePanel({ sweeps, current, threshold, beta, canCompare, onCompare }: Props) {
  const curves = useMemo(() => sweeps.map((s) => {
    const curve = sweepCurve(s.sweep);
    return { name: s.modelName, sweep: s.sweep, points: polyline(FRAME, curve.recall, curve.precision), ap: averagePrecisionFromCurve(curve) };
  }), [sweeps]);
  if (curves.length === 0) return null;
  const rows = curves.map((c, n) => {
    const point = c.name === current ? operatingPoint(c.sweep, threshold, beta) : bestOperatingPoint(c.sweep, beta);
    return { ...c, colour: COLOURS[n % COLOURS.length], point };
  });
  const [x0, y0] = toSvg(FRAME, 0, 0);
  const [x1, y1] = toSvg(FRAME, 1, 1);
  return (
    <section className="panel">
      <h2>Precision-recall curves</h2>
      <svg data-testid="pr-curve" data-models={rows.map((r) => r.name).join(',')} viewBox={`0 0 ${FRAME.width} ${FRAME.height}`} className="chart" role="img" aria-label="precision-recall curves">
        <rect x={x0} y={y1} width={x1 - x0} height={y0 - y1} className="frame" />
        <text x={(x0 + x1) / 2} y={FRAME.height - 6} className="axis">recall</text>
        <text x={8} y={(y0 + y1) / 2} className="axis" transform={`rotate(-90 8 ${(y0 + y1) / 2})`}>precision</text>
        {rows.map((r) => <polyline key={r.name} points={r.points} fill="none" stroke={r.colour} strokeWidth={r.name === current ? 2 : 1.2} />)}
        {rows.map((r) => {
          const [cx, cy] = toSvg(FRAME, r.point.recall, r.point.precision);
          return <circle key={r.name} data-testid={`pr-point-${r.name}`} cx={cx} cy={cy} r={r.name === current ? 5 : 4} fill={r.colour} stroke="#fff" strokeWidth={1} />;
        })}
      </svg>
      <table className="metrics" data-testid="model-comparison">
        <thead><tr><th>model</th><th>AP</th><th>thr</th><th>P</th><th>R</th><th>F-β</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} data-testid="comparison-row" data-model={r.name}>
              <td><span className="swatch" style={{ background: r.colour }} />{r.name}</td>
              <td>{r.ap.toFixed(3)}</td><td>{Number.isFinite(r.point.threshold) ? r.point.threshold.toFixed(2) : '–'}</td>
              <td>{r.point.precision.toFixed(3)}</td><td>{r.point.recall.toFixed(3)}</td><td>{r.point.fbeta.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">Dots: the shown model at its operating threshold, the others where F-β (β = {beta.toFixed(2)}) peaks.</p>
      <button type="button" data-testid="compare-models" disabled={!canCompare} onClick={onCompare}>Run the other models on this scan</button>
    </section>
  );
}
