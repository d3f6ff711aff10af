/**
 * A small imperative wrapper around niivue for the page: one base scan, one overlay (probability
 * map or mask) whose voxels are updated in place, the view mode, and jumps of the crosshair.
 * Volumes reach niivue as NIfTI bytes written by the core, so niivue sees the same header and
 * affine as the exported files.
 */
import { Niivue, NVImage, SHOW_RENDER, SLICE_TYPE } from '@niivue/niivue';
import { writeNifti } from '../../core/nifti-io.ts';
import type { Vec3, Volume } from '../../core/types.ts';
import { maskLike } from '../../core/volume.ts';
import type { OverlayStyle, ViewMode } from '../state/workbench-state.ts';
import { nativeToRas, rasToNative, type RasLayout } from './drawing-orientation.ts';

/** niivue pens for editing a mask: a freehand line, a filled outline, or the eraser (pen value 0). */
export type DrawTool = 'draw' | 'fill' | 'erase';

const SLICE_TYPES: Readonly<Record<ViewMode, SLICE_TYPE>> = {
  multiplanar: SLICE_TYPE.MULTIPLANAR,
  axial: SLICE_TYPE.AXIAL,
  coronal: SLICE_TYPE.CORONAL,
  sagittal: SLICE_TYPE.SAGITTAL,
  render: SLICE_TYPE.RENDER,
};

/** Display range per overlay kind: probabilities below 0.05 and mask zeros are transparent. */
const OVERLAY_RANGE: Readonly<Record<OverlayStyle['kind'], [number, number]>> = {
  probability: [0.05, 1],
  mask: [0.5, 1],
};

export class NiivueController {
  private readonly nv: Niivue;
  private base: NVImage | null = null;
  /** The voxels the base image shows (the FLAIR set by setBase, or a scan from showScan). */
  private shownScan: Float32Array | null = null;
  private overlay: NVImage | null = null;
  private hasOverlayData = false;
  /** The lesions the lesion filter removed, a second layer in blue (layer 2). */
  private removed: NVImage | null = null;
  private cutAway = false;

  constructor(onLocation: (vox: Vec3 | null) => void) {
    this.nv = new Niivue({
      backColor: [0.06, 0.07, 0.09, 1],
      crosshairColor: [0.2, 0.8, 1, 0.7],
      crosshairWidth: 0.35,
      show3Dcrosshair: true,
      isColorbar: false,
      dragAndDropEnabled: false,
      multiplanarShowRender: SHOW_RENDER.ALWAYS,
      logLevel: 'error',
      loadingText: "loading...",
    });
    this.nv.onLocationChange = (location: unknown) => {
      const vox = (location as { vox?: number[] }).vox;
      onLocation(vox && vox.length >= 3 ? [vox[0], vox[1], vox[2]] : null);
      if (this.cutAway) this.placeClipPlane();
    };
    this.nv.onAzimuthElevationChange = () => {
      if (this.cutAway) this.placeClipPlane();
    };
  }

  async attach(canvas: HTMLCanvasElement): Promise<void> {
    await this.nv.attachToCanvas(canvas);
  }

  /**
   * Shows `volume` as the only image, with an empty overlay on its grid made now (while a file
   * loads), so that showing a result later only copies voxels.
   */
  async setBase(volume: Volume, name: string): Promise<void> {
    const image = await imageFromVolume(volume, `${name}.nii`, 'gray', 1, NaN, NaN, false);
    const [calMin, calMax] = OVERLAY_RANGE.probability;
    // one zero image for both empty layers; the removed lesions (0/1) as uint8: a quarter of float32's
    // bytes (a 0.5 mm 512x512x350 scan: 92 MB instead of 367 MB, docs/big-scans.md)
    const empty = maskLike(volume, new Float32Array(volume.data.length));
    const overlay = await imageFromVolume(empty, 'overlay.nii', 'warm', 0, calMin, calMax, true);
    const removed = await imageFromVolume(empty, 'removed.nii', 'blue', 0, 0.5, 1, true, 'uint8');
    // a drawing belongs to the scan it was drawn on
    if (this.nv.drawBitmap) this.stopDrawing();
    for (const v of [...this.nv.volumes]) this.nv.removeVolume(v);
    this.nv.addVolume(image);
    this.nv.addVolume(overlay);
    this.nv.addVolume(removed);
    this.base = image;
    this.removed = removed;
    this.shownScan = volume.data;
    this.overlay = overlay;
    this.hasOverlayData = false;
    // start a little off the midline (the sagittal view would show only the falx) and through the
    // bodies of the lateral ventricles, where MS lesions gather
    this.nv.scene.crosshairPos = [0.44, 0.5, 0.56];
    this.nv.createOnLocationChange();
    this.nv.drawScene();
  }

