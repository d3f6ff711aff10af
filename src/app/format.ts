/** Number and time formatting for the page. */

/** Seconds as "42 s" or "3 min 05 s". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  return `${m} min ${String(s).padStart(2, '0')} s`;
}

/**
 * Remaining time from the rate so far: elapsed / done * (total - done); null before the first patch.
 * @example etaSeconds(10, 30, 20) // 40
 */
export function etaSeconds(done: number, total: number, elapsedSeconds: number): number | null {
  if (done <= 0 || total <= 0) return null;
  return (elapsedSeconds / done) * Math.max(0, total - done);
}

/** Millilitres with 3 significant decimals for small volumes: 0.0123 -> "0.012", 12.3456 -> "12.35". */
export function formatMl(ml: number): string {
  return ml < 1 ? ml.toFixed(3) : ml.toFixed(2);
}

/** 0.372 as "0.372"; thresholds crowding 1 (sigmoid outputs) as "1 − 4.5e-5". */
export function formatThreshold(t: number): string {
  if (!Number.isFinite(t)) return 'none';
  return t >= 0.995 ? `1 − ${(1 - t).toExponential(1)}` : t.toFixed(3);
}

/** Bytes as "1.2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
