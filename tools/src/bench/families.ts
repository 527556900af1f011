// The summary of a family of like workloads (the real-world sets, cold or warm): one line per member
// with its ratios against the reference, then the median and the worst ratio over the members and
// those above the family's goal — the figures an issue's closing note quotes.
import type { WorkloadResult } from './report.js';
import { formatDuration, formatRatio, summarize } from './stats.js';

export interface FamilyMember {
  member: string;
  /** Medians of the contender measured (the first that is not the reference) and of the reference. */
  wallMs?: number;
  refWallMs?: number;
  ratio?: number;
  cpuMs?: number;
  refCpuMs?: number;
  cpuRatio?: number;
  /** Why this member has no ratio (a contender failed or was skipped, or the workload was). */
  missing?: string;
}

export interface RatioSpread {
  median: number;
  worst: number;
  worstMember: string;
  /** Members above the goal, worst first, with their ratio. */
  overGoal: { member: string; ratio: number }[];
}

export interface FamilySummary {
  id: string;
  title: string;
  reference: string;
  goal?: number;
  members: FamilyMember[];
  /** Over the members with a ratio; undefined when none has one. */
  wall?: RatioSpread;
  cpu?: RatioSpread;
}

function spread(
  members: FamilyMember[],
  pick: (m: FamilyMember) => number | undefined,
  goal: number | undefined,
): RatioSpread | undefined {
  const rated = members.flatMap((m) => {
    const r = pick(m);
    return r === undefined ? [] : [{ member: m.member, ratio: r }];
  });
  const s = summarize(rated.map((r) => r.ratio));
  if (!s) return undefined;
  const byRatio = [...rated].sort((a, b) => b.ratio - a.ratio);
  return {
    median: s.median,
    worst: s.max,
    worstMember: byRatio[0]!.member,
    overGoal: goal === undefined ? [] : byRatio.filter((r) => r.ratio > goal),
  };
}

function member(w: WorkloadResult): FamilyMember {
  const name = w.family!.member;
  const ref = w.contenders.find((c) => c.id === w.reference);
  const ours = w.contenders.find((c) => c.id !== w.reference);
  const base = { member: name };
  const why = w.skipped
    ? `skipped: ${w.skipped}`
    : !ours || !ref
      ? 'no contender to compare'
      : [ours, ref]
          .filter((c) => !c.wall)
          .map((c) => `${c.label} ${c.failed ? 'failed' : c.skipped ? 'skipped' : 'has no runs'}`)
          .join(', ');
  if (why || !ours?.wall || !ref?.wall) return { ...base, missing: why || 'no runs' };
  return {
    ...base,
    wallMs: ours.wall.median,
    refWallMs: ref.wall.median,
    ...(ours.ratio !== undefined ? { ratio: ours.ratio } : {}),
    ...(ours.cpu ? { cpuMs: ours.cpu.median } : {}),
    ...(ref.cpu ? { refCpuMs: ref.cpu.median } : {}),
    ...(ours.cpuRatio !== undefined ? { cpuRatio: ours.cpuRatio } : {}),
  };
}

/** The families among the workloads, in the order their first member ran. */
export function summarizeFamilies(workloads: readonly WorkloadResult[]): FamilySummary[] {
  const groups = new Map<string, WorkloadResult[]>();
  for (const w of workloads) {
    if (!w.family) continue;
    const g = groups.get(w.family.id) ?? [];
    g.push(w);
    groups.set(w.family.id, g);
  }
  return [...groups.values()].map((ws) => {
    const { id, title, goal } = ws[0]!.family!;
    const members = ws.map(member);
    const wall = spread(members, (m) => m.ratio, goal);
    const cpu = spread(members, (m) => m.cpuRatio, goal);
    return {
      id,
      title,
      reference: ws[0]!.reference,
      ...(goal !== undefined ? { goal } : {}),
      members,
      ...(wall ? { wall } : {}),
      ...(cpu ? { cpu } : {}),
    };
  });
}

const SUMMARY_HEADERS = ['set', 'median', 'ref', 'ratio', 'CPU', 'ref CPU', 'CPU ratio'];

function spreadLine(what: string, s: RatioSpread | undefined, goal: number | undefined, of: number): string {
  if (!s) return `${what}: no ratios`;
  const over =
    goal === undefined
      ? ''
      : s.overGoal.length === 0
        ? `; none above ${goal}×`
        : `; above ${goal}×: ${s.overGoal.length} of ${of} (${s.overGoal.map((o) => `${o.member} ${formatRatio(o.ratio)}`).join(', ')})`;
  return `${what}: median ${formatRatio(s.median)}, worst ${formatRatio(s.worst)} (${s.worstMember})${over}`;
}

/** The summary block of each family, printed after the table. */
export function renderFamilies(families: readonly FamilySummary[]): string[] {
  const out: string[] = [];
  for (const f of families) {
    const rows = [
      SUMMARY_HEADERS,
      ...f.members.map((m) =>
        m.missing
          ? [m.member, m.missing, '', '', '', '', '']
          : [
              m.member,
              m.wallMs === undefined ? '–' : formatDuration(m.wallMs),
              m.refWallMs === undefined ? '–' : formatDuration(m.refWallMs),
              formatRatio(m.ratio),
              m.cpuMs === undefined ? '–' : formatDuration(m.cpuMs),
              m.refCpuMs === undefined ? '–' : formatDuration(m.refCpuMs),
              formatRatio(m.cpuRatio),
            ],
      ),
    ];
    const widths = SUMMARY_HEADERS.map((_, i) => Math.max(...rows.filter((r) => r[2] !== '').map((r) => r[i]!.length)));
    const measured = f.members.filter((m) => !m.missing).length;
    out.push('', `${f.id}: ${f.title}`);
    for (const r of rows)
      out.push(
        `  ${r
          .map((cell, i) => (i === 0 ? cell.padEnd(widths[0]!) : r[2] === '' ? cell : cell.padStart(widths[i]!)))
          .join('  ')
          .trimEnd()}`,
      );
    out.push(`  ${spreadLine('wall ratio', f.wall, f.goal, measured)}`);
    out.push(`  ${spreadLine('CPU ratio', f.cpu, f.goal, measured)}`);
    if (measured < f.members.length)
      out.push(`  ${f.members.length - measured} of ${f.members.length} without figures`);
  }
  return out;
}