  /**
   * Shows another scan of the case (T1, T2, ...: same grid) under the overlay by replacing the base
   * image's voxels in place, so the overlay, the crosshair and an open drawing stay; the display
   * range is recomputed for the new contrast.
   */
  showScan(data: Float32Array): void {
    const img = this.base?.img;
    // a new case's base already shows its FLAIR: no second copy and range pass
    if (!this.base || !img || data === this.shownScan) return;
    if (data.length !== img.length) throw new Error(`the scan has ${data.length} voxels, the viewer's ${img.length}`);
    img.set(data);
    this.shownScan = data;
    this.base.calMinMax();
    this.nv.updateGLVolume();
  }

  /**
   * Shows `data` (probability or 0/1 mask, on the base grid) in the overlay: its voxels are copied
   * into the overlay image made by setBase (no NIfTI encoding or parsing); null hides it.
   */
  setOverlay(data: Float32Array | Uint8Array | null, style: OverlayStyle): void {
    const img = this.overlay?.img;
    if (!img) return;
    this.hasOverlayData = data !== null;
    if (data !== null) {
      if (data.length !== img.length) throw new Error(`overlay has ${data.length} voxels, the scan ${img.length}`);
      img.set(data);
    }
    this.applyStyle(style);
  }

  /** Shows the lesions the filter removed (0/1 on the base grid) in blue; null hides the layer. */
  setRemoved(data: Uint8Array | null): void {
    const img = this.removed?.img;
    if (!this.removed || !img) return;
    if (data !== null) {
      if (data.length !== img.length) throw new Error(`removed lesions have ${data.length} voxels, the scan ${img.length}`);
      img.set(data);
    }
    this.removed.opacity = data === null ? 0 : 0.8;
    this.nv.refreshLayers(this.removed, 2);
    this.nv.drawScene();
  }

  /** Voxels of the removed-lesions layer while it is shown (0 when hidden). */
  removedVoxelCount(): number {
    const img = this.removed?.img;
    if (!this.removed || !img || this.removed.opacity === 0) return 0;
    let n = 0;
    for (let v = 0; v < img.length; v++) if (img[v] >= 0.5) n++;
    return n;
  }

  /** Colormap, opacity and visibility of the overlay. */
  applyStyle(style: OverlayStyle): void {
    const overlay = this.overlay;
    if (!overlay) return;
    const [calMin, calMax] = OVERLAY_RANGE[style.kind];
    overlay.cal_min = calMin;
    overlay.cal_max = calMax;
    overlay.colormap = style.colormap;
    overlay.opacity = style.visible && this.hasOverlayData ? style.opacity : 0;
    // only the overlay changed: redo its layer (layer 1), not the scan's as updateGLVolume would
    this.nv.refreshLayers(overlay, 1);
    this.nv.drawScene();
  }

  /**
   * Cut-away in the 3D view: niivue draws an overlay that lies under the rendered brain surface
   * only faintly, so lesions deep in the white matter hardly show. When on, a clip plane facing the
   * camera through the crosshair removes the near part (it follows the crosshair and the rotation).
   */
  setCutAway(on: boolean): void {
    this.cutAway = on;
    if (on) this.placeClipPlane();
    else this.nv.setClipPlane([NO_CLIP_DEPTH, 0, 0]);
  }

  private placeClipPlane(): void {
    const { renderAzimuth, renderElevation, crosshairPos } = this.nv.scene;
    // niivue keeps the samples p (texture fractions) with dot(n, p - 0.5) + depth >= 0, n the unit
    // vector of (azimuth + 180, elevation). At the camera's own angles that is the near side (seen
    // in screenshots), so the plane is turned round; depth puts it through the crosshair.
    const azimuth = renderAzimuth + 180;
    const elevation = -renderElevation;
    const n = this.nv.sph2cartDeg(azimuth + 180, elevation);
    const depth = -n.reduce((sum, x, axis) => sum + x * (crosshairPos[axis] - 0.5), 0);
    this.nv.setClipPlane([depth, azimuth, elevation]);
  }

