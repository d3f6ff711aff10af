import { filterLesions, NO_LESION_FILTER } from '../../src/core/lesion-filter.ts';
import { labelComponents } from '../../src/core/components.ts';
import { sparsePeaks } from '../../src/core/voxel-peaks.ts';
import { filteredPreview } from '../../src/core/lesion-scores.ts';
import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../src/core/phantom.ts';
import { zscoreInBrain } from '../../src/core/normalize.ts';
import { channelsFor, prepareCase } from '../../src/worker/case-state.ts';
import { outcomeAt } from '../../src/worker/outcome.ts';
import { evaluateSegmentation } from '../../src/core/evaluate.ts';
import { lesionTable } from '../../src/core/lesion-table.ts';
import { createRng } from '../../src/core/random.ts';
import type { WorkerRequest } from '../../src/worker/protocol.ts';

const phantom = generatePhantom({ dims: [32, 32, 32], seed: 4, lesionCount: 3 });
type SetCase = Extract<WorkerRequest, { type: 'set-case' }>;
const setCase = (caseKey: number, scans: SetCase['scans'], truth: SetCase['truth'] = null): SetCase => ({ type: 'set-case', caseKey, scans, truth });

describe('prepareCase', () => {
  it('z-scores the given scans once and reuses them for the same files', () => {
    const first = prepareCase(null, setCase(1, { flair: { id: 'f', volume: phantom.flair }, t2: { id: 't2', volume: phantom.t2 } }));
    expect(first.problem).toBeNull();
    expect(Object.keys(first.channels).sort()).toEqual(['flair', 't2']);
    expect(first.channels.flair).toEqual(zscoreInBrain(phantom.flair, first.brain));
    const withMask = prepareCase(first, setCase(2, { flair: { id: 'f', volume: phantom.flair }, t2: { id: 't2', volume: phantom.t2 } }, { id: 'm', volume: phantom.mask }));
    expect(withMask.channels).toBe(first.channels);
    expect(withMask.caseKey).toBe(2);
    expect(withMask.truth?.data).toEqual(phantom.mask.data);
    // a reference resampled with interpolation is cut at one half: its rim of 0.3 is not lesion
    const soft = { ...phantom.mask, data: Float32Array.from(phantom.mask.data, (m, v) => (m ? 0.8 : v % 2 ? 0.3 : 0)) };
    const fromSoft = prepareCase(withMask, setCase(3, { flair: { id: 'f', volume: phantom.flair }, t2: { id: 't2', volume: phantom.t2 } }, { id: 'm2', volume: soft }));
    expect(fromSoft.truth?.data).toEqual(phantom.mask.data);
    const changed = prepareCase(withMask, setCase(4, { flair: { id: 'f2', volume: phantom.flair } }));
    expect(changed.channels).not.toBe(first.channels);
  });

  it('keeps input problems instead of throwing', () => {
    expect(prepareCase(null, setCase(1, { t1: { id: 't', volume: phantom.t1 } })).problem).toMatch(/FLAIR scan is required/);
    const allNaN = { ...phantom.flair, data: new Float32Array(phantom.flair.data.length).fill(Number.NaN) };
    expect(prepareCase(null, setCase(1, { flair: { id: 'f', volume: allNaN } })).problem).toBe('FLAIR: every voxel (32768) is NaN or infinite: there is no image to read');
    const noReference = { ...phantom.mask, data: allNaN.data };
    expect(prepareCase(null, setCase(1, { flair: { id: 'f', volume: phantom.flair } }, { id: 'm', volume: noReference })).problem)
      .toBe('lesion mask: every voxel (32768) is NaN or infinite: there is no reference to score against');
    const other = generatePhantom({ dims: [32, 32, 30], seed: 4 }).mask;
    expect(prepareCase(null, setCase(1, { flair: { id: 'f', volume: phantom.flair } }, { id: 'm', volume: other })).problem).toMatch(/not on the same voxel grid/);
  });

  it('reads NaN voxels of a scan as background with a note, and passes on the reader\'s notes on scans and reference', () => {
    const nan = { ...phantom.flair, data: phantom.flair.data.slice() };
    nan.data[100] = Number.NaN;
    nan.data[200] = Number.POSITIVE_INFINITY;
    const prepared = prepareCase(null, setCase(1, { flair: { id: 'f', volume: nan } }));
    expect(prepared.problem).toBeNull();
    expect(prepared.notes[0]).toBe('FLAIR: 2 of its 32768 voxels are NaN or infinite; they were read as 0 (background)');
    expect(nan.data[100]).toBeNaN(); // the case's own volume is left as it is
    const zeroed = { ...phantom.flair, data: phantom.flair.data.slice() };
    zeroed.data[100] = 0;
    zeroed.data[200] = 0;
    expect(prepared.channels.flair).toEqual(prepareCase(null, setCase(1, { flair: { id: 'z', volume: zeroed } })).channels.flair);
    const noted = { ...phantom.flair, notes: ['100 bytes after the image were ignored'] };
    const mask = { ...phantom.mask, notes: ['its header gives voxel sizes (pixdim) of 0 x 1 x 1'] };
    const withNotes = prepareCase(null, setCase(2, { flair: { id: 'n', volume: noted } }, { id: 'm', volume: mask }));
    expect(withNotes.notes.slice(0, 2)).toEqual(['FLAIR: 100 bytes after the image were ignored', 'lesion mask: its header gives voxel sizes (pixdim) of 0 x 1 x 1']);
    // the same scans with another reference: the scans' notes kept, the reference's replaced
    const again = prepareCase(withNotes, setCase(3, { flair: { id: 'n', volume: noted } }, { id: 'm2', volume: phantom.mask }));
    expect(again.channels).toBe(withNotes.channels);
    expect(again.notes.filter((n) => n.startsWith('lesion mask:'))).toEqual([]);
    expect(again.notes[0]).toBe('FLAIR: 100 bytes after the image were ignored');
  });

  it('orders channels as the model takes them, blank for missing ones', () => {
    const prepared = prepareCase(null, setCase(1, { flair: { id: 'f', volume: phantom.flair }, t1post: { id: 'p', volume: phantom.t1 } }));
    const { channels, missing, ignored } = channelsFor(prepared, ['flair', 't1', 't2']);
    expect(channels[0]).toBe(prepared.channels.flair);
    expect(channels[1].every((x) => x === 0)).toBe(true);
    expect(missing).toEqual(['t1', 't2']);
    expect(ignored).toEqual(['t1post']);
  });
});

