import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RESOLVE_SETS, type ResolveSetsId, type WorkloadId } from './args.js';
import { nxEnv, paths, type BenchContext } from './context.js';
import { pexIndexFlags, pipIndexFlags, uvIndexFlags } from './index-flags.js';
import { runStep, type Command } from './measure.js';
import {
  BACKTRACK_SET,
  buildInfoFile,
  FLASK_PINS,
  lockPackageCount,
  type LockedApp,
  REAL_WORLD_SETS,
  RESOLVE_SET,
  SERVICE_MODULE,
  SERVICE_PROJECT,
  SERVICE_ROOT,
  TORCH_APP_MAIN,
  TORCH_NON_NVIDIA_DEPS,
  TORCH_VERSION,
  writeServiceWorkspace,
  writeTorchLockedApp,
} from './projects.js';
import type { Contender, Workload } from './runner.js';
import type { ResolveSpec } from './worker.js';
import { scaleWorkload, ScaleWorkspaces } from './scale.js';
import { formatKib } from './stats.js';

const fresh = async (dir: string) => {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
};

/** A contender of a reference tool that may not have been installed. */
const needs = (exe: string | undefined, name: string): { skipped?: string } =>
  exe ? {} : { skipped: `${name} could not be installed at its pinned version (see reference tools)` };

const sizeOf = async (file: string) => `${formatKib(Math.round((await stat(file)).size / 1024))} written`;

/** The id prefix of each set built from a pylock.toml: the flask service (default set) and torch (opt-in). */
export type LockedSet = 'build-lock' | 'torch-lock';

/** Shared, lazily prepared pieces (the service workspace, the locks, built pexes, the torch wheels). */
export class Preparations {
  private service?: ReturnType<typeof writeServiceWorkspace>;
  private readonly locks = new Map<LockedSet, Promise<LockedApp>>();
  private startArtifacts?: Promise<StartArtifacts>;
  private torch?: Promise<TorchWheels>;
  private torchStart?: Promise<StartArtifacts>;
  readonly scale: ScaleWorkspaces;
  constructor(private readonly ctx: BenchContext) {
    this.scale = new ScaleWorkspaces(ctx);
  }

  serviceWorkspace() {
    this.service ??= writeServiceWorkspace(this.ctx.workspaceDir);
    return this.service;
  }

  /** The set's app with its pylock.toml, written once by `nx-pex lock` (the resolver, not timed). */
  lockedApp(set: LockedSet) {
    let app = this.locks.get(set);
    if (!app) {
      app = this.writeLock(set);
      this.locks.set(set, app);
    }
    return app;
  }

  private async writeLock(set: LockedSet): Promise<LockedApp> {
    const { locked } = await this.serviceWorkspace();
    const app = set === 'torch-lock' ? await writeTorchLockedApp(this.ctx.workspaceDir) : locked;
    this.ctx.progress(`  writing ${app.root}/pylock.toml with nx-pex lock`);
    await runStep(
      {
        argv: [this.ctx.node, paths(this.ctx).nxPexCli, 'lock', app.root, '--python', this.ctx.python],
        cwd: this.ctx.workspaceDir,
        env: { NX_PEX_CACHE_DIR: join(this.ctx.runDir, 'lock-cache') },
      },
      this.ctx.logPath,
    );
    return app;
  }

  flaskStart() {
    this.startArtifacts ??= prepareFlaskStart(this.ctx, this);
    return this.startArtifacts;
  }

  torchWheels() {
    this.torch ??= downloadTorch(this.ctx);
    return this.torch;
  }

  torchStartArtifacts() {
    this.torchStart ??= prepareTorchStart(this.ctx, this);
    return this.torchStart;
  }
}

// ---------------------------------------------------------------- builds: flask+requests (1, 2), torch with a lock

/** What a build row builds: a project of the service workspace, from its pylock.toml or (pex) its pinned requirements. */
interface BuildApp extends Omit<LockedApp, 'lockFile'> {
  lockFile?: string;
  /** pex's input when there is no lock. */
  requirementsFile?: string;
}

interface BuildVariant {
  /** Fresh caches before each run. */
  cold: boolean;
  /** Rewrite one source file before each run. */
  change: boolean;
  /** Add the `nx build` contenders (else only the nx-pex CLI against pex). */
  nx: boolean;
  /** Add the Nx-cache-hit contender. */
  nxCacheHit: boolean;
  /** Where the contenders' caches live (shared by the workloads of one set, so a big set is downloaded once per tool). */
  cacheDir: string;
  /** Per run (default 30 minutes: a priming run of the torch set downloads ~4 GB). */
  timeoutMs?: number;
  /** More arguments for pex. */
  pexArgs?: string[];
}

