import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLD, INITIAL_STATE, type SegmentationResult, type WorkbenchState, workbenchReducer } from '../../src/app/state/workbench-state.ts';
import type { CaseFiles, LoadedFile } from '../../src/app/case-files.ts';
import type { Vec3, Volume } from '../../src/core/types.ts';
import { NO_LESION_FILTER } from '../../src/core/lesion-filter.ts';

const caseFiles: CaseFiles = { key: 1, title: 'FLAIR.nii', isDemo: false, files: [] };

function result(runId: number, notes: string[] = []): SegmentationResult {
  return {
    runId, caseKey: 1, modelName: 'm', beta: 1.5, backend: 'webgpu', probability: new Float32Array(8), peaks: null,
    outcome: {
      threshold: 0.5, mask: new Uint8Array(8), removed: new Uint8Array(8), rule: NO_LESION_FILTER, modelRule: NO_LESION_FILTER, removedLesions: [],
      lesions: { rows: [], count: 0, totalVoxels: 0, totalVolumeMl: 0 }, metrics: null, candidates: { stats: [], overlaps: null, ap: null, beta: 1.5 },
    },
    timings: { worker: { loadMs: 1, prepareMs: 1, modelMs: 10, fusionMs: 1, outcomeMs: 1, patches: 2, calls: 2, mirrored: false, threads: 1, startedAtEpochMs: 0, postedAtEpochMs: 0 }, postMs: 1, startMs: 1, transferMs: 1, overlayMs: null, afterResultMs: null, totalMs: null },
    missing: ['t1', 't2'], ignored: [], notes,
  };
}

const run = (state: WorkbenchState, ...actions: Parameters<typeof workbenchReducer>[1][]) => actions.reduce(workbenchReducer, state);

