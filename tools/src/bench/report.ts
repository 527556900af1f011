import { summarize, ratio, type Summary } from './stats.js';

/** One measured execution of a command. */
export interface Sample {
  wallMs: number;
  /** User + system CPU time of the command's process tree (the descendants that were waited for). */
  cpuMs: number;
  /** Peak resident set size of the largest process of the command's tree, KiB (getrusage). */
  maxRssKb: number;
}

/** One contender of a workload, as saved in the results JSON. */
export interface ContenderResult {
  id: string;
  label: string;
  /** The exact command line (for reproducing by hand). */
  command?: string;
  samples: Sample[];
  wall?: Summary;
  cpu?: Summary;
  rss?: Summary;
  /** median(this) / median(reference contender), wall time. */
  ratio?: number;
  /** The same for CPU time. */
  cpuRatio?: number;
  rssRatio?: number;
  /** Why it was not measured (a reference tool that could not be installed, a missing prerequisite). */
  skipped?: string;
  /** Why it stopped (the command failed: exit code and the tail of its output). */
  failed?: string;
  /** What the contender produced, checked after its runs (e.g. "55 packages", "pex 83 MiB"). */
  detail?: string;
}

export interface WorkloadResult {
  id: string;
  title: string;
  /** The contender the ratios are relative to. */
  reference: string;
  notes: string[];
  contenders: ContenderResult[];
  skipped?: string;
  /** os.loadavg() 1-minute figure when the workload started (the machine may be shared). */
  loadAverage?: number;
  /** Medians are also reported divided by this count (per project of a workspace). */
  perUnit?: { count: number; unit: string };
  /** One member of a family of like workloads (a set each), summarised together under the table. */
  family?: WorkloadFamily;
}

export interface WorkloadFamily {
  /** The family's id (the common prefix of its workloads' ids, e.g. `resolve-sets-cold`). */
  id: string;
  /** What the family measures, printed above its summary. */
  title: string;
  /** This workload's short name within the family (the set's id). */
  member: string;
  /** The ratio against the reference that the family is meant to stay within (an issue's goal). */
  goal?: number;
}

export interface ReferenceTool {
  name: string;
  /** The pinned version asked for. */
  version: string;
  installed: boolean;
  /** Why it could not be installed. */
  error?: string;
}

export interface BenchReport {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  host: {
    hostname: string;
    platform: string;
    arch: string;
    cpus: number;
    cpuModel: string;
    memoryBytes: number;
    node: string;
    python: string;
    /** os.loadavg() 1-minute figure when the run started and when it finished (other work on the machine skews timings). */
    loadAverage: { start: number; end: number };
  };
  options: {
    runs: number;
    warmup: number;
    quick: boolean;
    only: string[];
    torch: boolean;
    torchCuda: boolean;
    resolveSets?: boolean;
  };
  /** Where distributions came from (credentials stripped). */
  index: { indexUrl: string; extraIndexUrls: string[]; findLinks: string[]; noIndex: boolean };
  tools: ReferenceTool[];
  workloads: WorkloadResult[];
}

/** Fill in the statistics and ratios of a workload from its contenders' samples. */
export function finishWorkload(w: WorkloadResult): WorkloadResult {
  const contenders = w.contenders.map((c) => {
    const wall = summarize(c.samples.map((s) => s.wallMs));
    const cpu = summarize(c.samples.map((s) => s.cpuMs));
    const rss = summarize(c.samples.map((s) => s.maxRssKb));
    return { ...c, ...(wall ? { wall } : {}), ...(cpu ? { cpu } : {}), ...(rss ? { rss } : {}) };
  });
  const ref = contenders.find((c) => c.id === w.reference);
  return {
    ...w,
    contenders: contenders.map((c) => {
      const r = ratio(c.wall, ref?.wall);
      const cr = ratio(c.cpu, ref?.cpu);
      const rr = ratio(c.rss, ref?.rss);
      return {
        ...c,
        ...(r !== undefined ? { ratio: r } : {}),
        ...(cr !== undefined ? { cpuRatio: cr } : {}),
        ...(rr !== undefined ? { rssRatio: rr } : {}),
      };
    }),
  };
}

/** `bench/results/<YYYY-MM-DD>-<host>.json`: the date is UTC, the host name made file-safe. */
export function resultFileName(date: Date, hostname: string): string {
  const day = date.toISOString().slice(0, 10);
  const host =
    hostname
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'host';
  return `${day}-${host}.json`;
}

/** An index URL without its userinfo (credentials never go into results). */
export function stripCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** The shape check the smoke test and a results reader rely on; returns the problems found. */
export function validateReport(value: unknown): string[] {
  const problems: string[] = [];
  const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!obj(value)) return ['not an object'];
  if (value.schema !== 1) problems.push('schema must be 1');
  for (const k of ['startedAt', 'finishedAt']) if (typeof value[k] !== 'string') problems.push(`${k} must be a string`);
  if (!obj(value.host) || typeof value.host.hostname !== 'string') problems.push('host.hostname must be a string');
  if (!obj(value.options) || typeof value.options.runs !== 'number') problems.push('options.runs must be a number');
  if (!obj(value.index) || typeof value.index.indexUrl !== 'string') problems.push('index.indexUrl must be a string');
  if (!Array.isArray(value.tools)) problems.push('tools must be an array');
  if (!Array.isArray(value.workloads)) return [...problems, 'workloads must be an array'];
  value.workloads.forEach((w: unknown, i) => {
    if (!obj(w) || typeof w.id !== 'string' || typeof w.reference !== 'string' || !Array.isArray(w.contenders)) {
      problems.push(`workloads[${i}] needs id, reference and contenders`);
      return;
    }
    w.contenders.forEach((c: unknown, j) => {
      if (!obj(c) || typeof c.id !== 'string' || !Array.isArray(c.samples))
        problems.push(`workloads[${i}].contenders[${j}] needs id and samples`);
    });
  });
  return problems;
}
