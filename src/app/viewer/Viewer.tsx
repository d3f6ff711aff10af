import { useEffect, useRef, useState } from 'react';
import type { Vec3, Volume } from '../../core/types.ts';
import type { OverlayStyle, ViewMode } from '../state/workbench-state.ts';
import { NiivueController } from './niivue-controller.ts';

interface Props {
  base: { id: string; volume: Volume } | null;
  /** The overlay's voxels and the run they belong to; null shows the scan alone. */
  overlay: { runId: number; data: Float32Array | Uint8Array } | null;
  style: OverlayStyle;
  view: ViewMode;
  jump: { vox: Vec3; nonce: number } | null;
  onOverlayDrawn: (runId: number, overlayMs: number) => void;
  onError: (message: string) => void;
}

/**
 * The niivue canvas. Calls to niivue run one after another (a promise chain), so a new scan is
 * in place before its overlay arrives. data-* attributes expose what is shown, for tests.
 */
export function Viewer({ base, overlay, style, view, jump, onOverlayDrawn, onError }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const controller = useRef<NiivueController | null>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const drawnRuns = useRef(new Set<number>());
  const [location, setLocation] = useState<Vec3 | null>(null);
  const [shown, setShown] = useState({ baseId: '', overlayVoxels: 0, runId: 0 });

  const enqueue = (task: (c: NiivueController) => Promise<void> | void) => {
    queue.current = queue.current.then(async () => {
      if (controller.current) await task(controller.current);
    }).catch((error: Error) => onError(`Viewer: ${error.message}`));
  };

  useEffect(() => {
    const c = new NiivueController(setLocation);
    controller.current = c;
    queue.current = c.attach(canvas.current!).catch((error: Error) => onError(`Viewer could not start WebGL2: ${error.message}`));
    return () => {
      controller.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (!base) return;
    enqueue(async (c) => {
      await c.setBase(base.volume, base.id);
      c.setView(view);
      setShown({ baseId: base.id, overlayVoxels: 0, runId: 0 });
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
      c.applyStyle(style);
      setShown((s) => ({ ...s, overlayVoxels: c.overlayVoxelCount() }));
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [style.colormap, style.opacity, style.visible]);

  useEffect(() => enqueue((c) => c.setView(view)), [view]);

  useEffect(() => {
    if (jump) enqueue((c) => c.jumpToVoxel(jump.vox));
  }, [jump]);

  return (
    <div
      className="viewer"
      data-testid="viewer"
      data-base={shown.baseId}
      data-overlay-kind={overlay ? style.kind : 'none'}
      data-overlay-visible={overlay && style.visible ? 'true' : 'false'}
      data-overlay-voxels={shown.overlayVoxels}
      data-overlay-run={shown.runId}
      data-crosshair-vox={location ? location.join(',') : ''}
    >
      <canvas ref={canvas} data-testid="viewer-canvas" />
      <div className="location hint" data-testid="crosshair">{location ? `voxel ${location.join(', ')}` : ''}</div>
    </div>
  );
}
