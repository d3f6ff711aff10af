import { useEffect, useMemo, useRef } from 'react';
import { filteredPreview } from '../core/lesion-scores.ts';
import { operatingPoint } from '../core/operating-point.ts';
import { averagePrecisionFromCurve } from '../core/pr-curve.ts';
import { sweepCurve } from '../core/threshold-sweep.ts';
import { scansOf, segmentBlocker } from './case-files.ts';
import { BackendBadge } from './components/BackendBadge.tsx';
import { DropZone } from './components/DropZone.tsx';
import { ErrorBanner } from './components/ErrorBanner.tsx';
import { ExportPanel } from './components/ExportPanel.tsx';
import { FileList } from './components/FileList.tsx';
import { FinetunePanel } from './components/FinetunePanel.tsx';
import { LesionPanel } from './components/LesionPanel.tsx';
import { MemoryLine } from './components/MemoryLine.tsx';
import { MetricsPanel } from './components/MetricsPanel.tsx';
import { PrCurvePanel } from './components/PrCurvePanel.tsx';
import { ReferenceEditor } from './components/ReferenceEditor.tsx';
import { RunPanel } from './components/RunPanel.tsx';
import { TimingsPanel } from './components/TimingsPanel.tsx';
import { ViewerToolbar } from './components/ViewerToolbar.tsx';
import type { Modality } from '../model/model-meta.ts';
import type { UrlOptions } from './url-options.ts';
import { currentSweep } from './use-tuning.ts';
import { useWorkbench } from './use-workbench.ts';
import { type DrawingHandle, Viewer } from './viewer/Viewer.tsx';

/** The scans in the order the viewer's scan menu lists them. */
const SCAN_ORDER: Modality[] = ['flair', 't1', 't2', 't1post'];