function buildContenders(ctx: BenchContext, app: BuildApp, v: BuildVariant, tag: string): Contender[] {
  const lockNote = app.lockFile ? ', pylock.toml' : '';
  const p = paths(ctx);
  const dir = join(ctx.runDir, tag);
  const ws = ctx.workspaceDir;
  const timeout = v.timeoutMs === undefined ? {} : { timeoutMs: v.timeoutMs };
  const cache = (who: string) => join(v.cacheDir, `${who}-cache`);
  const before = (who: string) => async (run: number) => {
    if (v.cold) await fresh(cache(who));
    if (v.change) await writeFile(buildInfoFile(app.srcDir, app.module), `BUILD = "${tag}-${who}-${run}"\n`);
  };
  const nxOut = join(ws, 'dist', app.root, `${app.project}.pex`);
  const nxArgs = [p.nx, 'build', app.project, '--outputStyle=static', `--python=${ctx.python}`];
  const cliOut = join(dir, 'nx-pex-cli', `${app.project}.pex`);
  const pexOut = join(dir, 'pex', `${app.project}.pex`);
  const contenders: Contender[] = [
    {
      id: 'nx-pex',
      label: `nx-pex CLI (buildProjectPex${lockNote})`,
      before: before('nx-pex'),
      command: () => ({
        argv: [ctx.node, p.nxPexCli, 'build', app.root, '--python', ctx.python, '--output', cliOut],
        cwd: ws,
        env: { NX_PEX_CACHE_DIR: cache('nx-pex') },
        ...timeout,
      }),
      describe: () => sizeOf(cliOut),
    },
  ];
  if (v.nx) {
    contenders.push({
      id: 'nx-build',
      label: `nx build --skip-nx-cache${app.lockFile ? ' (pylock.toml)' : ''}`,
      before: before('nx-build'),
      command: () => ({ argv: [ctx.node, ...nxArgs, '--skip-nx-cache'], cwd: ws, env: nxEnv(cache('nx-build')) }),
      describe: () => sizeOf(nxOut),
    });
  }
  if (v.nx && v.nxCacheHit) {
    contenders.push({
      id: 'nx-cache-hit',
      label: 'nx build (Nx cache hit)',
      command: () => ({ argv: [ctx.node, ...nxArgs], cwd: ws, env: nxEnv(cache('nx-build')) }),
    });
  }
  const pex = ctx.tools.pex;
  // pex's best configuration for each: from the same pylock.toml (no pip, no index pages), else the pins.
  const inputs = app.lockFile ? ['--pylock', app.lockFile] : ['-r', app.requirementsFile!, ...pexIndexFlags(ctx.index)];
  contenders.push({
    id: 'pex',
    label: app.lockFile ? 'pex --pylock' : 'pex CLI',
    ...needs(pex, 'pex'),
    before: before('pex'),
    command: () => ({
      argv: [
        pex ?? 'pex',
        ...inputs,
        '-D',
        app.srcDir,
        '-m',
        app.module,
        '-o',
        pexOut,
        '--pex-root',
        cache('pex'),
        '--python-shebang',
        '#!/usr/bin/env python3',
        ...(v.pexArgs ?? []),
      ],
      cwd: ws,
      ...timeout,
    }),
    describe: () => sizeOf(pexOut),
  });
  return contenders;
}

const SERVICE_NOTE = `flask+requests service: ${FLASK_PINS.length} pinned requirements (${FLASK_PINS.slice(0, 2).join(', ')} and their dependencies), the same list and index for every contender; the project has no pylock.toml, so nx-pex resolves the pins on every build`;

async function buildWorkload(ctx: BenchContext, prep: Preparations, id: WorkloadId): Promise<Workload> {
  const service = await prep.serviceWorkspace();
  const app: BuildApp = {
    project: SERVICE_PROJECT,
    root: SERVICE_ROOT,
    srcDir: service.srcDir,
    module: SERVICE_MODULE,
    requirementsFile: service.requirementsFile,
  };
  const variant = { cold: false, change: false, nx: true, nxCacheHit: false, cacheDir: join(ctx.runDir, id) };
  if (id === 'build-cold') {
    return {
      id,
      title: 'flask+requests: cold build (empty caches)',
      reference: 'pex',
      prime: false,
      notes: [
        SERVICE_NOTE,
        'a fresh NX_PEX_CACHE_DIR / PEX_ROOT before every run and --skip-nx-cache: every run downloads the wheels from the index (network time included)',
      ],
      contenders: buildContenders(ctx, app, { ...variant, cold: true }, id),
    };
  }
  if (id === 'build-noop') {
    return {
      id,
      title: 'flask+requests: no-op rebuild (warm caches, nothing changed)',
      reference: 'pex',
      prime: true,
      notes: [
        'warm NX_PEX_CACHE_DIR / PEX_ROOT; without a lock nx-pex and pex both re-read the index pages of the pins; the Nx cache hit restores the pex from .nx/cache',
      ],
      contenders: buildContenders(ctx, app, { ...variant, nxCacheHit: true }, id),
    };
  }
  return {
    id,
    title: 'flask+requests: rebuild after one source file changed',
    reference: 'pex',
    prime: true,
    notes: [`${SERVICE_MODULE}/build_info.py rewritten (untimed) before every run; warm caches`],
    contenders: buildContenders(ctx, app, { ...variant, change: true }, id),
  };
}

