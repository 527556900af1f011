/** Summary statistics of a contender's counted runs (the warm-up is never among them). */
export interface Summary {
  n: number;
  min: number;
  median: number;
  max: number;
}

/** min / median / max of the samples; the median of an even count is the mean of the middle two. */
export function summarize(samples: readonly number[]): Summary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { n: sorted.length, min: sorted[0]!, median, max: sorted[sorted.length - 1]! };
}

/** median(A) / median(B): below 1 means A took less time (or memory) than B. */
export function ratio(a: Summary | undefined, b: Summary | undefined): number | undefined {
  if (!a || !b || b.median <= 0) return undefined;
  return a.median / b.median;
}

/** Milliseconds for a table cell: `850 ms`, `1.23 s`, `2m 05s`. */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}

/** Kibibytes (as getrusage reports max RSS on Linux) for a table cell. */
export function formatKib(kib: number): string {
  if (kib < 1024) return `${kib} KiB`;
  const mib = kib / 1024;
  if (mib < 1024) return `${mib < 10 ? mib.toFixed(1) : Math.round(mib)} MiB`;
  return `${(mib / 1024).toFixed(2)} GiB`;
}

/** `0.42×`, `12×` (two significant digits is as much as a benchmark of this size supports). */
export function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '–';
  if (r >= 100) return `${Math.round(r)}×`;
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}