describe('workbenchReducer', () => {
  it("drops a reference's F-beta threshold for a new scan, but keeps it for the same scan and keeps a user's threshold", () => {
    const tuned = run(INITIAL_STATE, { type: 'settings', settings: { threshold: 0.97 }, fromReference: true });
    expect(tuned.thresholdFromReference).toBe(true);
    const sameScan = run(tuned, { type: 'case-loaded', caseFiles, keepResult: true });
    expect(sameScan.settings.threshold).toBe(0.97);
    const newScan = run(tuned, { type: 'case-loaded', caseFiles, keepResult: false });
    expect([newScan.settings.threshold, newScan.thresholdFromReference]).toEqual([DEFAULT_THRESHOLD, false]);
    const chosen = run(tuned, { type: 'settings', settings: { threshold: 0.3 } });
    expect(chosen.thresholdFromReference).toBe(false);
    expect(run(chosen, { type: 'case-loaded', caseFiles, keepResult: false }).settings.threshold).toBe(0.3);
    // other settings leave the threshold's origin alone
    expect(run(tuned, { type: 'settings', settings: { batchSize: 2 } }).thresholdFromReference).toBe(true);
  });

  it('goes idle -> running -> done with progress and a blank-channel notice', () => {
    let s = run(INITIAL_STATE, { type: 'case-loaded', caseFiles, keepResult: false }, { type: 'run-started', runId: 1, modelName: 'm', atMs: 100 });
    expect(s.phase).toBe('running');
    expect(s.run?.stage).toBe('starting');
    s = run(s, { type: 'model-loading', runId: 1 }, { type: 'progress', runId: 1, done: 1, total: 2, atMs: 150 }, { type: 'progress', runId: 1, done: 2, total: 2, atMs: 200 });
    expect(s.run).toMatchObject({ stage: 'segmenting', done: 2, total: 2, firstPatchAtMs: 150 });
    s = run(s, { type: 'result', result: result(1) });
    expect(s.phase).toBe('done');
    expect(s.run).toBeNull();
    expect(s.notice).toMatch(/No T1, T2 given/);
    expect(s.notice).not.toMatch(/resampled/);
    const moved = run(s, { type: 'run-started', runId: 3, modelName: 'm', atMs: 300 }, { type: 'result', result: result(3, ['the scan was resampled to 1 mm']) });
    expect(moved.notice).toMatch(/No T1, T2 given.* The scan was resampled to 1 mm\.$/);
    s = run(s, { type: 'overlay-drawn', runId: 1, overlayMs: 5, afterResultMs: 9, totalMs: 50 });
    expect(s.result?.timings).toMatchObject({ overlayMs: 5, afterResultMs: 9, totalMs: 50 });
  });

  it('ignores events of other runs', () => {
    const s = run(INITIAL_STATE, { type: 'run-started', runId: 2, modelName: 'm', atMs: 0 }, { type: 'progress', runId: 1, done: 5, total: 9, atMs: 1 }, { type: 'result', result: result(1) });
    expect(s.run?.done).toBe(0);
    expect(s.result).toBeNull();
  });

  it('keeps the previous result on cancel and error, and shows the error', () => {
    let s = run(INITIAL_STATE, { type: 'run-started', runId: 1, modelName: 'm', atMs: 0 }, { type: 'result', result: result(1) });
    s = run(s, { type: 'run-started', runId: 2, modelName: 'm', atMs: 0 }, { type: 'cancelling', runId: 2 }, { type: 'progress', runId: 2, done: 1, total: 9, atMs: 1 });
    expect(s.run?.stage).toBe('cancelling');
    s = run(s, { type: 'cancelled', runId: 2 });
    expect(s.phase).toBe('done');
    expect(s.result?.runId).toBe(1);
    s = run(s, { type: 'run-started', runId: 3, modelName: 'm', atMs: 0 }, { type: 'run-failed', runId: 3, message: 'GPU lost', kind: 'device-lost' });
    expect(s.phase).toBe('error');
    expect(s.error).toEqual({ message: 'GPU lost', kind: 'device-lost' });
    expect(s.result?.runId).toBe(1);
    expect(run(s, { type: 'dismiss-error' }).error).toBeNull();
  });

  it('drops the result when the case changes and keeps it when asked', () => {
    const s = run(INITIAL_STATE, { type: 'run-started', runId: 1, modelName: 'm', atMs: 0 }, { type: 'result', result: result(1) });
    expect(run(s, { type: 'case-loaded', caseFiles: { ...caseFiles, key: 5 }, keepResult: true }).result?.caseKey).toBe(5);
    const dropped = run(s, { type: 'case-loaded', caseFiles, keepResult: false });
    expect(dropped.result).toBeNull();
    expect(dropped.phase).toBe('idle');
  });

  it('records the case preparation of the last case sent, and shows its notes once', () => {
    const loaded = run(INITIAL_STATE, { type: 'case-loaded', caseFiles, keepResult: false, notice: 'One file was ignored.' });
    let s = run(loaded, { type: 'case-sent', caseKey: 3, uploadMs: 12 }, { type: 'case-ready', caseKey: 2, prepareMs: 99, notes: ['not this case'] });
    expect(s.casePreparation).toEqual({ caseKey: 3, uploadMs: 12, prepareMs: null });
    expect(s.notice).toBe('One file was ignored.');
    s = run(s, { type: 'case-ready', caseKey: 3, prepareMs: 40, notes: ['FLAIR does not look skull-stripped'] });
    expect(s.casePreparation).toEqual({ caseKey: 3, uploadMs: 12, prepareMs: 40 });
    expect(s.notice).toBe('One file was ignored. FLAIR does not look skull-stripped.');
    // sent again to a restarted worker, which finds the channels prepared (0 ms): the first times stay, the note is not repeated
    s = run(s, { type: 'case-sent', caseKey: 3, uploadMs: 5 }, { type: 'case-ready', caseKey: 3, prepareMs: 0, notes: ['FLAIR does not look skull-stripped'] });
    expect(s.casePreparation).toEqual({ caseKey: 3, uploadMs: 12, prepareMs: 40 });
    expect(s.notice).toBe('One file was ignored. FLAIR does not look skull-stripped.');
  });

  it('tracks the backend, a lost device and the model list', () => {
    let s = run(INITIAL_STATE, { type: 'backend-ready', name: 'webgpu', adapter: 'swiftshader', fallbacks: [] });
    expect(s.backend).toMatchObject({ state: 'ready', name: 'webgpu' });
    s = run(s, { type: 'device-lost', message: 'lost' });
    expect(s.backend.state).toBe('starting');
    expect(s.error?.kind).toBe('device-lost');
    s = run(s, { type: 'models-loaded', models: [{ name: 'a', title: 'A' }], defaults: { defaultModel: 'a', defaultsFor: [] } });
    expect(s.selectedModel).toBe('a');
    s = run(s, { type: 'select-model', name: 'b' });
    expect(s.selectedModel).toBe('b');
    expect(run(s, { type: 'backend-failed', message: 'none', fallbacks: ['x'] }).backend.state).toBe('failed');
  });

  it("gives a case its modalities' default model until the user picks one", () => {
    const file = (id: string, role: LoadedFile['role'], spacingMm: Vec3 = [1, 1, 1]): LoadedFile =>
      ({ id, name: `${id}.nii`, sizeBytes: 1, role, volume: { spacingMm } as Volume });
    const flairOnly: CaseFiles = { key: 2, title: 'f', isDemo: false, files: [file('f', 'flair'), file('m', 'mask')] };
    const thickFlair: CaseFiles = { key: 4, title: 'f', isDemo: false, files: [file('f', 'flair', [1, 1, 3])] };
    const full: CaseFiles = { key: 3, title: 'f', isDemo: false, files: [file('f', 'flair'), file('t1', 't1'), file('t2', 't2')] };
    const defaults = { defaultModel: 'all', defaultsFor: [{ modalities: ['flair' as const], maxVoxelMm: 2, model: 'flair-only' }] };
    const models = [{ name: 'all', title: 'All' }, { name: 'flair-only', title: 'FLAIR' }];
    // the list may arrive before or after the case
    expect(run(INITIAL_STATE, { type: 'case-loaded', caseFiles: flairOnly, keepResult: false }, { type: 'models-loaded', models, defaults }).selectedModel).toBe('flair-only');
    let s = run(INITIAL_STATE, { type: 'models-loaded', models, defaults });
    expect(s.selectedModel).toBe('all');
    s = run(s, { type: 'case-loaded', caseFiles: flairOnly, keepResult: false });
    expect(s.selectedModel).toBe('flair-only');
    // a FLAIR alone in 3 mm slices gets the default, as the index's voxel-size limit says
    expect(run(s, { type: 'case-loaded', caseFiles: thickFlair, keepResult: false }).selectedModel).toBe('all');
    s = run(s, { type: 'case-loaded', caseFiles: full, keepResult: false });
    expect(s.selectedModel).toBe('all');
    // a user's choice sticks across cases, and a list update without defaults keeps it
    s = run(s, { type: 'select-model', name: 'flair-only' }, { type: 'case-loaded', caseFiles: full, keepResult: false });
    s = run(s, { type: 'models-loaded', models: [...models, { name: 'tuned', title: 'Tuned' }], defaults: null });
    expect(s.selectedModel).toBe('flair-only');
    // until the default is asked for again (e.g. the tuned model was removed)
    expect(run(s, { type: 'default-model' }).selectedModel).toBe('all');
  });

  it('applies a threshold outcome without moving the slider back, and overlay settings', () => {
    let s = run(INITIAL_STATE, { type: 'run-started', runId: 1, modelName: 'm', atMs: 0 }, { type: 'result', result: result(1) });
    const outcome = { ...result(1).outcome, threshold: 0.7 };
    // the user has moved the slider on to 0.8 before the answer for 0.7 arrives
    s = run(s, { type: 'settings', settings: { threshold: 0.8 } });
    s = run(s, { type: 'thresholded', outcome }, { type: 'overlay-style', style: { kind: 'mask', opacity: 0.3 } }, { type: 'view', view: 'render' });
    expect(s.settings.threshold).toBe(0.8);
    expect(s.result?.outcome.threshold).toBe(0.7);
    expect(s.overlay).toMatchObject({ kind: 'mask', opacity: 0.3, visible: true });
    expect(s.view).toBe('render');
    s = run(s, { type: 'jump', vox: [1, 2, 3] }, { type: 'jump', vox: [1, 2, 3] });
    expect(s.jump).toEqual({ vox: [1, 2, 3], nonce: 2 });
  });
});