/**
 * pex's pip for the torch lock's downloads. With its default (vendored pip 20.3.4-patched) pex checks
 * each artifact's Requires-Python against every Python the lock's top-level requires-python admits
 * (>=3.10, the project's), and refuses filelock, networkx and triton (>=3.11); pip 26.2 fetches them.
 * Only the priming run downloads: with a warm PEX_ROOT pex runs no pip at all.
 */
const TORCH_LOCK_PEX_PIP = ['--pip-version', '26.2'];

/** The torch-lock rows need the nvidia-* wheels: a lock of the public index's Linux torch names them. */
const TORCH_LOCK_NEEDS_CUDA =
  "a lock of the public index's Linux torch names its nvidia-* CUDA wheels (~3 GB more); run with --torch-cuda to include them";

/**
 * `build-lock-*` (the flask service) and `torch-lock-*` (an app depending on torch): an Nx-less
 * build from the app's pylock.toml against `pex --pylock` of the same file with a warm PEX_ROOT,
 * with nothing changed (`-noop`) or one source file rewritten before every run (`-change`).
 */
async function lockedBuildWorkload(
  ctx: BenchContext,
  prep: Preparations,
  set: LockedSet,
  id: WorkloadId,
): Promise<Workload> {
  const torch = set === 'torch-lock';
  if (torch && !ctx.torchCuda) throw new SkipWorkload(TORCH_LOCK_NEEDS_CUDA);
  const app = await prep.lockedApp(set);
  const change = id.endsWith('-change');
  const packages = lockPackageCount(await readFile(app.lockFile, 'utf8'));
  const what = torch ? `torch ${TORCH_VERSION}` : 'flask+requests';
  // The flask rows add nx build (the cache hit only when nothing changed); torch's compare the CLI and pex only.
  const variant: BuildVariant = {
    cold: false,
    change,
    nx: !torch,
    nxCacheHit: !torch && !change,
    cacheDir: join(ctx.runDir, `${set}-caches`),
    ...(torch ? { timeoutMs: 2 * 60 * 60_000, pexArgs: TORCH_LOCK_PEX_PIP } : {}),
  };
  return {
    id,
    title: `${what} with pylock.toml: ${change ? 'rebuild after one source file changed' : 'no-op rebuild (nothing changed)'}, vs pex --pylock`,
    reference: 'pex',
    prime: true,
    notes: [
      `${torch ? `an app depending on torch==${TORCH_VERSION} (the public index's Linux x86_64 build, nvidia-* CUDA wheels included)` : 'flask+requests service'} with a pylock.toml written once by nx-pex lock (${packages} packages): nx-pex builds from it without resolving, pex reads the same file with --pylock (pex's fastest way to build a known set: no pip resolve, no index pages); warm NX_PEX_CACHE_DIR / PEX_ROOT, shared by the ${set} rows`,
      change
        ? `${app.module}/build_info.py rewritten (untimed) before every run`
        : `nothing changed between runs${torch ? '' : '; the Nx cache hit restores the pex from .nx/cache'}`,
      ...(torch
        ? [
            `pex runs with ${TORCH_LOCK_PEX_PIP.join(' ')}: its default pip refuses this lock (packages requiring a newer Python than the lock's requires-python); only the priming run fetches, see bench/README.md`,
          ]
        : []),
    ],
    contenders: buildContenders(ctx, app, variant, id),
  };
}

// ---------------------------------------------------------------- start-up (4)

interface StartArtifacts {
  nxPex: string;
  pexZipapp?: string;
  pexVenv?: string;
  venvPython: string;
  /** Where `python -m <module>` finds the code in the plain venv. */
  venvCwd: string;
  module: string;
  skipped: Record<string, string>;
}

/**
 * The four things the start-up workloads run: the nx-pex pex (built by `buildNxPex`), pex's zipapp
 * and --venv pexes of the same requirements and code (`pexArgs`), and a plain venv (`venvInstall`:
 * pip install arguments) that runs the code from `venvCwd` with `python -m <module>`.
 */
