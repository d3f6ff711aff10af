import { ROLE_LABELS } from '../../core/file-roles.ts';
import type { Modality } from '../../model/model-meta.ts';
import type { OverlayStyle, ViewMode } from '../state/workbench-state.ts';

const VIEWS: [ViewMode, string][] = [['multiplanar', 'Multiplanar + 3D'], ['axial', 'Axial'], ['coronal', 'Coronal'], ['sagittal', 'Sagittal'], ['render', '3D']];
const COLORMAPS = ['warm', 'hot', 'red', 'plasma', 'viridis', 'winter'];

interface Props {
  /** The case's loaded scans, and the one shown under the overlay. */
  scans: Modality[];
  displayScan: Modality;
  onDisplayScan: (modality: Modality) => void;
  style: OverlayStyle;
  view: ViewMode;
  cutAway: boolean;
  hasOverlay: boolean;
  onStyle: (style: Partial<OverlayStyle>) => void;
  onView: (view: ViewMode) => void;
  onCutAway: (on: boolean) => void;
}

/** View mode, the scan shown, the 3D cut-away and overlay controls (probability or mask, colormap, opacity, on/off). */
export function ViewerToolbar({ scans, displayScan, onDisplayScan, style, view, cutAway, hasOverlay, onStyle, onView, onCutAway }: Props) {
  const shows3d = view === 'render' || view === 'multiplanar';
  return (
    <div className="toolbar">
      <div className="segmented" role="group" aria-label="View">
        {VIEWS.map(([mode, label]) => (
          <button key={mode} type="button" className={view === mode ? 'active' : ''} data-testid={`view-${mode}`} onClick={() => onView(mode)}>{label}</button>
        ))}
      </div>
      <select data-testid="display-scan" aria-label="Scan shown" title="The scan shown under the overlay" value={displayScan} disabled={scans.length < 2} onChange={(e) => onDisplayScan(e.target.value as Modality)}>
        {scans.map((m) => <option key={m} value={m}>{ROLE_LABELS[m]}</option>)}
      </select>
      <label className="inline" title="In the 3D view, cut away what lies between you and the crosshair (click a lesion in the table to cut through it)">
        <input type="checkbox" data-testid="cut-away" checked={cutAway} disabled={!shows3d} onChange={(e) => onCutAway(e.target.checked)} />
        3D cut-away
      </label>
      <label className="inline">
        <input type="checkbox" data-testid="overlay-visible" checked={style.visible} disabled={!hasOverlay} onChange={(e) => onStyle({ visible: e.target.checked })} />
        Overlay
      </label>
      <select data-testid="overlay-kind" value={style.kind} disabled={!hasOverlay} onChange={(e) => {
        const kind = e.target.value as OverlayStyle['kind'];
        onStyle({ kind, colormap: kind === 'mask' ? 'red' : 'warm' });
      }}>
        <option value="probability">Probability map</option>
        <option value="mask">Thresholded mask</option>
      </select>
      <select data-testid="overlay-colormap" aria-label="Colormap" value={style.colormap} disabled={!hasOverlay} onChange={(e) => onStyle({ colormap: e.target.value })}>
        {COLORMAPS.map((c) => <option key={c} value={c}>{c}</option>)}
      </select>
      <label className="inline">
        Opacity
        <input type="range" data-testid="overlay-opacity" min={0} max={1} step={0.05} value={style.opacity} disabled={!hasOverlay} onChange={(e) => onStyle({ opacity: Number(e.target.value) })} />
      </label>
    </div>
  );
}