/** The workbench page. */
export function App({ url }: { url: UrlOptions }) {
  const { state, actions, tuning, tuningActions, autoRunning, converting } = useWorkbench(url);
  const drawing = useRef<DrawingHandle | null>(null);
  const { flair, truth, scans } = scansOf(state.caseFiles);
  const busy = state.run !== null && !autoRunning;
  const sweep = currentSweep(state, tuning);
  const threshold = state.settings.threshold;
  const point = useMemo(() => (sweep ? operatingPoint(sweep.sweep, threshold, tuning.beta) : null), [sweep, threshold, tuning.beta]);
  const ap = state.result?.outcome.metrics?.ap ?? (sweep ? averagePrecisionFromCurve(sweepCurve(sweep.sweep)) : null);
  const scanSweeps = Object.values(tuning.sweeps).filter(() => tuning.scanId === flair?.id);
  const finetuneBlocker = !truth ? 'Fine-tuning needs a reference lesion mask (role "mask").'
    : state.run ? 'Wait for the segmentation to finish.' : state.backend.state !== 'ready' ? 'The compute backend is not ready.' : null;
  const blocker = segmentBlocker(state.caseFiles);
  const result = state.result;
  const base = useMemo(() => (flair ? { id: flair.id, volume: flair.volume } : null), [flair?.id, flair?.volume]);
  const displayRole = scans[state.displayScan] ? state.displayScan : 'flair';
  const displayFile = scans[displayRole] ?? null;
  const display = useMemo(() => (displayFile ? { id: displayFile.id, role: displayRole, volume: displayFile.volume } : null), [displayFile?.id, displayFile?.volume]);
  const overlayData = result ? (state.overlay.kind === 'mask' ? result.outcome.mask : result.probability) : null;
  const overlay = useMemo(() => (result && overlayData ? { runId: result.runId, data: overlayData } : null), [result?.runId, overlayData]);
  const removed = result && state.overlay.showRemoved ? result.outcome.removed : null;
  // the lesions the filter controls keep, from the result's lesions at its threshold: the table and
  // the metrics follow the controls at once, the mask when the worker answers
  const filterRule = state.settings.lesionFilter ?? result?.outcome.modelRule ?? null;
  const lesionFilter = useMemo(() => {
    if (!result || !filterRule) return null;
    const { stats, overlaps, beta, ap: mapAp } = result.outcome.candidates;
    return { rule: filterRule, preview: filteredPreview(stats, overlaps, filterRule, beta, mapAp) };
  }, [result?.outcome, filterRule?.minLesionMm3, filterRule?.minConfidence]);

  useEffect(() => {
    // dropping a file anywhere on the page loads it instead of navigating away
    const stop = (e: DragEvent) => e.preventDefault();
    const drop = (e: DragEvent) => {
      e.preventDefault();
      if (e.dataTransfer && e.dataTransfer.files.length > 0 && !busy) void actions.loadFiles(Array.from(e.dataTransfer.files));
    };
    window.addEventListener('dragover', stop);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', stop);
      window.removeEventListener('drop', drop);
    };
  }, [actions, busy]);

  return (
    <div className="app">
      <header>
        <h1>MS lesion workbench</h1>
        <span className="hint">3D FC-DenseNet · asymmetric F-β loss · B-spline patch fusion · runs in your browser</span>
        <BackendBadge backend={state.backend} />
        {url.debug && (
          <span className="row">
            <button type="button" data-testid="debug-lose-device" onClick={() => actions.simulateGpuFailure('device-lost')}>Lose GPU device</button>
            <button type="button" data-testid="debug-out-of-memory" onClick={() => actions.simulateGpuFailure('out-of-memory')}>Simulate GPU out of memory</button>
            <MemoryLine read={actions.workerMemory} />
          </span>
        )}
      </header>
      <ErrorBanner error={state.error} notice={state.notice} onDismiss={actions.dismissError} />
      <main>
        <aside className="left">
          <DropZone onFiles={(files) => void actions.loadFiles(files)} onDemo={actions.loadDemo} disabled={busy || converting !== null} />
          {converting && <p className="hint" data-testid="dicom-progress" role="status">{converting}</p>}
          <FileList caseFiles={state.caseFiles} disabled={state.run !== null} onRole={actions.setRole} onRemove={actions.removeFile} />
          <RunPanel state={state} actions={actions} blocker={blocker} />
          <ReferenceEditor
            key={flair?.id ?? 'none'} drawing={drawing} reference={truth?.volume.data ?? null}
            segmentation={result?.outcome.mask ?? null} hasScan={flair !== null} onApply={actions.applyEditedReference}
          />
        </aside>
        <section className="center">
          <ViewerToolbar
            scans={SCAN_ORDER.filter((m) => scans[m])} displayScan={displayRole} onDisplayScan={actions.setDisplayScan}
            style={state.overlay} view={state.view} cutAway={state.cutAway} hasOverlay={result !== null}
            onStyle={actions.setOverlayStyle} onView={actions.setView} onCutAway={actions.setCutAway}
          />
          <Viewer
            base={base}
            display={display}
            overlay={overlay}
            removed={removed}
            style={state.overlay}
            view={state.view}
            cutAway={state.cutAway}
            jump={state.jump}
            onOverlayDrawn={actions.overlayDrawn}
            onError={actions.reportError}
            drawingRef={drawing}
          />
        </section>
        <aside className="right">
          <LesionPanel
            result={result} filter={lesionFilter} onRule={tuningActions.setLesionFilter}
            showRemoved={state.overlay.showRemoved} onShowRemoved={(on) => actions.setOverlayStyle({ showRemoved: on })} onJump={actions.jumpTo}
          />
          <MetricsPanel result={result} point={point} filtered={lesionFilter?.preview.metrics ?? null} ap={ap} beta={tuning.beta} manual={tuning.manual} onBeta={tuningActions.setBeta} onThreshold={tuningActions.setThreshold} />
          <PrCurvePanel
            sweeps={scanSweeps} current={result?.modelName ?? null} threshold={threshold} beta={tuning.beta}
            canCompare={state.run === null && scanSweeps.length < state.models.length} onCompare={tuningActions.compareModels}
          />
          <FinetunePanel tuning={tuning} actions={tuningActions} blocker={finetuneBlocker} />
          <ExportPanel enabled={result !== null} hasReference={truth !== null} fromDicom={flair?.dicomSeries !== undefined} onDownload={actions.download} />
          <TimingsPanel result={result} preparation={state.casePreparation} />
        </aside>
      </main>
    </div>
  );
}
