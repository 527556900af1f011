// The locked build rows (build-lock-*, torch-lock-*) without network: nx-pex lock is replaced by a
// pylock.toml written here, the contenders are inspected, not run.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchContext } from './context.js';
import { REPO_ROOT } from './harness.js';
import { lockPackageCount, writeTorchLockedApp, type LockedApp } from './projects.js';
import type { Workload } from './runner.js';
import { createWorkload, Preparations, SkipWorkload, type LockedSet } from './workloads.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-workloads-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const LOCK = (names: string[]) =>
  `lock-version = "1.0"\ncreated-by = "test"\n\n${names.map((n) => `[[packages]]\nname = "${n}"\nversion = "1.0"\n`).join('\n')}`;

function context(name: string, torchCuda: boolean): BenchContext {
  const runDir = join(dir, name);
  return {
    repoRoot: REPO_ROOT,
    node: process.execPath,
    python: '/usr/bin/python3',
    pythonVersion: '3.11.7',
    runDir,
    workspaceDir: join(runDir, 'service'),
    index: { indexUrl: 'https://example.invalid/simple/', extraIndexUrls: [], findLinks: [], noIndex: false },
    tools: { python: 'python3', pex: '/tools/bin/pex', report: [] },
    logPath: join(runDir, 'log.txt'),
    torchCuda,
    progress: () => {},
  };
}

/** Preparations whose locks are written here (a few [[packages]] tables) instead of by `nx-pex lock`. */
class FakeLocks extends Preparations {
  readonly locked: LockedSet[] = [];
  constructor(private readonly c: BenchContext) {
    super(c);
  }
  override async lockedApp(set: LockedSet): Promise<LockedApp> {
    this.locked.push(set);
    const app =
      set === 'torch-lock' ? await writeTorchLockedApp(this.c.workspaceDir) : (await this.serviceWorkspace()).locked;
    await writeFile(app.lockFile, LOCK(set === 'torch-lock' ? ['torch', 'triton', 'nvidia-cudnn-cu12'] : ['flask']));
    return app;
  }
}

const argv = (w: Workload, id: string) => w.contenders.find((c) => c.id === id)!.command(0).argv;
const env = (w: Workload, id: string) => w.contenders.find((c) => c.id === id)!.command(0).env;

describe('lockPackageCount', () => {
  it('counts the [[packages]] tables of a pylock.toml', () => {
    expect(lockPackageCount(LOCK(['a', 'b', 'c']))).toBe(3);
    expect(lockPackageCount('lock-version = "1.0"\n')).toBe(0);
    expect(lockPackageCount('[[packages.wheels]]\n[[packages]]\n')).toBe(1);
  });
});