async function prepareStartSet(
  ctx: BenchContext,
  dir: string,
  s: {
    buildNxPex: (output: string) => Command;
    pexArgs: string[];
    venvInstall: string[];
    venvCwd: string;
    module: string;
  },
): Promise<StartArtifacts> {
  await mkdir(dir, { recursive: true });
  const nxPex = join(dir, 'nx-pex.pex');
  await runStep(s.buildNxPex(nxPex), ctx.logPath);
  const skipped: Record<string, string> = {};
  const out: StartArtifacts = {
    nxPex,
    venvPython: join(dir, 'venv', 'bin', 'python'),
    venvCwd: s.venvCwd,
    module: s.module,
    skipped,
  };
  if (ctx.tools.pex) {
    const common = [...s.pexArgs, '-m', s.module, '--pex-root', join(dir, 'pex-build-root')];
    out.pexZipapp = join(dir, 'pex-zipapp.pex');
    out.pexVenv = join(dir, 'pex-venv.pex');
    await runStep(
      { argv: [ctx.tools.pex, ...common, '-o', out.pexZipapp], cwd: dir, timeoutMs: 60 * 60_000 },
      ctx.logPath,
    );
    await runStep(
      { argv: [ctx.tools.pex, ...common, '--venv', '-o', out.pexVenv], cwd: dir, timeoutMs: 60 * 60_000 },
      ctx.logPath,
    );
  } else {
    skipped['pex-zipapp'] = skipped['pex-venv'] = needs(undefined, 'pex').skipped!;
  }
  await runStep({ argv: [ctx.python, '-m', 'venv', join(dir, 'venv')], cwd: dir }, ctx.logPath);
  await runStep(
    { argv: [out.venvPython, '-m', 'pip', 'install', '-q', '--disable-pip-version-check', ...s.venvInstall], cwd: dir },
    ctx.logPath,
  );
  return out;
}

async function prepareFlaskStart(ctx: BenchContext, prep: Preparations): Promise<StartArtifacts> {
  const { srcDir, requirementsFile } = await prep.serviceWorkspace();
  await writeFile(buildInfoFile(srcDir), 'BUILD = "start"\n');
  const dir = join(ctx.runDir, 'start');
  ctx.progress('  building the flask pexes and the plain venv for the start-up workloads');
  return prepareStartSet(ctx, dir, {
    buildNxPex: (output) => ({
      argv: [ctx.node, paths(ctx).nxPexCli, 'build', SERVICE_ROOT, '--python', ctx.python, '--output', output],
      cwd: ctx.workspaceDir,
      env: { NX_PEX_CACHE_DIR: join(dir, 'nx-pex-cache') },
    }),
    pexArgs: ['-r', requirementsFile, '-D', srcDir, ...pexIndexFlags(ctx.index)],
    venvInstall: ['-r', requirementsFile, ...pipIndexFlags(ctx.index)],
    venvCwd: srcDir,
    module: SERVICE_MODULE,
  });
}

function startContenders(ctx: BenchContext, a: StartArtifacts, tag: string, first: boolean): Contender[] {
  const root = (who: string) => join(ctx.runDir, tag, `${who}-pex-root`);
  const before = (who: string) => async () => {
    if (first) await fresh(root(who));
  };
  const pexRun = (id: string, label: string, file: string | undefined): Contender => ({
    id,
    label,
    ...(file ? {} : { skipped: a.skipped[id] ?? 'not built' }),
    before: before(id),
    command: (): Command => ({ argv: [ctx.python, file ?? '-'], cwd: ctx.runDir, env: { PEX_ROOT: root(id) } }),
  });
  return [
    pexRun('nx-pex', 'nx-pex pex', a.nxPex),
    pexRun('pex-zipapp', 'pex (zipapp)', a.pexZipapp),
    pexRun('pex-venv', 'pex --venv', a.pexVenv),
    {
      id: 'venv',
      label: `plain venv (python -m ${a.module})`,
      command: () => ({ argv: [a.venvPython, '-m', a.module], cwd: a.venvCwd }),
    },
  ];
}

async function startWorkload(ctx: BenchContext, prep: Preparations, id: WorkloadId): Promise<Workload> {
  const torch = id.startsWith('torch');
  const first = id.endsWith('first');
  const a = torch ? await prep.torchStartArtifacts() : await prep.flaskStart();
  const what = torch
    ? `torch ${TORCH_VERSION}: import torch, one tensor sum`
    : "flask+requests service: import both, one request through flask's test client";
  return {
    id,
    title: `${torch ? 'torch' : 'flask+requests'}: ${first ? 'first run (empty PEX_ROOT)' : 'warm start'}`,
    reference: first ? 'pex-zipapp' : 'venv',
    prime: !first,
    notes: [
      `${what}; every contender runs the same code on ${ctx.python.split('/').pop()} ${ctx.pythonVersion}`,
      first
        ? 'PEX_ROOT emptied before every run (extraction, and for pex --venv the venv creation, are timed); the plain venv is already installed (shown for scale)'
        : 'PEX_ROOT already populated; the plain venv is the floor nx-pex aims to be within a few ms of',
    ],
    contenders: startContenders(ctx, a, id, first),
  };
}

// ---------------------------------------------------------------- resolution (5)

/** The lowest Python of the universal rows: both tools lock every CPython minor from it up. */
const UNIVERSAL_PYTHON = '3.10';

