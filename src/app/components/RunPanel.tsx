import { useEffect, useState } from 'react';
import { etaSeconds, formatSeconds, formatThreshold } from '../format.ts';
import type { WorkbenchActions } from '../use-workbench.ts';
import type { WorkbenchState } from '../state/workbench-state.ts';
import { AUTO_MIRROR_MAX_PATCHES, type MirrorMode } from '../../model/mirror-policy.ts';

interface Props {
  state: WorkbenchState;
  actions: WorkbenchActions;
  blocker: string | null;
}

/** Model choice, settings, Segment / Cancel and the progress bar. */
export function RunPanel({ state, actions, blocker }: Props) {
  const running = state.run !== null;
  const [threshold, setThreshold] = useState(state.settings.threshold);
  useEffect(() => setThreshold(state.settings.threshold), [state.settings.threshold]);
  return (
    <section className="panel">
      <h2>Segment</h2>
      <label className="field">
        <span>Model</span>
        <select data-testid="model-select" value={state.selectedModel ?? ''} disabled={running} onChange={(e) => actions.selectModel(e.target.value)}>
          {state.models.map((m) => <option key={m.name} value={m.name}>{m.title}</option>)}
        </select>
      </label>
      <label className="field">
        <span>Threshold <output data-testid="threshold-value">{formatThreshold(threshold)}</output></span>
        <input
          data-testid="threshold"
          type="range" min={0.01} max={0.99} step={0.01} value={Math.min(0.99, Math.max(0.01, threshold))}
          onChange={(e) => setThreshold(Number(e.target.value))}
          onPointerUp={() => actions.applyThreshold(threshold)}
          onKeyUp={() => actions.applyThreshold(threshold)}
        />
      </label>
      <label className="field">
        <span>Patch overlap</span>
        <select data-testid="overlap-select" value={state.settings.overlapFraction} disabled={running} onChange={(e) => actions.setSettings({ overlapFraction: Number(e.target.value) })}>
          <option value={0.25}>25% (faster)</option>
          <option value={0.5}>50% (default)</option>
          <option value={0.75}>75% (smoother, slower)</option>
        </select>
      </label>
      <label className="field">
        <span title={`Each voxel is also predicted flipped left-right and the two averaged (the fast tiling's second pass flips on two grids of overlap 0, fewer tiles). By default every scan on a hardware GPU, elsewhere (wasm, cpu, a software GPU) only scans of up to ${AUTO_MIRROR_MAX_PATCHES} patches, such as a 64³ crop (a whole brain has about 1,000).`}>
          Test-time mirroring
        </span>
        <select data-testid="mirror-select" value={state.settings.mirror} disabled={running} onChange={(e) => actions.setSettings({ mirror: e.target.value as MirrorMode })}>
          <option value="auto">On a GPU, else up to {AUTO_MIRROR_MAX_PATCHES} patches (default)</option>
          <option value="on">Always</option>
          <option value="off">Never</option>
        </select>
      </label>
      <label className="field inline" title="The scan is registered rigidly (elastix) to the template of the training scans before the model runs, and the results are mapped back onto its own grid: a tilted or shifted head gets the same lesions.">
        <input type="checkbox" data-testid="register-toggle" checked={state.settings.register} disabled={running} onChange={(e) => actions.setSettings({ register: e.target.checked })} />
        <span>Register to the template first</span>
      </label>
      <div className="row">
        <button type="button" data-testid="segment-button" className="primary" disabled={running || blocker !== null || state.backend.state === 'failed'} title={blocker ?? ''} onClick={actions.segment}>
          Segment
        </button>
        <button type="button" data-testid="cancel-button" disabled={!running || state.run?.stage === 'cancelling'} onClick={actions.cancel}>
          Cancel
        </button>
      </div>
      {blocker && <p className="hint">{blocker}</p>}
      <Progress state={state} />
    </section>
  );
}

/** The progress bar: data-state idle | running | done | error, text "37 / 150 patches". */
function Progress({ state }: { state: WorkbenchState }) {
  const [now, setNow] = useState(() => performance.now());
  const run = state.run;
  useEffect(() => {
    if (!run) return;
    const timer = window.setInterval(() => setNow(performance.now()), 500);
    return () => window.clearInterval(timer);
  }, [run]);
  let text = 'Idle';
  let value = 0;
  let max = 1;
  if (run) {
    const elapsed = (now - run.startedAtMs) / 1000;
    if (run.stage === 'cancelling') text = 'Cancelling…';
    else if (run.stage === 'starting') text = 'Starting…';
    else if (run.stage === 'loading-model' || run.total === 0) text = `Loading model ${run.modelName}…`;
    else {
      const eta = etaSeconds(run.done, run.total, (now - (run.firstPatchAtMs ?? now)) / 1000);
      text = `${run.done} / ${run.total} patches · ${formatSeconds(elapsed)}${eta !== null && run.done > 0 ? ` · about ${formatSeconds(eta)} left` : ''}`;
      value = run.done;
      max = run.total;
    }
  } else if (state.phase === 'done' && state.result) {
    const t = state.result.timings;
    text = `${t.worker.patches} / ${t.worker.patches} patches · done${t.totalMs !== null ? ` in ${formatSeconds(t.totalMs / 1000)}` : ''}`;
    value = 1;
  } else if (state.phase === 'error') {
    text = 'Failed: see the message above';
  }
  return (
    <div className="progress" data-testid="progress" data-state={run ? 'running' : state.phase} data-run={state.lastRunId ?? ''} aria-live="polite">
      {(run ? run.notes : state.phase === 'done' ? state.runNotes : []).map((note) => <p key={note} className={note.startsWith('warning') ? 'warning' : 'hint'} data-testid="run-note">{note}</p>)}
      <progress value={value} max={max} />
      <span data-testid="progress-text">{text}</span>
    </div>
  );
}
