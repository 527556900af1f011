import { renderFamilies, summarizeFamilies } from './families.js';
import type { BenchReport, ContenderResult, WorkloadResult } from './report.js';
import { formatDuration, formatKib, formatRatio } from './stats.js';

const HEADERS = [
  'contender',
  'runs',
  'min',
  'median',
  'max',
  'ratio',
  'CPU',
  'CPU ratio',
  'peak RSS',
  'RSS ratio',
] as const;
const EMPTY = HEADERS.map(() => '');

function row(c: ContenderResult, isReference: boolean): string[] {
  const label = `${c.label}${isReference ? ' (ref)' : ''}`;
  if (c.skipped) return [label, '–', 'skipped', ...EMPTY.slice(3)];
  if (!c.wall) return [label, '0', c.failed ? 'failed' : 'no runs', ...EMPTY.slice(3)];
  return [
    label,
    String(c.wall.n),
    formatDuration(c.wall.min),
    formatDuration(c.wall.median),
    formatDuration(c.wall.max),
    formatRatio(c.ratio),
    c.cpu ? formatDuration(c.cpu.median) : '–',
    formatRatio(c.cpuRatio),
    c.rss ? formatKib(c.rss.max) : '–',
    formatRatio(c.rssRatio),
  ];
}

/** Why a contender has no or partial figures, and what it produced, as lines under the workload. */
function footnotes(w: WorkloadResult): string[] {
  const lines = w.notes.map((n) => `note: ${n}`);
  for (const c of w.contenders) {
    if (c.skipped) lines.push(`skipped ${c.label}: ${c.skipped}`);
    if (c.failed) lines.push(`failed ${c.label}: ${c.failed.split('\n').slice(-6).join(' | ')}`);
    if (c.detail) lines.push(`${c.label}: ${c.detail}`);
    if (w.perUnit && c.wall && c.cpu) {
      const { count, unit } = w.perUnit;
      lines.push(
        `${c.label}: per ${unit} (median / ${count}): ${formatDuration(c.wall.median / count)} wall, ${formatDuration(c.cpu.median / count)} CPU`,
      );
    }
  }
  return lines;
}

/** Pad the cells of each column: the first left-aligned, the figures right-aligned. */
function layout(rows: string[][]): string[] {
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The one table printed at the end of `npm run bench` (and reprinted from a results JSON). */
export function renderTable(report: BenchReport): string {
  const o = report.options;
  const h = report.host;
  const out: string[] = [];
  out.push(
    `nx-pex bench ${report.startedAt.slice(0, 10)} on ${h.hostname}: ${h.cpus} CPUs (${h.cpuModel}), ${formatKib(Math.round(h.memoryBytes / 1024))} RAM, ${h.platform}-${h.arch}, Node ${h.node}, Python ${h.python}; load average ${h.loadAverage.start.toFixed(1)} at start, ${h.loadAverage.end.toFixed(1)} at end`,
  );
  out.push(
    `${o.runs} counted runs per contender after ${o.warmup} warm-up round(s), contenders alternated round by round${o.quick ? ' (--quick: a smoke check, not figures to quote)' : ''}`,
  );
  const idx = report.index;
  const where = idx.noIndex ? 'no index' : [idx.indexUrl, ...idx.extraIndexUrls].join(' + ');
  out.push(`index: ${where}${idx.findLinks.length ? `; find-links: ${idx.findLinks.join(' ')}` : ''}`);
  out.push(
    `reference tools: ${report.tools.map((t) => `${t.name} ${t.version}${t.installed ? '' : ' (NOT INSTALLED: skipped)'}`).join(', ') || 'none'}`,
  );
  out.push(
    "ratio = median wall time / that of the (ref) contender of the workload: below 1 is faster (or smaller). CPU = median user+system time of the command's process tree, CPU ratio the same against the ref. Peak RSS = largest process of the tree.",
  );
  const rows: string[][] = [[...HEADERS]];
  const kinds: ('head' | 'row' | 'foot')[] = ['head'];
  const extra = new Map<number, string[]>();
  for (const w of report.workloads) {
    const load = w.loadAverage === undefined ? '' : ` [load average ${w.loadAverage.toFixed(1)}]`;
    rows.push([`${w.id}: ${w.title}${load}`, ...EMPTY.slice(1)]);
    kinds.push('head');
    if (w.skipped) extra.set(rows.length - 1, [`skipped: ${w.skipped}`]);
    for (const c of w.contenders) {
      rows.push(row(c, c.id === w.reference));
      kinds.push('row');
    }
    const notes = footnotes(w);
    if (notes.length) extra.set(rows.length - 1, notes);
  }
  // Workload titles are long: measure the columns on the contender rows only.
  const measured = layout(rows.map((r, i) => (kinds[i] === 'row' || i === 0 ? r : EMPTY)));
  const width = Math.max(...measured.map((l) => l.length));
  out.push('');
  rows.forEach((r, i) => {
    if (i === 0) out.push(`  ${measured[0]}`, '─'.repeat(width + 2));
    else if (kinds[i] === 'head') out.push('', r[0]!);
    else out.push(`  ${measured[i]}`);
    for (const line of extra.get(i) ?? []) out.push(`    ${line}`);
  });
  out.push(...renderFamilies(summarizeFamilies(report.workloads)));
  return out.join('\n');
}
