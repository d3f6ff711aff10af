import { useRef, useState } from 'react';
import { type PlotFrame, polyline } from '../charts.ts';
import type { FinetuneView, TuningState } from '../state/tuning-state.ts';
import { FINETUNE_DEFAULTS, type TuningActions } from '../use-tuning.ts';

interface Props {
  tuning: TuningState;
  actions: TuningActions;
  /** Why fine-tuning cannot start now (no reference, a run in progress), or null. */
  blocker: string | null;
}

/**
 * Fine-tuning the chosen model on the open scan and its reference, at the β of the slider: start,
 * pause, resume, stop; the loss per step and held-out precision/recall; the tuned model saved in
 * this browser, downloaded as tfjs files, loaded back, or dropped for the shipped one.
 */
export function FinetunePanel({ tuning, actions, blocker }: Props) {
  const [steps, setSteps] = useState(FINETUNE_DEFAULTS.steps);
  const files = useRef<HTMLInputElement>(null);
  const ft = tuning.finetune;
  const active = ft.phase === 'starting' || ft.phase === 'running' || ft.phase === 'paused';
  const lastLoss = ft.losses.length > 0 ? ft.losses[ft.losses.length - 1] : null;
  return (
    <section className="panel">
      <h2>Fine-tune on this scan</h2>
      <label className="field">
        <span>Steps (one {FINETUNE_DEFAULTS.batchSize === 1 ? 'patch' : 'batch'} each) <output>{steps}</output></span>
        <input type="range" data-testid="finetune-steps" min={3} max={200} step={1} value={steps} disabled={active} onChange={(e) => setSteps(Number(e.target.value))} />
      </label>
      <div className="row wrap">
        <button type="button" className="primary" data-testid="finetune-button" disabled={active || blocker !== null} title={blocker ?? ''}
          onClick={() => actions.startFinetune({ ...FINETUNE_DEFAULTS, steps })}>
          Fine-tune at β = {tuning.beta.toFixed(2)}
        </button>
        {ft.phase === 'paused'
          ? <button type="button" data-testid="finetune-resume" onClick={() => actions.controlFinetune('resume')}>Resume</button>
          : <button type="button" data-testid="finetune-pause" disabled={ft.phase !== 'running'} onClick={() => actions.controlFinetune('pause')}>Pause</button>}
        <button type="button" data-testid="finetune-stop" disabled={!active} onClick={() => actions.controlFinetune('stop')}>Stop</button>
      </div>
      {blocker && !active && <p className="hint">{blocker}</p>}
      <p className="hint" data-testid="finetune-status" data-run={ft.run} data-phase={ft.phase} data-step={ft.step} data-loss={lastLoss === null ? '' : String(lastLoss)}>
        {statusText(ft, lastLoss)}
      </p>
      {ft.losses.length > 0 && <LossCurve view={ft} />}
      {ft.evals.length > 0 && (
        <table className="metrics" data-testid="finetune-evals">
          <thead><tr><th>step</th><th>held-out precision</th><th>recall</th><th>Dice</th></tr></thead>
          <tbody>
            {ft.evals.map((e) => (
              <tr key={e.step}><td>{e.step}</td><td>{e.scores.precision.toFixed(3)}</td><td>{e.scores.recall.toFixed(3)}</td><td>{e.scores.dice.toFixed(3)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="hint" data-testid="tuned-saved">
        {tuning.saved
          ? `Tuned model saved in this browser (${new Date(tuning.saved.savedAtIso).toLocaleString()}, β ${tuning.saved.meta.beta}); choose "Fine-tuned in this browser" and press Segment to use it.`
          : 'No tuned model saved in this browser.'}
      </p>
      <div className="row wrap">
        <button type="button" data-testid="tuned-download" disabled={!tuning.saved || active} onClick={actions.downloadTuned}>Download (tfjs)</button>
        <button type="button" data-testid="tuned-load" disabled={active} onClick={() => files.current?.click()}>Load tuned files…</button>
        <button type="button" data-testid="tuned-reset" disabled={!tuning.saved || active} onClick={actions.resetTuned}>Reset to shipped model</button>
        <input ref={files} data-testid="tuned-file-input" type="file" multiple accept=".json,.bin" hidden onChange={(e) => {
          const chosen = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (chosen.length > 0) actions.importTuned(chosen);
        }} />
      </div>
    </section>
  );
}

function statusText(ft: FinetuneView, lastLoss: number | null): string {
  const loss = lastLoss === null ? '' : ` · loss ${lastLoss.toFixed(4)}`;
  switch (ft.phase) {
    case 'idle': return 'Not started. Each step trains on one patch of the model\'s size (16^3 on a software GPU, where a step still takes about a minute).';
    case 'starting': return 'Starting (loading the model, choosing held-out patches)…';
    case 'running': return `Step ${ft.step} / ${ft.steps || '?'}${loss}`;
    case 'paused': return `Paused at step ${ft.step}${loss} (saved)`;
    case 'stopped': return `Stopped at step ${ft.step}${loss}; segment again to see the tuned model`;
    case 'done': return `Done: ${ft.step} steps${loss}; segment again to see the tuned model`;
    case 'failed': return `Failed at step ${ft.step}: ${ft.message ?? 'unknown error'}`;
  }
}

const FRAME: PlotFrame = { width: 300, height: 110, pad: 14, x: [1, 1], y: [0, 1] };

function LossCurve({ view }: { view: FinetuneView }) {
  const steps = view.losses.map((_, n) => n + 1);
  const top = Math.max(...view.losses, 1e-6);
  const frame = { ...FRAME, x: [1, Math.max(2, steps.length)] as [number, number], y: [0, top] as [number, number] };
  return (
    <svg data-testid="loss-curve" viewBox={`0 0 ${FRAME.width} ${FRAME.height}`} className="chart" role="img" aria-label="training loss per step">
      <polyline points={polyline(frame, steps, view.losses)} fill="none" stroke="#ffb347" strokeWidth={1.5} />
      <text x={FRAME.pad} y={12} className="axis">loss (max {top.toFixed(3)})</text>
    </svg>
  );
}