  setView(view: ViewMode): void {
    this.nv.setSliceType(SLICE_TYPES[view]);
  }

  /** Moves the crosshair to voxel (i, j, k) of the base grid (rounded). */
  jumpToVoxel(vox: Vec3): void {
    if (!this.base) return;
    const frac = this.nv.vox2frac([Math.round(vox[0]), Math.round(vox[1]), Math.round(vox[2])]);
    this.nv.scene.crosshairPos = frac;
    this.nv.createOnLocationChange();
    this.nv.drawScene();
  }

  /**
   * Opens niivue's drawing layer on the base scan, holding `seed` (a mask in the scan's own voxel
   * order, > 0 drawn; null starts empty), with undo from this state on. Drags then draw.
   */
  startDrawing(seed: ArrayLike<number> | null): void {
    const layout = this.rasLayout();
    this.nv.setDrawingEnabled(true);
    const bitmap = this.nv.drawBitmap;
    if (!bitmap) throw new Error('the viewer could not open a drawing layer');
    if (seed) bitmap.set(nativeToRas(seed, layout));
    else bitmap.fill(0);
    this.nv.drawClearAllUndoBitmaps();
    this.nv.drawAddUndoBitmap();
    this.nv.setDrawOpacity(0.65);
    this.setDrawTool('draw');
    this.nv.refreshDrawing(true);
  }

  setDrawTool(tool: DrawTool): void {
    // pen 1 is niivue's first drawing colour (red); a filled pen closes and fills the outline drawn
    this.nv.setPenValue(tool === 'erase' ? 0 : 1, tool === 'fill');
  }

  undoDrawing(): void {
    this.nv.drawUndo();
  }

  /** The drawing as a 0/1 mask in the base scan's voxel order (null when no drawing is open). */
  drawingMask(): Uint8Array | null {
    const bitmap = this.nv.drawBitmap;
    return bitmap ? rasToNative(bitmap, this.rasLayout()) : null;
  }

  /** Closes the drawing layer; clicks move the crosshair again. */
  stopDrawing(): void {
    this.nv.setDrawingEnabled(false);
    this.nv.closeDrawing();
  }

  private rasLayout(): RasLayout {
    const base = this.base;
    if (!base?.img2RASstart || !base.img2RASstep || !base.dimsRAS) throw new Error('no scan is shown to draw on');
    return { start: base.img2RASstart, step: base.img2RASstep, dimsRAS: base.dimsRAS };
  }

  /** Number of overlay voxels niivue holds above the display minimum (for tests and the page). */
  overlayVoxelCount(): number {
    const img = this.overlay?.img;
    if (!img || !this.hasOverlayData) return 0;
    const min = this.overlay!.cal_min ?? 0;
    let n = 0;
    for (let v = 0; v < img.length; v++) if (img[v] >= min && img[v] > 0) n++;
    return n;
  }
}

/** niivue turns a clip plane off at depths of 1.8 and more. */
const NO_CLIP_DEPTH = 2;

/**
 * An NVImage of `volume`, passed to niivue as uncompressed float32 NIfTI-1 bytes with its own header
 * (a NIfTI-2 scan too: its header's geometry is written as NIfTI-1's, the form niivue is driven with here).
 */
export function imageFromVolume(
  volume: Volume, name: string, colormap: string, opacity: number, calMin: number, calMax: number, trustCalMinMax: boolean,
  dataType: 'float32' | 'uint8' = 'float32',
): Promise<NVImage> {
  const bytes = writeNifti(volume, dataType, { version: 1 });
  // writeNifti's bytes fill their own buffer: handed over as they are (a copy would double a big scan's bytes)
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = (whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as ArrayBuffer;
  // NVImage.new's positional parameters, niivue 0.69: the defaults except those named here
  return NVImage.new(
    buffer, name, colormap, opacity, null, calMin, calMax, trustCalMinMax, 0.02, false, false, '', 0,
    0 /* ImageType.UNKNOWN: from the name */ as never, NaN, NaN, true, null, 0, null,
  );
}
