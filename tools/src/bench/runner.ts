import type { ContenderResult, WorkloadFamily, WorkloadResult } from './report.js';
import { logTail, measure, type Command } from './measure.js';

export interface Contender {
  id: string;
  label: string;
  /** Built per run: a run may need a fresh cache directory. */
  command: (run: number) => Command;
  /** Untimed, before each run (empty a cache, edit a source file). */
  before?: (run: number) => Promise<void>;
  /** Untimed, after the last run: what the contender produced, for the report. */
  describe?: () => Promise<string | undefined>;
  /** Set when the contender cannot run at all (its tool is not installed). */
  skipped?: string;
}

export interface Workload {
  id: string;
  title: string;
  reference: string;
  notes: string[];
  contenders: Contender[];
  /** Warm every contender's caches before the counted runs: the warm-up round does it, else (--warmup 0) one untimed run each. */
  prime?: boolean;
  /** At most this many counted runs and no warm-up round (workloads that take minutes per run). */
  maxRuns?: number;
  /** The figures divided by this count are printed too (e.g. per project of a workspace). */
  perUnit?: { count: number; unit: string };
  /** Summarised with the other workloads of its family (see report.ts). */
  family?: WorkloadFamily;
}

export interface RunSettings {
  runs: number;
  warmup: number;
  python: string;
  logPath: string;
  progress: (line: string) => void;
}

/**
 * Round r runs every contender once; the order rotates each round so that no contender always
 * goes first (or always right after another). Rounds before `warmup` are not counted. A failing
 * contender is reported with its output's tail and left out of later rounds.
 */
export async function runWorkload(w: Workload, s: RunSettings): Promise<WorkloadResult> {
  const results = new Map<string, ContenderResult>(
    w.contenders.map((c) => [
      c.id,
      { id: c.id, label: c.label, samples: [], ...(c.skipped ? { skipped: c.skipped } : {}) },
    ]),
  );
  const active = w.contenders.filter((c) => !c.skipped);
  const warmup = w.maxRuns === undefined ? s.warmup : 0;
  const runs = w.maxRuns === undefined ? s.runs : Math.min(s.runs, w.maxRuns);
  if (w.prime && warmup === 0) {
    for (const c of active) {
      const res = results.get(c.id)!;
      try {
        await c.before?.(-1);
        const m = await measure(s.python, c.command(-1), s.logPath);
        if (m.exitCode !== 0) res.failed = `exit code ${m.exitCode} (priming run): ${await logTail(s.logPath)}`;
        s.progress(
          `  ${w.id} priming ${c.label}: ${m.exitCode === 0 ? `${(m.wallMs / 1000).toFixed(2)} s` : 'FAILED'}`,
        );
      } catch (e) {
        res.failed = (e as Error).message;
      }
    }
  }
  const rounds = warmup + runs;
  for (let round = 0; round < rounds; round++) {
    const live = active.filter((c) => !results.get(c.id)!.failed);
    const order = live.map((_, i) => live[(i + round) % live.length]!);
    for (const c of order) {
      const res = results.get(c.id)!;
      const counted = round >= warmup;
      try {
        await c.before?.(round);
        const cmd = c.command(round);
        res.command ??= cmd.argv.join(' ');
        const m = await measure(s.python, cmd, s.logPath);
        if (m.exitCode !== 0) {
          res.failed = `exit code ${m.exitCode}: ${await logTail(s.logPath)}`;
        } else if (counted) {
          res.samples.push({ wallMs: m.wallMs, cpuMs: m.cpuMs, maxRssKb: m.maxRssKb });
        }
        s.progress(
          `  ${w.id} ${counted ? `run ${round - warmup + 1}/${runs}` : 'warm-up'} ${c.label}: ${m.exitCode === 0 ? `${(m.wallMs / 1000).toFixed(2)} s, ${(m.cpuMs / 1000).toFixed(2)} s CPU, ${Math.round(m.maxRssKb / 1024)} MiB` : 'FAILED'}`,
        );
      } catch (e) {
        res.failed = (e as Error).message;
        s.progress(`  ${w.id} ${c.label}: FAILED: ${res.failed}`);
      }
    }
  }
  for (const c of active) {
    const res = results.get(c.id)!;
    if (res.failed || !c.describe) continue;
    try {
      const d = await c.describe();
      if (d) res.detail = d;
    } catch (e) {
      res.detail = `(could not describe the output: ${(e as Error).message})`;
    }
  }
  return {
    id: w.id,
    title: w.title,
    reference: w.reference,
    notes: w.notes,
    ...(w.perUnit ? { perUnit: w.perUnit } : {}),
    ...(w.family ? { family: w.family } : {}),
    contenders: w.contenders.map((c) => results.get(c.id)!),
  };
}