describe('torch-lock rows', () => {
  it('say they need --torch-cuda, before writing a lock or downloading anything', async () => {
    const ctx = context('no-cuda', false);
    const prep = new FakeLocks(ctx);
    for (const id of ['torch-lock-noop', 'torch-lock-change'] as const) {
      const e: unknown = await createWorkload(ctx, prep, id).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(SkipWorkload);
      expect((e as Error).message).toMatch(/--torch-cuda/);
    }
    expect(prep.locked).toEqual([]);
  });

  it('compare an Nx-less nx-pex CLI build of the torch app with pex --pylock of the same file', async () => {
    const ctx = context('cuda', true);
    const prep = new FakeLocks(ctx);
    const noop = await createWorkload(ctx, prep, 'torch-lock-noop');
    const app = await prep.lockedApp('torch-lock');
    expect(noop.reference).toBe('pex');
    expect(noop.prime).toBe(true);
    expect(noop.contenders.map((c) => c.id)).toEqual(['nx-pex', 'pex']);
    expect(noop.notes.join('\n')).toContain('(3 packages)');
    expect(argv(noop, 'nx-pex')).toEqual(
      expect.arrayContaining(['build', 'apps/bench-torch-locked', '--python', ctx.python]),
    );
    const pex = argv(noop, 'pex');
    expect(pex[0]).toBe('/tools/bin/pex');
    expect(pex.slice(1, 3)).toEqual(['--pylock', app.lockFile]);
    expect(pex).toEqual(expect.arrayContaining(['-D', app.srcDir, '-m', 'torch_app']));
    expect(pex.slice(-2)).toEqual(['--pip-version', '26.2']);
    expect(await readFile(app.lockFile, 'utf8')).toContain('name = "torch"');
    expect(await readFile(join(ctx.workspaceDir, app.root, 'pyproject.toml'), 'utf8')).toMatch(/"torch==\d/);
  });

  it('share their caches between noop and change; change rewrites the app’s build_info.py before every run', async () => {
    const ctx = context('change', true);
    const prep = new FakeLocks(ctx);
    const noop = await createWorkload(ctx, prep, 'torch-lock-noop');
    const change = await createWorkload(ctx, prep, 'torch-lock-change');
    expect(env(change, 'nx-pex')).toEqual(env(noop, 'nx-pex'));
    const pexRoot = (w: Workload) => argv(w, 'pex')[argv(w, 'pex').indexOf('--pex-root') + 1];
    expect(pexRoot(change)).toBe(pexRoot(noop));
    const out = (w: Workload) => argv(w, 'nx-pex')[argv(w, 'nx-pex').indexOf('--output') + 1];
    expect(out(change)).not.toBe(out(noop));

    const buildInfo = join(ctx.workspaceDir, 'apps/bench-torch-locked/src/torch_app/build_info.py');
    const before = await readFile(buildInfo, 'utf8');
    await noop.contenders[0]!.before!(0);
    expect(await readFile(buildInfo, 'utf8')).toBe(before);
    await change.contenders[0]!.before!(0);
    const first = await readFile(buildInfo, 'utf8');
    await change.contenders[1]!.before!(1);
    expect(first).not.toBe(before);
    expect(await readFile(buildInfo, 'utf8')).not.toBe(first);
  });
});

describe('build-lock rows (the same function, the flask service)', () => {
  it('add nx build, and the Nx cache hit only when nothing changed', async () => {
    const ctx = context('flask', false);
    const prep = new FakeLocks(ctx);
    const noop = await createWorkload(ctx, prep, 'build-lock-noop');
    const change = await createWorkload(ctx, prep, 'build-lock-change');
    expect(prep.locked).toEqual(['build-lock', 'build-lock']);
    expect(noop.contenders.map((c) => c.id)).toEqual(['nx-pex', 'nx-build', 'nx-cache-hit', 'pex']);
    expect(change.contenders.map((c) => c.id)).toEqual(['nx-pex', 'nx-build', 'pex']);
    expect(argv(noop, 'pex')).toEqual(expect.arrayContaining(['--pylock', '-m', 'bench_service']));
    expect(argv(noop, 'pex')).not.toContain('--pip-version');
    expect(noop.notes.join('\n')).toContain('(1 packages)');
  });
});

describe('resolve rows', () => {
  it.each(['resolve-backtrack-warm', 'resolve-cold', 'resolve-sets-warm-flask'] as const)(
    '%s: every run starts without its previous output (uv prefers what an existing -o file pins); warm keeps the caches',
    async (id) => {
      const ctx = context(id, false);
      const w = await createWorkload(ctx, new Preparations(ctx), id);
      for (const c of w.contenders) {
        const command = c.command(0);
        const out =
          c.id === 'uv'
            ? command.argv[command.argv.indexOf('-o') + 1]!
            : c.id === 'pip'
              ? command.argv[command.argv.indexOf('--report') + 1]!
              : join(command.cwd, `${c.id}-out.txt`);
        const cache = join(command.cwd, `${c.id}-cache`);
        await writeFile(out, 'boto3==1.28.17\n');
        await mkdir(cache, { recursive: true });
        await writeFile(join(cache, 'kept'), '');
        await c.before!(1);
        await expect(readFile(out, 'utf8')).rejects.toThrow(/ENOENT/);
        const cacheKept = await readFile(join(cache, 'kept'), 'utf8').then(
          () => true,
          () => false,
        );
        expect(cacheKept).toBe(id.includes('warm'));
      }
    },
  );
});

describe('resolve-backtrack-relock', () => {
  it('keeps both previous results: uv writes onto its -o file, the resolver prefers and rewrites its pylock.toml', async () => {
    const ctx = context('relock', false);
    const w = await createWorkload(ctx, new Preparations(ctx), 'resolve-backtrack-relock');
    expect(w.contenders.map((c) => c.id)).toEqual(['resolver', 'uv']);
    const uv = w.contenders.find((c) => c.id === 'uv')!;
    const out = argv(w, 'uv')[argv(w, 'uv').indexOf('-o') + 1]!;
    await writeFile(out, 'boto3==1.28.17\n');
    await uv.before!(1);
    expect(await readFile(out, 'utf8')).toBe('boto3==1.28.17\n');
    const resolver = w.contenders.find((c) => c.id === 'resolver')!;
    const specPath = resolver.command(0).argv.at(-1)!;
    const spec = JSON.parse(await readFile(specPath, 'utf8')) as { lock?: string; requirements: string[] };
    expect(spec.requirements).toEqual(['boto3', 'aiobotocore==2.5.4']);
    expect(spec.lock).toMatch(/resolver-pylock\.toml$/);
  });
});