describe('outcomeAt', () => {
  it('thresholds, lists lesions and scores against the truth', () => {
    const probability = Float32Array.from(phantom.mask.data, (m) => (m ? 0.9 : 0.1));
    const held = { runId: 1, probability, peaks: null, dims: phantom.flair.dims, spacingMm: phantom.flair.spacingMm, truth: phantom.mask, beta: 1.5, modelRule: NO_LESION_FILTER };
    const outcome = outcomeAt(held, 0.5, null);
    expect(outcome.lesions.count).toBe(3);
    expect(outcome.metrics?.dice).toBe(1);
    expect(outcome.metrics?.beta).toBe(1.5);
    expect(outcomeAt(held, 0.95, null).lesions.count).toBe(0);
    expect(outcomeAt({ ...held, truth: null }, 0.5, null).metrics).toBeNull();
    expect(() => outcomeAt(held, 1, null)).toThrow(/between 0 and 1/);
  });

  it('scores every threshold as the plain core functions do, also after the reference changes', () => {
    const rng = createRng(12);
    // a noisy map: lesion voxels mostly high, a sprinkle of bright false voxels elsewhere
    const probability = Float32Array.from(phantom.mask.data, (m) => (m ? 0.4 + 0.6 * rng() : rng() ** 6));
    const held = { runId: 2, probability, peaks: null, dims: phantom.flair.dims, spacingMm: phantom.flair.spacingMm, truth: phantom.mask, beta: 1.5, modelRule: NO_LESION_FILTER };
    const otherTruth = generatePhantom({ dims: [32, 32, 32], seed: 9, lesionCount: 4 }).mask;
    for (const truth of [phantom.mask, otherTruth, phantom.mask]) {
      for (const threshold of [0.3, 0.5, 0.8]) {
        const outcome = outcomeAt({ ...held, truth }, threshold, null);
        const mask = Uint8Array.from(probability, (p) => (p >= threshold ? 1 : 0));
        expect(outcome.mask).toEqual(mask);
        expect(outcome.removed.every((x) => x === 0)).toBe(true);
        expect(outcome.lesions).toEqual(lesionTable(mask, held.dims, held.spacingMm, { reference: truth.data, probability }));
        expect(outcome.metrics).toEqual(evaluateSegmentation({ pred: mask, truth: truth.data, dims: held.dims, spacingMm: held.spacingMm, prob: probability, beta: 1.5 }));
      }
    }
    expect(outcomeAt({ ...held, truth: otherTruth }, 0.5, null).metrics?.ap).not.toBe(outcomeAt(held, 0.5, null).metrics?.ap);
  });

  it("applies the model's lesion filter unless the page sets another, and scores the kept lesions as the core does", () => {
    const rng = createRng(5);
    const probability = Float32Array.from(phantom.mask.data, (m) => (m ? 0.5 + 0.5 * rng() : rng() ** 4));
    const modelRule = { minLesionMm3: 4, minConfidence: 0.7 };
    const held = { runId: 3, probability, peaks: null, dims: phantom.flair.dims, spacingMm: phantom.flair.spacingMm, truth: phantom.mask, beta: 1.5, modelRule };
    const mask = Uint8Array.from(probability, (p) => (p >= 0.5 ? 1 : 0));
    for (const [rule, applied] of [[null, modelRule], [{ minLesionMm3: 0, minConfidence: 0.9 }, { minLesionMm3: 0, minConfidence: 0.9 }]] as const) {
      const outcome = outcomeAt(held, 0.5, rule);
      const expected = filterLesions(mask, probability, held.dims, held.spacingMm, applied);
      expect(outcome.rule).toEqual(applied);
      expect(outcome.mask).toEqual(expected.mask);
      expect(outcome.removed).toEqual(expected.removed);
      expect(outcome.removedLesions.length + outcome.lesions.count).toBe(expected.stats.length);
      expect(outcome.removedLesions.length).toBeGreaterThan(0);
      expect(outcome.metrics).toEqual(evaluateSegmentation({ pred: expected.mask, truth: phantom.mask.data, dims: held.dims, spacingMm: held.spacingMm, prob: probability, beta: 1.5 }));
      // the page's preview of the same rule gives the worker's table and scores
      const preview = filteredPreview(outcome.candidates.stats, outcome.candidates.overlaps, applied, 1.5, outcome.candidates.ap);
      expect(preview.count).toBe(outcome.lesions.count);
      expect(preview.rows.map((r) => [r.voxels, r.confidence, r.inReference, ...r.centroidVox.map((c) => c.toFixed(6))]))
        .toEqual(outcome.lesions.rows.map((r) => [r.voxels, r.confidence, r.inReference, ...r.centroidVox.map((c) => c.toFixed(6))]));
      for (const [key, value] of Object.entries(outcome.metrics!)) expect((preview.metrics as unknown as Record<string, number>)[key], key).toBeCloseTo(value as number, 9);
    }
  });

  it("judges lesions on the held peaks when there are some (a moved scan's), the mask still cut from the probability", () => {
    // every lesion at 0.6: under the rule's 0.8; the peaks lift the first lesion's voxels to 0.9
    const probability = Float32Array.from(phantom.mask.data, (m) => (m ? 0.6 : 0));
    const labels = labelComponents(phantom.mask.data, phantom.flair.dims, 26);
    const confidence = Float32Array.from(probability, (p, v) => (labels.labels[v] === 1 ? 0.9 : p));
    const modelRule = { minLesionMm3: 0, minConfidence: 0.8 };
    const held = { runId: 4, probability, peaks: null, dims: phantom.flair.dims, spacingMm: phantom.flair.spacingMm, truth: null, beta: 1.5, modelRule };
    expect(outcomeAt(held, 0.5, null).lesions.count).toBe(0);
    const judged = outcomeAt({ ...held, peaks: sparsePeaks(confidence, probability) }, 0.5, null);
    expect(judged.lesions.count).toBe(1);
    expect(judged.lesions.rows[0].voxels).toBe(labels.sizes[1]);
    expect(judged.lesions.rows[0].confidence).toBeCloseTo(0.9, 6);
    expect(judged.removedLesions.length).toBe(labels.count - 1);
    // the kept lesion's extent is the probability's cut, not the peaks'
    expect(judged.mask.reduce((a, b) => a + b, 0)).toBe(labels.sizes[1]);
  });
});