/**
 * Issue 15's goal for resolution: at most 2× uv, cold and warm, on every real-world set (the
 * resolve-sets summary names the sets above it).
 */
const RESOLVE_GOAL_VS_UV = 2;

/** The resolver, pip and uv contenders resolving `set` in `dir`: caches emptied before each run when cold. */
async function resolveContenders(
  ctx: BenchContext,
  dir: string,
  set: readonly string[],
  o: { cold: boolean; universal: boolean; relock?: boolean },
): Promise<{ resolver: Contender; pip: Contender; uv: Contender }> {
  await mkdir(dir, { recursive: true });
  const reqs = join(dir, 'requirements.in');
  await writeFile(reqs, set.join('\n') + '\n');
  const cache = (who: string) => join(dir, `${who}-cache`);
  const out = (who: string) => join(dir, `${who}-out.txt`);
  // Every run starts without the previous run's output: `uv pip compile -o <file>` prefers the
  // versions an existing output file pins (as `nx-pex lock` does those of an existing pylock.toml),
  // so a kept file would turn each run after the first into a re-lock that skips the walk. A
  // re-lock row keeps it on purpose, and gives the resolver its previous lock the same way.
  const before = (who: string) => async () => {
    if (!o.relock) await rm(out(who), { force: true });
    if (o.cold) await fresh(cache(who));
  };
  const specPath = join(dir, 'resolver-spec.json');
  const spec: ResolveSpec = {
    requirements: [...set],
    python: ctx.python,
    out: out('resolver'),
    ...(o.universal ? { universal: { requiresPython: `>=${UNIVERSAL_PYTHON}` } } : {}),
    ...(o.relock ? { lock: join(dir, 'resolver-pylock.toml') } : {}),
  };
  await writeFile(specPath, JSON.stringify(spec));
  const { pip, uv } = ctx.tools;
  const count = (n: number) => `${n} packages resolved`;
  return {
    resolver: {
      id: 'resolver',
      label: o.universal ? '@nx-pex/resolver resolveLock (universal)' : '@nx-pex/resolver resolveLock',
      before: before('resolver'),
      command: () => ({
        argv: [ctx.node, paths(ctx).worker, 'resolve', specPath],
        cwd: dir,
        env: { NX_PEX_CACHE_DIR: cache('resolver') },
      }),
      describe: async () => count((JSON.parse(await readFile(out('resolver'), 'utf8')) as string[]).length),
    },
    pip: {
      id: 'pip',
      label: `pip install --dry-run --report`,
      ...needs(pip, 'pip'),
      before: before('pip'),
      command: () => ({
        argv: [
          pip ?? 'pip',
          '-m',
          'pip',
          'install',
          '--dry-run',
          '--ignore-installed',
          '--only-binary=:all:',
          '--quiet',
          '--disable-pip-version-check',
          '--report',
          out('pip'),
          '--cache-dir',
          cache('pip'),
          '-r',
          reqs,
          ...pipIndexFlags(ctx.index),
        ],
        cwd: dir,
      }),
      describe: async () =>
        count((JSON.parse(await readFile(out('pip'), 'utf8')) as { install: unknown[] }).install.length),
    },
    uv: {
      id: 'uv',
      label: o.universal ? 'uv pip compile --universal' : 'uv pip compile',
      ...needs(uv, 'uv'),
      before: before('uv'),
      command: () => ({
        argv: [
          uv ?? 'uv',
          'pip',
          'compile',
          reqs,
          '-o',
          out('uv'),
          '--quiet',
          '--no-config',
          '--no-header',
          '--only-binary',
          ':all:',
          '--python',
          ctx.python,
          ...(o.universal ? ['--universal', '--python-version', UNIVERSAL_PYTHON] : []),
          '--cache-dir',
          cache('uv'),
          ...uvIndexFlags(ctx.index),
        ],
        cwd: dir,
      }),
      // A universal output lists a package once per version (with its marker).
      describe: async () =>
        count((await readFile(out('uv'), 'utf8')).split('\n').filter((l) => /^[A-Za-z0-9].*==/.test(l)).length),
    },
  };
}

const resolveCaches = (cold: boolean) => (cold ? 'cold (empty caches)' : 'warm caches');

const RESOLUTION_ONLY_NOTE =
  'resolution only: nx-pex = resolveLock (metadata via PEP 658 / range requests, no wheel downloads), pip = install --dry-run --report, uv = pip compile; every run starts without the previous output file (uv pip compile would prefer the versions an existing -o file pins)';

/**
 * `resolve-backtrack-relock`: the backtracking set locked again with the previous result kept, warm
 * caches — what re-running `nx-pex lock` on a project with a pylock.toml, or `uv pip compile -o` on
 * an existing file, does: both prefer the versions already pinned, so neither walks boto3 again.
 */
