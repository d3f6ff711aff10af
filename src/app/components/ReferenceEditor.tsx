import { type RefObject, useState } from 'react';
import type { DrawTool } from '../viewer/niivue-controller.ts';
import type { DrawingHandle } from '../viewer/Viewer.tsx';

/** What an edit starts from. */
type Seed = 'reference' | 'segmentation' | 'empty';

const SEED_LABELS: Readonly<Record<Seed, string>> = {
  reference: 'the reference mask',
  segmentation: "the model's mask",
  empty: 'an empty mask',
};

const TOOLS: readonly [DrawTool, string][] = [['draw', 'Pen'], ['fill', 'Filled outline'], ['erase', 'Eraser']];

interface Props {
  drawing: RefObject<DrawingHandle | null>;
  /** The reference mask (> 0 is lesion) and the model's thresholded mask, on the scan's grid, when there are. */
  reference: Float32Array | null;
  segmentation: Uint8Array | null;
  hasScan: boolean;
  onApply: (mask: Uint8Array) => void;
}

/**
 * Correcting or drawing a reference mask with niivue's drawing tools, on the 2D slices: start from
 * the reference, the model's mask or nothing; pen, filled outline, eraser, undo; "Use as
 * reference" makes the drawing the case's reference mask (metrics, PR curve and fine-tuning then
 * use it; the previous one stays in the file list, ignored).
 */
export function ReferenceEditor({ drawing, reference, segmentation, hasScan, onApply }: Props) {
  const [editing, setEditing] = useState(false);
  const [tool, setTool] = useState<DrawTool>('draw');
  const seeds: Seed[] = [...(reference ? ['reference' as const] : []), ...(segmentation ? ['segmentation' as const] : []), 'empty'];
  const [seed, setSeed] = useState<Seed>(seeds[0]);
  const chosen = seeds.includes(seed) ? seed : seeds[0];

  const start = async () => {
    const handle = drawing.current;
    if (!handle) return;
    // the drawing layer takes any voxel > 0 as drawn, as the metrics read a reference
    await handle.start(chosen === 'reference' ? reference : chosen === 'segmentation' ? segmentation : null);
    setTool('draw');
    setEditing(true);
  };
  const pick = (next: DrawTool) => {
    setTool(next);
    drawing.current?.setTool(next);
  };
  const finish = async (apply: boolean) => {
    const handle = drawing.current;
    const mask = apply && handle ? await handle.read() : null;
    handle?.close();
    setEditing(false);
    if (mask) onApply(mask);
  };

  return (
    <section className="panel" data-testid="reference-editor" data-editing={editing ? 'true' : 'false'}>
      <h2>Edit the reference mask</h2>
      {!editing ? (
        <>
          <label className="field">
            <span>Start from</span>
            <select data-testid="edit-seed" value={chosen} disabled={!hasScan} onChange={(e) => setSeed(e.target.value as Seed)}>
              {seeds.map((s) => <option key={s} value={s}>{SEED_LABELS[s]}</option>)}
            </select>
          </label>
          <button type="button" data-testid="edit-reference" disabled={!hasScan} onClick={() => void start()}>Draw on the scan</button>
        </>
      ) : (
        <>
          <div className="segmented" role="group" aria-label="Drawing tool">
            {TOOLS.map(([t, label]) => (
              <button key={t} type="button" className={tool === t ? 'active' : ''} data-testid={`draw-tool-${t}`} onClick={() => pick(t)}>{label}</button>
            ))}
          </div>
          <div className="row wrap">
            <button type="button" data-testid="draw-undo" onClick={() => drawing.current?.undo()}>Undo</button>
            <button type="button" className="primary" data-testid="draw-apply" onClick={() => void finish(true)}>Use as reference</button>
            <button type="button" data-testid="draw-discard" onClick={() => void finish(false)}>Discard</button>
          </div>
          <p className="hint">Click and drag on a 2D slice to draw; the drawing shows in red, under the overlay: untick Overlay to see it alone.</p>
        </>
      )}
    </section>
  );
}
