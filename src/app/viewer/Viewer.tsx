import { type RefObject, useEffect, useRef, useState } from 'react';
import type { Vec3, Volume } from '../../core/types.ts';
import type { OverlayStyle, ViewMode } from '../state/workbench-state.ts';
import { type DrawTool, NiivueController } from './niivue-controller.ts';

/** The viewer's mask editor (niivue's drawing layer), for the reference editor panel. */
export interface DrawingHandle {
  /** Opens the drawing layer holding `seed` (the scan's voxel order, > 0 drawn; null: empty). */
  start(seed: ArrayLike<number> | null): Promise<void>;
  setTool(tool: DrawTool): void;
  undo(): void;
  /** The drawing as a 0/1 mask in the scan's voxel order; the drawing stays open. */
  read(): Promise<Uint8Array | null>;
  close(): void;
}

interface Props {
  /** The case's FLAIR: the viewer's grid. */
  base: { id: string; volume: Volume } | null;
  /** The scan shown under the overlay (the FLAIR or another scan on its grid) and its role. */
  display: { id: string; role: string; volume: Volume } | null;
  /** The overlay's voxels and the run they belong to; null shows the scan alone. */
  overlay: { runId: number; data: Float32Array | Uint8Array } | null;
  /** The lesions the lesion filter removed, shown in blue over the overlay; null hides them. */
  removed: Uint8Array | null;
  style: OverlayStyle;
  view: ViewMode;
  cutAway: boolean;
  jump: { vox: Vec3; nonce: number } | null;
  onOverlayDrawn: (runId: number, overlayMs: number) => void;
  onError: (message: string) => void;
  /** Filled with the viewer's drawing handle once it exists. */
  drawingRef?: RefObject<DrawingHandle | null>;
}

/**
 * The niivue canvas. Calls to niivue run one after another (a promise chain), so a new scan is
 * in place before its overlay arrives. data-* attributes expose what is shown, for tests.
 */
export function Viewer({ base, display, overlay, removed, style, view, cutAway, jump, onOverlayDrawn, onError, drawingRef }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const controller = useRef<NiivueController | null>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const drawnRuns = useRef(new Set<number>());
  const [location, setLocation] = useState<Vec3 | null>(null);
  const [shown, setShown] = useState({ baseId: '', overlayVoxels: 0, runId: 0, display: '', removedVoxels: 0 });

  /** Runs `task` after the queued ones; resolves with its value (null when the viewer is gone or the task failed). */
  const request = <T,>(task: (c: NiivueController) => T | Promise<T>): Promise<T | null> => new Promise((resolve) => {
    queue.current = queue.current.then(async () => {
      resolve(controller.current ? await task(controller.current) : null);
    }).catch((error: Error) => {
      resolve(null);
      onError(`Viewer: ${error.message}`);
    });
  });
  const enqueue = (task: (c: NiivueController) => Promise<void> | void) => void request(task);

  useEffect(() => {
    const c = new NiivueController(setLocation);
    controller.current = c;
    queue.current = c.attach(canvas.current!).catch((error: Error) => onError(`Viewer could not start WebGL2: ${error.message}`));
    if (drawingRef) {
      drawingRef.current = {
        start: async (seed) => {
          await request((v) => v.startDrawing(seed));
        },
        setTool: (tool) => enqueue((v) => v.setDrawTool(tool)),
        undo: () => enqueue((v) => v.undoDrawing()),
        read: () => request((v) => v.drawingMask()),
        close: () => enqueue((v) => v.stopDrawing()),
      };
    }
    return () => {
      controller.current = null;
      if (drawingRef) drawingRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (!base) return;
    enqueue(async (c) => {
      await c.setBase(base.volume, base.id);
      c.setView(view);
      setShown({ baseId: base.id, overlayVoxels: 0, runId: 0, display: 'flair', removedVoxels: 0 });
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [base?.id, base?.volume]);

  useEffect(() => {
    const started = performance.now();
    enqueue((c) => {
      c.setOverlay(overlay?.data ?? null, style);
      const ms = performance.now() - started;
      setShown((s) => ({ ...s, overlayVoxels: c.overlayVoxelCount(), runId: overlay?.runId ?? 0 }));
      if (overlay && !drawnRuns.current.has(overlay.runId)) {
        drawnRuns.current.add(overlay.runId);
        // let the browser present the frame before taking the time
        requestAnimationFrame(() => onOverlayDrawn(overlay.runId, ms));
      }
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [overlay?.data, style.kind, base?.id]);

  useEffect(() => {
    enqueue((c) => {
      c.setRemoved(removed);
      setShown((s) => ({ ...s, removedVoxels: c.removedVoxelCount() }));
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [removed, base?.id]);

  useEffect(() => {
    enqueue((c) => {
      c.applyStyle(style);
      setShown((s) => ({ ...s, overlayVoxels: c.overlayVoxelCount() }));
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [style.colormap, style.opacity, style.visible]);

  useEffect(() => {
    if (!base || !display) return;
    enqueue((c) => {
      c.showScan(display.volume.data);
      setShown((s) => ({ ...s, display: display.role }));
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [display?.id, base?.id]);

  useEffect(() => enqueue((c) => c.setView(view)), [view]);

  useEffect(() => enqueue((c) => c.setCutAway(cutAway)), [cutAway]);

  useEffect(() => {
    if (jump) enqueue((c) => c.jumpToVoxel(jump.vox));
  }, [jump]);

  return (
    <div
      className="viewer"
      data-testid="viewer"
      data-base={shown.baseId}
      data-display={shown.display}
      data-overlay-kind={overlay ? style.kind : 'none'}
      data-overlay-visible={overlay && style.visible ? 'true' : 'false'}
      data-overlay-voxels={shown.overlayVoxels}
      data-overlay-run={shown.runId}
      data-removed-voxels={shown.removedVoxels}
      data-crosshair-vox={location ? location.join(',') : ''}
      data-cut-away={cutAway ? 'true' : 'false'}
    >
      <canvas ref={canvas} data-testid="viewer-canvas" />
      <div className="location hint" data-testid="crosshair">{location ? `voxel ${location.join(', ')}` : ''}</div>
    </div>
  );
}
