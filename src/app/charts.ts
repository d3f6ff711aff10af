/** Small helpers for the page's SVG charts (PR curves, loss curve). */

/** A plot box in SVG units, with data ranges mapped onto it (y grows upward). */
export interface PlotFrame {
  width: number;
  height: number;
  pad: number;
  x: [number, number];
  y: [number, number];
}

/** SVG coordinates of a data point. */
export function toSvg(frame: PlotFrame, x: number, y: number): [number, number] {
  const { width, height, pad } = frame;
  const fx = (x - frame.x[0]) / (frame.x[1] - frame.x[0] || 1);
  const fy = (y - frame.y[0]) / (frame.y[1] - frame.y[0] || 1);
  return [pad + fx * (width - 2 * pad), height - pad - fy * (height - 2 * pad)];
}

/**
 * The `points` attribute of an SVG polyline through (xs[n], ys[n]), keeping at most `maxPoints`
 * evenly spaced points (the last one always).
 *
 * @example polyline({ width: 10, height: 10, pad: 0, x: [0, 1], y: [0, 1] }, [0, 1], [0, 1]) // "0.0,10.0 10.0,0.0"
 */
export function polyline(frame: PlotFrame, xs: ArrayLike<number>, ys: ArrayLike<number>, maxPoints = 400): string {
  const n = Math.min(xs.length, ys.length);
  const stride = Math.max(1, Math.ceil(n / maxPoints));
  const out: string[] = [];
  for (let i = 0; i < n; i += stride) out.push(toSvg(frame, xs[i], ys[i]).map((v) => v.toFixed(1)).join(','));
  if (n > 0 && (n - 1) % stride !== 0) out.push(toSvg(frame, xs[n - 1], ys[n - 1]).map((v) => v.toFixed(1)).join(','));
  return out.join(' ');
}
