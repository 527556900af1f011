import { parseArgs } from 'node:util';
import { REAL_WORLD_SETS } from './projects.js';

/** The family of the real-world sets' rows: `resolve-sets-<cold|warm>-<set id>`, one workload per set. */
export const RESOLVE_SETS = 'resolve-sets';
export type ResolveSetsId = `${typeof RESOLVE_SETS}-${'cold' | 'warm'}-${string}`;
const RESOLVE_SETS_IDS: ResolveSetsId[] = (['cold', 'warm'] as const).flatMap((t) =>
  REAL_WORLD_SETS.map((s): ResolveSetsId => `${RESOLVE_SETS}-${t}-${s.id}`),
);

const FIXED_IDS = [
  'cli-help',
  'build-cold',
  'build-noop',
  'build-change',
  'build-lock-noop',
  'build-lock-change',
  'start-warm',
  'start-first',
  'resolve-cold',
  'resolve-warm',
  'resolve-backtrack-cold',
  'resolve-backtrack-warm',
  'resolve-backtrack-relock',
  'resolve-universal-cold',
  'resolve-universal-warm',
  'scale-1-cached',
  'scale-30-cached',
  'scale-100-cached',
  'scale-1-cold',
  'scale-30-cold',
  'scale-100-cold',
  'torch-build',
  'torch-lock-noop',
  'torch-lock-change',
  'torch-start-warm',
  'torch-start-first',
] as const;
export type WorkloadId = (typeof FIXED_IDS)[number] | ResolveSetsId;

/** The workloads, in the order they run. `--only` takes ids or the group before the first '-'. */
export const WORKLOAD_IDS: readonly WorkloadId[] = [
  ...FIXED_IDS.slice(0, FIXED_IDS.indexOf('resolve-universal-warm') + 1),
  ...RESOLVE_SETS_IDS,
  ...FIXED_IDS.slice(FIXED_IDS.indexOf('resolve-universal-warm') + 1),
];

/**
 * Opt-in families, left out of the default run and of a broader group (`--only resolve` does not
 * pick the resolve-sets rows): they run with their flag, or when `--only` names the family or
 * something inside it. torch downloads ~1.1 GB; the real-world sets add 26 workloads (~7 minutes).
 */
const OPT_IN = ['torch', RESOLVE_SETS] as const;
const optInFamily = (id: string) => OPT_IN.find((f) => id === f || id.startsWith(`${f}-`));

export interface BenchOptions {
  runs: number;
  warmup: number;
  quick: boolean;
  /** As given (ids or groups); empty = the default set. */
  only: string[];
  /** The workloads selected, in run order. */
  workloads: WorkloadId[];
  torch: boolean;
  /** Add the resolve-sets rows (the real-world sets against uv) to the default run. */
  resolveSets: boolean;
  /** Torch with its nvidia-* CUDA wheels (importable, ~3 GB more); implies torch. */
  torchCuda: boolean;
  python: string;
  /** Where the results JSON goes (default bench/results under the repo). */
  resultsDir?: string;
  /** Keep the temporary directories (workspace, caches, venvs) for inspection. */
  keep: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --quick              2 counted runs, no warm-up: a smoke check of the harness
  --runs <n>           counted runs per contender (default 5, at least 1)
  --warmup <n>         warm-up rounds, not counted (default 1)
  --only <ids>         comma-separated workloads or groups: cli, build, start, resolve, scale, torch;
                       or a prefix of ids (build-lock, torch-lock, resolve-backtrack, resolve-universal,
                       resolve-sets, resolve-sets-cold, scale-30, …); or ids: ${FIXED_IDS.join(', ')},
                       ${RESOLVE_SETS}-<cold|warm>-<set> (sets: ${REAL_WORLD_SETS.map((s) => s.id).join(', ')})
  --torch              add the torch workloads (downloads ~1.1 GB of wheels once)
  --resolve-sets       add the real-world sets' resolution rows (resolve-sets-*, vs uv; ~7 minutes)
  --torch-cuda         torch with its nvidia-* CUDA wheels too (~4 GB), so the torch pex can start; the
                       torch-lock rows (a pylock.toml of torch names them) need it
  --python <exe>       the interpreter to build for and run with (default python3)
  --results-dir <dir>  where to write <date>-<host>.json (default bench/results)
  --keep               keep the temporary workspace, caches and venvs
  -h, --help           this text`;

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

function count(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new BenchUsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

/**
 * Which workloads run. Without `--only`: all but the opt-in families whose flag is off. `--only`
 * names ids or prefixes (a group selects every id that starts with it); an opt-in family's ids are
 * picked only by a name inside that family, or by any matching name when its flag is on.
 */
export function selectWorkloads(
  only: readonly string[],
  optIn: { torch: boolean; resolveSets: boolean },
): WorkloadId[] {
  const enabled = (family: (typeof OPT_IN)[number]) => (family === 'torch' ? optIn.torch : optIn.resolveSets);
  const byDefault = (id: WorkloadId) => {
    const family = optInFamily(id);
    return !family || enabled(family);
  };
  if (only.length === 0) return WORKLOAD_IDS.filter(byDefault);
  const picked = new Set<WorkloadId>();
  for (const name of only) {
    const named = WORKLOAD_IDS.filter((id) => id === name || id.startsWith(`${name}-`));
    if (named.length === 0)
      throw new BenchUsageError(
        `--only: unknown workload "${name}" (known: ${FIXED_IDS.join(', ')}, ${RESOLVE_SETS_IDS.join(', ')})`,
      );
    named.filter((id) => byDefault(id) || optInFamily(name) === optInFamily(id)).forEach((m) => picked.add(m));
  }
  return WORKLOAD_IDS.filter((id) => picked.has(id));
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        runs: { type: 'string' },
        warmup: { type: 'string' },
        only: { type: 'string', multiple: true },
        torch: { type: 'boolean', default: false },
        'resolve-sets': { type: 'boolean', default: false },
        'torch-cuda': { type: 'boolean', default: false },
        python: { type: 'string' },
        'results-dir': { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    throw new BenchUsageError((e as Error).message);
  }
  const quick = values.quick === true;
  const only = (values.only ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const torchCuda = values['torch-cuda'] === true;
  const torch = values.torch === true || torchCuda || only.some((o) => o.startsWith('torch'));
  const resolveSets = values['resolve-sets'] === true;
  return {
    runs: count(values.runs, 'runs', quick ? 2 : 5, 1),
    warmup: count(values.warmup, 'warmup', quick ? 0 : 1, 0),
    quick,
    only,
    workloads: selectWorkloads(only, { torch, resolveSets }),
    torch,
    resolveSets,
    torchCuda,
    python: values.python ?? 'python3',
    ...(values['results-dir'] ? { resultsDir: values['results-dir'] } : {}),
    keep: values.keep === true,
    help: values.help === true,
  };
}
