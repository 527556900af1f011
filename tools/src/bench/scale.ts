// The scale workloads: generated workspaces of 1, 30 and 100 small Python apps, with one shared
// workspace lock or a lock per project, built by `nx run-many -t build`.
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { WorkloadId } from './args.js';
import { nxEnv, paths, type BenchContext } from './context.js';
import { runStep } from './measure.js';
import { SCALE_PINS, writeScaleWorkspace } from './projects.js';
import type { Contender, Workload } from './runner.js';

type LockMode = 'shared' | 'per-project';

/** Parallel `nx-pex lock` processes while preparing the per-project locks (untimed). */
const LOCK_CONCURRENCY = 4;

/** The scale workspaces, written and locked once per (size, lock mode) and shared by the cached and cold workloads. */
export class ScaleWorkspaces {
  private readonly prepared = new Map<string, Promise<string>>();
  constructor(private readonly ctx: BenchContext) {}

  /** The workspace directory: beside the service workspace (not inside it: Nx would see its projects). */
  workspace(count: number, mode: LockMode): Promise<string> {
    const key = `${count}-${mode}`;
    let pending = this.prepared.get(key);
    if (!pending) {
      pending = this.prepare(count, mode, join(dirname(this.ctx.workspaceDir), `scale-${key}`));
      this.prepared.set(key, pending);
    }
    return pending;
  }

  private async prepare(count: number, mode: LockMode, ws: string): Promise<string> {
    const { ctx } = this;
    ctx.progress(
      `  writing a workspace of ${count} projects and ${mode === 'shared' ? 'its shared pylock.toml' : `${count} pylock.toml files`} (nx-pex lock)`,
    );
    const roots = await writeScaleWorkspace(ws, count);
    const lock = (root: string, extra: string[]) =>
      runStep(
        {
          argv: [ctx.node, paths(ctx).nxPexCli, 'lock', root, '--python', ctx.python, ...extra],
          cwd: ws,
          env: { NX_PEX_CACHE_DIR: join(ctx.runDir, 'lock-cache') },
        },
        ctx.logPath,
      );
    if (mode === 'shared') {
      await lock(roots[0]!, ['--workspace']);
    } else {
      let next = 0;
      const worker = async () => {
        while (next < roots.length) await lock(roots[next++]!, []);
      };
      await Promise.all(Array.from({ length: Math.min(LOCK_CONCURRENCY, roots.length) }, worker));
    }
    return ws;
  }
}

const SIZES: Record<string, number> = { 'scale-1': 1, 'scale-30': 30, 'scale-100': 100 };

/** Counted runs of the long ones (a cold build of 100 projects takes minutes); the small ones use --runs. */
const MAX_RUNS: Record<string, number | undefined> = {
  'scale-30-cached': 3,
  'scale-100-cached': 3,
  'scale-30-cold': 2,
  'scale-100-cold': 1,
};

export async function scaleWorkload(ctx: BenchContext, workspaces: ScaleWorkspaces, id: WorkloadId): Promise<Workload> {
  const cold = id.endsWith('-cold');
  const count = SIZES[id.replace(/-(cached|cold)$/, '')]!;
  const dir = join(ctx.runDir, id);
  await mkdir(dir, { recursive: true });
  const contender = async (mode: LockMode): Promise<Contender> => {
    const ws = await workspaces.workspace(count, mode);
    const cache = join(dir, `${mode}-cache`);
    return {
      id: mode,
      label: mode === 'shared' ? 'one workspace pylock.toml' : 'a pylock.toml per project',
      ...(cold ? { before: async () => rm(cache, { recursive: true, force: true }) } : {}),
      command: () => ({
        argv: [
          ctx.node,
          paths(ctx).nx,
          'run-many',
          '-t',
          'build',
          '--outputStyle=static',
          `--python=${ctx.python}`,
          ...(cold ? ['--skip-nx-cache'] : []),
        ],
        cwd: ws,
        env: nxEnv(cache),
        timeoutMs: 60 * 60_000,
      }),
    };
  };
  const maxRuns = MAX_RUNS[id];
  return {
    id,
    title: `${count} Python project${count === 1 ? '' : 's'}, nx run-many -t build: ${cold ? 'cold (empty Nx and nx-pex caches)' : 'fully cached (every task an Nx cache hit)'}; shared workspace lock vs per-project locks`,
    reference: 'per-project',
    prime: !cold,
    ...(maxRuns !== undefined ? { maxRuns } : {}),
    perUnit: { count, unit: 'project' },
    notes: [
      `generated workspace: ${count} app${count === 1 ? '' : 's'}, each a module importing 2–4 of ${SCALE_PINS.map((p) => p.split('==')[0]).join(', ')} (pinned as in the flask set); the same projects locked two ways: one pylock.toml at the workspace root (nx-pex lock --workspace), or one per project`,
      cold
        ? "every run: a fresh NX_PEX_CACHE_DIR and --skip-nx-cache, so every project is built and its wheels downloaded (network time included); Nx's default parallelism"
        : 'Nx cache warm from the warm-up run, nothing changed: the time is Nx computing the project graph and task hashes (nx-pex createNodes and its lock-hash input) and restoring outputs',
      "NX_DAEMON=false: a daemon's CPU would not be counted in the command's process tree",
    ],
    contenders: [await contender('shared'), await contender('per-project')],
  };
}