async function relockWorkload(ctx: BenchContext, id: WorkloadId): Promise<Workload> {
  const c = await resolveContenders(ctx, join(ctx.runDir, id), BACKTRACK_SET, {
    cold: false,
    universal: false,
    relock: true,
  });
  return {
    id,
    title: `re-locking the backtracking-heavy set (${BACKTRACK_SET.join(' + ')}) with the previous result kept, warm caches, vs uv`,
    reference: 'uv',
    prime: true,
    notes: [
      `set: ${BACKTRACK_SET.join(' ')}; for CPython ${ctx.pythonVersion} on this platform, wheels only (--only-binary :all: for uv)`,
      "nx-pex = resolveLock preferring the versions of the previous run's pylock.toml (as `nx-pex lock` does with the project's lock), then writing it; uv = pip compile -o onto the previous run's output file (uv prefers the versions it pins); pip has no such mode",
    ],
    contenders: [c.resolver, c.uv],
  };
}

async function resolveWorkload(ctx: BenchContext, id: WorkloadId): Promise<Workload> {
  const cold = id.endsWith('-cold');
  const backtrack = id.startsWith('resolve-backtrack');
  const universal = id.startsWith('resolve-universal');
  const set = backtrack ? BACKTRACK_SET : RESOLVE_SET;
  const c = await resolveContenders(ctx, join(ctx.runDir, id), set, { cold, universal });
  const caches = resolveCaches(cold);
  return {
    id,
    title: universal
      ? `universal resolution of a real set (${set.length} top-level requirements, every CPython from ${UNIVERSAL_PYTHON} on Linux, macOS and Windows), ${caches}, vs uv`
      : backtrack
        ? `backtracking-heavy resolution (${set.join(' + ')}: ~800 boto3 releases walked), ${caches}, vs uv`
        : `resolution of a real set (${set.length} top-level requirements), ${caches}`,
    // uv is the fastest peer; the backtracking and universal rows compare against it (the issues' goal: within 2× of uv).
    reference: backtrack || universal ? 'uv' : 'pip',
    prime: !cold,
    notes: universal
      ? [
          `set: ${set.join(' ')}; requires-python >=${UNIVERSAL_PYTHON}, wheels only (--only-binary :all: for uv)`,
          'nx-pex = resolveLock with universal: true (the default environments: 5 platforms × every CPython minor, see docs/locks.md); uv = pip compile --universal --python-version ' +
            UNIVERSAL_PYTHON +
            ' (one resolution per marker region); pip has no universal mode',
          'packages resolved: distinct name==version pairs (nx-pex) and output lines (uv)',
        ]
      : [
          `set: ${set.join(' ')}; for CPython ${ctx.pythonVersion} on this platform, wheels only (--only-binary :all: for pip and uv: the resolver does not build sdists)`,
          ...(backtrack
            ? [
                'aiobotocore 2.5.4 pins botocore <1.31.18, so every boto3 newer than 1.28.17 conflicts: each resolver reads the metadata of every boto3 release it rejects (see bench/README.md)',
              ]
            : []),
          RESOLUTION_ONLY_NOTE,
        ],
    contenders: universal ? [c.resolver, c.uv] : [c.resolver, c.pip, c.uv],
  };
}

/** `resolve-sets-<cold|warm>-<set>`: one real-world set (REAL_WORLD_SETS) resolved by the resolver and by uv. */
async function resolveSetWorkload(ctx: BenchContext, id: ResolveSetsId): Promise<Workload> {
  const cold = id.startsWith(`${RESOLVE_SETS}-cold-`);
  const family = `${RESOLVE_SETS}-${cold ? 'cold' : 'warm'}`;
  const member = id.slice(family.length + 1);
  const set = REAL_WORLD_SETS.find((s) => s.id === member);
  if (!set) throw new Error(`no real-world set "${member}" (workload ${id})`);
  const c = await resolveContenders(ctx, join(ctx.runDir, id), set.requirements, { cold, universal: false });
  const caches = resolveCaches(cold);
  return {
    id,
    title: `real-world set ${set.id} (${set.requirements.join(' + ')}), ${caches}, vs uv`,
    reference: 'uv',
    prime: !cold,
    family: {
      id: family,
      title: `the ${REAL_WORLD_SETS.length} real-world resolution sets, ${caches}: @nx-pex/resolver resolveLock vs uv pip compile (ref)`,
      member: set.id,
      goal: RESOLVE_GOAL_VS_UV,
    },
    notes: [
      `set: ${set.requirements.join(' ')}; for CPython ${ctx.pythonVersion} on this platform, wheels only (--only-binary :all: for uv); ${cold ? 'both caches emptied before every run' : 'both caches primed before the counted runs'}`,
      RESOLUTION_ONLY_NOTE.replace(', pip = install --dry-run --report', ''),
    ],
    contenders: [c.resolver, c.uv],
  };
}

// ---------------------------------------------------------------- CLI start-up

async function cliWorkload(ctx: BenchContext): Promise<Workload> {
  return {
    id: 'cli-help',
    title: 'nx-pex help: loading the CLI (module loading only), vs a bare Node start',
    reference: 'node',
    prime: true,
    notes: [
      `the same Node (${process.version}) runs both; nx-pex help prints its usage and exits: what every nx-pex command and executor pays before doing anything`,
    ],
    contenders: [
      {
        id: 'nx-pex',
        label: 'nx-pex help',
        command: () => ({ argv: [ctx.node, paths(ctx).nxPexCli, 'help'], cwd: ctx.runDir }),
      },
      { id: 'node', label: 'node -e 0', command: () => ({ argv: [ctx.node, '-e', '0'], cwd: ctx.runDir }) },
    ],
  };
}

// ---------------------------------------------------------------- torch (3, 4)

interface TorchWheels {
  dir: string;
  wheels: { path: string; sha256: string; pin: string }[];
  bytes: number;
  note: string;
  /** The app's sources (one module). */
  srcDir: string;
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function downloadTorch(ctx: BenchContext): Promise<TorchWheels> {
  const dir = join(ctx.runDir, 'torch-wheels');
  await mkdir(dir, { recursive: true });
  const pip = ctx.tools.pip ?? ctx.tools.python;
  const dl = [
    '-m',
    'pip',
    'download',
    '-q',
    '--disable-pip-version-check',
    '--only-binary=:all:',
    '-d',
    dir,
    ...pipIndexFlags(ctx.index),
  ];
  ctx.progress(
    `  downloading torch ${TORCH_VERSION} and its dependencies${ctx.torchCuda ? ' (with the nvidia-* CUDA wheels)' : ' (without the nvidia-* CUDA wheels)'}`,
  );
  if (ctx.torchCuda) {
    await runStep({ argv: [pip, ...dl, `torch==${TORCH_VERSION}`], cwd: dir }, ctx.logPath);
  } else {
    await runStep({ argv: [pip, ...dl, '--no-deps', `torch==${TORCH_VERSION}`], cwd: dir }, ctx.logPath);
    await runStep({ argv: [pip, ...dl, ...TORCH_NON_NVIDIA_DEPS], cwd: dir }, ctx.logPath);
  }
  const files = (await readdir(dir)).filter((f) => f.endsWith('.whl')).sort();
  const wheels = [];
  let bytes = 0;
  for (const f of files) {
    const path = join(dir, f);
    bytes += (await stat(path)).size;
    const [name, version] = f.split('-');
    wheels.push({ path, sha256: await sha256(path), pin: `${name}==${version}` });
  }
  const srcDir = join(ctx.runDir, 'torch-src');
  await mkdir(join(srcDir, 'torch_app'), { recursive: true });
  await writeFile(join(srcDir, 'torch_app', '__init__.py'), '');
  await writeFile(join(srcDir, 'torch_app', '__main__.py'), TORCH_APP_MAIN);
  const note = ctx.torchCuda
    ? `torch ${TORCH_VERSION} from the public index with all its Linux x86_64 dependencies, nvidia-* CUDA wheels included (the CPU build's index is not used): ${wheels.length} wheels, ${formatKib(Math.round(bytes / 1024))}`
    : `torch ${TORCH_VERSION} from the public index (a CUDA build: the CPU build's index is not used) plus its non-nvidia dependencies (${TORCH_NON_NVIDIA_DEPS.join(', ')}), the nvidia-* CUDA wheels left out: ${wheels.length} wheels, ${formatKib(Math.round(bytes / 1024))}`;
  return { dir, wheels, bytes, note, srcDir };
}

async function torchBuildWorkload(ctx: BenchContext, prep: Preparations): Promise<Workload> {
  const t = await prep.torchWheels();
  const dir = join(ctx.runDir, 'torch-build');
  await mkdir(dir, { recursive: true });
  const nxOut = join(dir, 'nx-pex.pex');
  const pexOut = join(dir, 'pex.pex');
  const catOut = join(dir, 'cat.out');
  const spec = join(dir, 'build-spec.json');
  await writeTorchBuildSpec(t, spec, nxOut);
  const pex = ctx.tools.pex;
  return {
    id: 'torch-build',
    title: 'torch: build from warm caches',
    reference: 'cat',
    prime: true,
    notes: [
      t.note,
      'nx-pex = buildPex over the downloaded wheels (installed-wheel cache warm); pex = --intransitive pins from --find-links of the same wheels, PEX_ROOT warm; cat = the wheels concatenated into one file (the floor)',
    ],
    contenders: [
      {
        id: 'nx-pex',
        label: '@nx-pex/archive buildPex',
        command: () => ({
          argv: [ctx.node, paths(ctx).worker, 'build-pex', spec],
          cwd: dir,
          env: { NX_PEX_CACHE_DIR: join(dir, 'nx-pex-cache') },
        }),
        describe: () => sizeOf(nxOut),
      },
      {
        id: 'pex',
        label: 'pex CLI',
        ...needs(pex, 'pex'),
        command: () => ({
          argv: [
            pex ?? 'pex',
            ...torchPexArgs(t),
            '-m',
            'torch_app',
            '-o',
            pexOut,
            '--pex-root',
            join(dir, 'pex-root'),
          ],
          cwd: dir,
        }),
        describe: () => sizeOf(pexOut),
      },
      {
        id: 'cat',
        label: 'cat of the input wheels',
        command: () => ({
          argv: ['sh', '-c', 'out=$1; shift; cat "$@" > "$out"', 'sh', catOut, ...t.wheels.map((w) => w.path)],
          cwd: dir,
        }),
        describe: () => sizeOf(catOut),
      },
    ],
  };
}

/** The spec file of a buildPex call by the worker: the torch wheels, the app's two files, `torch_app` as entry point. */
async function writeTorchBuildSpec(t: TorchWheels, spec: string, output: string): Promise<void> {
  const sources = ['__init__.py', '__main__.py'].map((f) => ({
    archivePath: `torch_app/${f}`,
    path: join(t.srcDir, 'torch_app', f),
  }));
  await writeFile(
    spec,
    JSON.stringify({
      wheels: t.wheels.map(({ path, sha256 }) => ({ path, sha256 })),
      sources,
      entryPoint: 'torch_app',
      output,
    }),
  );
}

/** pex's arguments for the same set: the pins, intransitive (no nvidia-* lookups), from the downloaded wheels only. */
function torchPexArgs(t: TorchWheels): string[] {
  return ['--no-pypi', '--find-links', t.dir, '--intransitive', ...t.wheels.map((w) => w.pin), '-D', t.srcDir];
}

async function prepareTorchStart(ctx: BenchContext, prep: Preparations): Promise<StartArtifacts> {
  const t = await prep.torchWheels();
  const dir = join(ctx.runDir, 'torch-start');
  ctx.progress('  building the torch pexes and the plain venv for the start-up workloads');
  const spec = join(ctx.runDir, 'torch-start-spec.json');
  // prepareStartSet writes the nx-pex pex to <dir>/nx-pex.pex: the spec names it.
  await writeTorchBuildSpec(t, spec, join(dir, 'nx-pex.pex'));
  return prepareStartSet(ctx, dir, {
    buildNxPex: () => ({
      argv: [ctx.node, paths(ctx).worker, 'build-pex', spec],
      cwd: dir,
      env: { NX_PEX_CACHE_DIR: join(dir, 'nx-pex-cache') },
    }),
    pexArgs: torchPexArgs(t),
    venvInstall: ['--no-deps', ...t.wheels.map((w) => w.path)],
    venvCwd: t.srcDir,
    module: 'torch_app',
  });
}

// ---------------------------------------------------------------- dispatch

export async function createWorkload(ctx: BenchContext, prep: Preparations, id: WorkloadId): Promise<Workload> {
  switch (id) {
    case 'cli-help':
      return cliWorkload(ctx);
    case 'build-cold':
    case 'build-noop':
    case 'build-change':
      return buildWorkload(ctx, prep, id);
    case 'build-lock-noop':
    case 'build-lock-change':
      return lockedBuildWorkload(ctx, prep, 'build-lock', id);
    case 'torch-lock-noop':
    case 'torch-lock-change':
      return lockedBuildWorkload(ctx, prep, 'torch-lock', id);
    case 'start-warm':
    case 'start-first':
      return startWorkload(ctx, prep, id);
    case 'resolve-cold':
    case 'resolve-warm':
    case 'resolve-backtrack-cold':
    case 'resolve-backtrack-warm':
    case 'resolve-universal-cold':
    case 'resolve-universal-warm':
      return resolveWorkload(ctx, id);
    case 'resolve-backtrack-relock':
      return relockWorkload(ctx, id);
    case 'scale-1-cached':
    case 'scale-30-cached':
    case 'scale-100-cached':
    case 'scale-1-cold':
    case 'scale-30-cold':
    case 'scale-100-cold':
      return scaleWorkload(ctx, prep.scale, id);
    case 'torch-build':
      return torchBuildWorkload(ctx, prep);
    case 'torch-start-warm':
    case 'torch-start-first':
      if (!ctx.torchCuda) {
        throw new SkipWorkload(
          `import torch needs the nvidia-* CUDA wheels of the public index's torch (the CPU build's index is not reachable); run with --torch-cuda to include them (~3 GB more)`,
        );
      }
      return startWorkload(ctx, prep, id);
    default:
      return resolveSetWorkload(ctx, id);
  }
}

/** A workload that cannot run here, with the reason to print. */
export class SkipWorkload extends Error {
  override readonly name = 'SkipWorkload';
}
