import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectInterpreter, loadIndexConfig } from '@nx-pex/resolver';
import { buildWheel, startFixtureIndex, type BuiltWheel, type FixtureIndex, writeTree } from '@nx-pex/tools';
import type { ExecutorContext } from '@nx/devkit';
import { runCli } from '../cli/cli.js';
import { useFixtureIndex } from '../testing-files/fixture-env.js';
import lockExecutor from '../executors/lock/lock.impl.js';
import { findPyProjectRoots, findProject, loadPythonWorkspace } from './workspace.js';
import { environmentArtifacts } from './build.js';
import { lockFileOf } from './lock.js';
import { BuildProgress } from './progress.js';

// The locks pip 26.3, uv 0.13.9 and pex 2.105.2 wrote for one project against the fixture index
// (packages/resolver/src/lock/fixtures/README.md): app-dep>=1 (→ core, colorama on win32, fast on
// >= 3.12), core<2, extra `fancy` = extra-thing, group `test` = pytest-fake (→ iniconfig-fake).
const FIXTURES = join(import.meta.dirname, '../../../resolver/src/lock/fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

/** A project with the fixture project's requirements; the pex prints the versions it carries. */
function project(name: string, dependencies = ['app-dep>=1', 'core<2'], more = ''): Record<string, string> {
  return {
    pyproject:
      `[project]\nname = "${name}"\nversion = "0.1"\nrequires-python = ">=3.9"\ndependencies = ${JSON.stringify(dependencies)}\n` +
      `[project.optional-dependencies]\nfancy = ["extra-thing"]\n[dependency-groups]\ntest = ["pytest-fake"]\n${more}[tool.nx-pex]\nentry-point = "main"\n`,
    main: 'from importlib.metadata import version\nprint(" ".join(d + " " + version(d) for d in ("app-dep", "core")))\n',
  };
}

function cli(ws: string) {
  return async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), cwd: ws });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
}

describe('locks that travel: the plugin with pip/uv/pex locks, uv.lock and requirements.txt', () => {
  let index: FixtureIndex;
  let tmp: string;
  let ws: string;
  let nxPex: ReturnType<typeof cli>;
  const wheels = new Map<string, BuiltWheel>();
  /** A fixture's text pointing at this run's index (the fixtures were written against port 8000). */
  let localized: (text: string) => string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'nx-pex-locks-'));
    const dir = join(tmp, 'wheels');
    const built = [
      await buildWheel(
        {
          name: 'app-dep',
          version: '1.0',
          requiresDist: ['core>=1', 'colorama; sys_platform == "win32"', 'fast[speed]; python_version >= "3.12"'],
        },
        dir,
      ),
      await buildWheel({ name: 'fast', version: '1.0', requiresDist: ['speedy; extra == "speed"'] }, dir),
      await buildWheel({ name: 'pytest-fake', version: '1.0', requiresDist: ['iniconfig-fake'] }, dir),
    ];
    for (const [name, version] of [
      ['core', '1.0'],
      ['core', '2.0'],
      ['colorama', '0.4'],
      ['speedy', '1.0'],
      ['iniconfig-fake', '1.0'],
      ['extra-thing', '1.0'],
    ] as const) {
      built.push(await buildWheel({ name, version }, dir));
    }
    for (const w of built) wheels.set(w.filename, w);
    index = await startFixtureIndex({ wheelsDir: dir });
    const origin = new URL(index.url).host;
    localized = (text) => text.replaceAll('127.0.0.1:8000', origin);
    useFixtureIndex(index.url, tmp);
    ws = join(tmp, 'ws');
    writeTree(ws, { 'nx.json': '{}' });
    nxPex = cli(ws);
  });

  afterAll(async () => {
    await index?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  function addProject(dir: string, files: Record<string, string>, extra: Record<string, string> = {}): void {
    writeTree(ws, {
      [`${dir}/pyproject.toml`]: files['pyproject']!,
      [`${dir}/main.py`]: files['main']!,
      ...Object.fromEntries(Object.entries(extra).map(([f, t]) => [`${dir}/${f}`, t])),
    });
  }

  async function distributions(pex: string): Promise<string[]> {
    const info = await nxPex('inspect', pex);
    return Object.keys((JSON.parse(info.out) as { distributions: object }).distributions).sort();
  }

  it("the wheel factory reproduces the fixtures' files (same sha256), so the tools' locks verify", () => {
    for (const file of ['pylock.pip.toml', 'pylock.uv.toml', 'pylock.pex.toml', 'uv.lock']) {
      for (const w of wheels.values()) {
        if (fixture(file).includes(w.filename)) expect(fixture(file), `${file}: ${w.filename}`).toContain(w.sha256);
      }
    }
  });

  it.each([
    ['pip', 'pylock.pip.toml'],
    ['uv', 'pylock.uv.toml'],
    ['pex', 'pylock.pex.toml'],
  ])(
    'a pylock.toml written by %s: lock --check passes, lock keeps it, the build takes it and runs',
    async (tool, file) => {
      const dir = `apps/from-${tool}`;
      addProject(dir, project(`from-${tool}`), { 'pylock.toml': localized(fixture(file)) });
      const check = await nxPex('lock', dir, '--check');
      expect(check.code, check.err).toBe(0);
      expect(check.err).toContain(`${dir}/pylock.toml (written by ${tool}) is up to date`);

      const before = readFileSync(join(ws, dir, 'pylock.toml'), 'utf8');
      const kept = await nxPex('lock', dir);
      expect(kept.code, kept.err).toBe(0);
      expect(kept.err).toMatch(/nx-pex checks it but does not overwrite it \(`--convert` re-locks it/);
      expect(readFileSync(join(ws, dir, 'pylock.toml'), 'utf8')).toBe(before);

      const build = await nxPex('build', dir);
      expect(build.code, build.err).toBe(0);
      expect(build.err).not.toContain('not hermetic');
      // pip lock records no requires-python: said once, as a warning, not an error.
      const notes = build.err.split('\n').filter((l) => l.includes('not checked:'));
      expect(notes.length).toBeLessThanOrEqual(1);
      if (tool === 'pip')
        expect(notes[0]).toMatch(/written by pip\) is current as far as it records; not checked: .*requires-python/);
      const run = spawnSync('python3', [build.out], { encoding: 'utf8' });
      expect(run.stdout.trim(), run.stderr).toBe('app-dep 1.0 core 1.0');
      const dists = await distributions(build.out);
      expect(dists).toContain('core-1.0-py3-none-any.whl');
      // pex records dependencies: the walk from the requirements leaves the test group out.
      if (tool === 'pex') expect(dists).not.toContain('pytest_fake-1.0-py3-none-any.whl');
    },
  );

  it('a foreign lock that no longer satisfies the project is STALE_LOCK with the reason; --convert re-locks it with nx-pex', async () => {
    const dir = 'apps/stale-pip';
    addProject(dir, project('stale-pip', ['app-dep>=1', 'core>=2']), {
      'pylock.toml': localized(fixture('pylock.pip.toml')),
    });
    const build = await nxPex('build', dir);
    expect(build.code).toBe(1);
    expect(build.err).toMatch(
      /\[STALE_LOCK\] apps\/stale-pip\/pylock.toml is out of date for stale-pip: .*core>=2.*Regenerate it with pip, or re-lock it with nx-pex: `nx run stale-pip:lock --convert`/,
    );
    const check = await nxPex('lock', dir, '--check');
    expect(check.code).toBe(1);

    const convert = await nxPex('lock', dir, '--convert');
    expect(convert.code, convert.err).toBe(0);
    // The line says what changed against the lock it replaced.
    expect(convert.err).toMatch(/wrote apps\/stale-pip\/pylock.toml \(\d+ packages: .*core 1\.0 → 2\.0/);
    const text = readFileSync(join(ws, dir, 'pylock.toml'), 'utf8');
    expect(text).toContain('created-by = "nx-pex"');
    expect(text).toMatch(/name = "core"\nversion = "2.0"/);
    expect((await nxPex('lock', dir, '--check')).code).toBe(0);
    const rebuilt = await nxPex('build', dir);
    expect(rebuilt.code, rebuilt.err).toBe(0);
    expect(spawnSync('python3', [rebuilt.out], { encoding: 'utf8' }).stdout.trim()).toBe('app-dep 1.0 core 2.0');
  });

  it('our lock: groups and extras under PEP 751 markers, nothing machine-specific; the production pex leaves them out, the test environment takes its group', async () => {
    const dir = 'apps/ours';
    addProject(dir, project('ours', ['app-dep>=1']));
    const lock = await nxPex('lock', dir);
    expect(lock.code, lock.err).toBe(0);
    const text = readFileSync(join(ws, dir, 'pylock.toml'), 'utf8');
    expect(text).toContain('extras = ["fancy"]');
    expect(text).toContain('dependency-groups = ["test"]');
    expect(text).toMatch(/name = "pytest-fake"\nversion = "1.0"\nmarker = "'test' in dependency_groups"/);
    expect(text).toMatch(/name = "extra-thing"\nversion = "1.0"\nmarker = "'fancy' in extras"/);
    expect(text).not.toMatch(/platform_release|platform_version/);
    expect(text).not.toContain(':test');
    // No local path (workspace, interpreter, cache) is recorded; re-locking gives the same bytes.
    const python = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
    }).stdout.trim();
    for (const local of [ws, python, tmp]) expect(text).not.toContain(local);
    const again = await nxPex('lock', dir);
    expect(again.err).toContain(`unchanged ${dir}/pylock.toml`);
    expect((await nxPex('lock', dir, '--check')).code).toBe(0);

    const build = await nxPex('build', dir);
    expect(build.code, build.err).toBe(0);
    // The newest core (2.0) that app-dep's core>=1 allows; no test or extra packages in production.
    expect(await distributions(build.out)).toEqual(['app_dep-1.0-py3-none-any.whl', 'core-2.0-py3-none-any.whl']);

    const runtimeHash = (await nxPex('lock-hash', dir)).out;
    const testHash = (await nxPex('lock-hash', dir, '--group', 'test')).out;
    expect(runtimeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(testHash).toMatch(/^[0-9a-f]{64}$/);
    expect(testHash).not.toBe(runtimeHash);

    // The test environment: the runtime part plus the test group, from the lock (offline selection).
    const roots = await findPyProjectRoots(ws);
    const loaded = await loadPythonWorkspace(
      ws,
      roots.map((r) => [undefined, r] as [undefined, string]),
    );
    const ours = findProject(loaded, dir);
    const env = await environmentArtifacts({
      workspaceRoot: ws,
      project: ours,
      projects: loaded.projects,
      lockFile: lockFileOf(ws, ours),
      groups: ['test'],
      defaultGroups: true,
      requirements: [],
      targets: [await inspectInterpreter('python3')],
      index: await loadIndexConfig(),
      progress: new BuildProgress('quiet', { write: () => undefined }),
    });
    expect(env.artifacts.map((a) => `${a.name} ${a.version}`).sort()).toEqual([
      'app-dep 1.0',
      'core 2.0',
      'iniconfig-fake 1.0',
      'pytest-fake 1.0',
    ]);
  });

  it('a test environment from a foreign lock: its default groups only where the lock declares them (warned), a group asked for by name must be declared', async () => {
    const dir = 'apps/pex-tests';
    addProject(dir, project('pex-tests'), { 'pylock.toml': localized(fixture('pylock.pex.toml')) });
    const loaded = await loadPythonWorkspace(ws, [[undefined, dir]]);
    const p = findProject(loaded, dir);
    const warnings: string[] = [];
    const progress = new BuildProgress('quiet', { write: (t) => warnings.push(t) });
    const request = {
      workspaceRoot: ws,
      project: p,
      projects: loaded.projects,
      lockFile: lockFileOf(ws, p),
      groups: ['test'],
      requirements: [],
      targets: [await inspectInterpreter('python3')],
      index: await loadIndexConfig(),
      progress,
    };
    const env = await environmentArtifacts({ ...request, defaultGroups: true });
    expect(env.artifacts.map((a) => a.name).sort()).toEqual(['app-dep', 'core']);
    expect(warnings.join('')).toContain(
      'apps/pex-tests/pylock.toml (written by pex) declares no dependency group test',
    );
    await expect(environmentArtifacts(request)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringMatching(/declares no dependency group test/),
    });
  });

  it('a uv.lock beside the project: the build takes exactly its versions (core 1.0 though 2.0 is the newest); lock checks it and --from converts it', async () => {
    const dir = 'apps/svc';
    // The fixture project with core>=1: uv.lock (made when core 1.0 was chosen) records the same.
    const uvLock = localized(fixture('uv.lock')).replace(
      '{ name = "core", specifier = "<2" }',
      '{ name = "core", specifier = ">=1" }',
    );
    addProject(dir, project('svc', ['app-dep>=1', 'core>=1']), { 'uv.lock': uvLock });
    const build = await nxPex('build', dir);
    expect(build.code, build.err).toBe(0);
    expect(build.err).not.toContain('not hermetic');
    expect(spawnSync('python3', [build.out], { encoding: 'utf8' }).stdout.trim()).toBe('app-dep 1.0 core 1.0');
    expect(await distributions(build.out)).toEqual(['app_dep-1.0-py3-none-any.whl', 'core-1.0-py3-none-any.whl']);

    const check = await nxPex('lock', dir, '--check');
    expect(check.code, check.err).toBe(0);
    expect(check.err).toContain('apps/svc/uv.lock (written by uv) is up to date');
    const kept = await nxPex('lock', dir);
    expect(kept.code).toBe(0);
    expect(kept.err).toMatch(
      /uv.lock is uv's lock: `uv lock` updates it \(`--from uv.lock` writes a pylock.toml from it instead\)/,
    );
    expect(lockFileOf(ws, findProject(await loadPythonWorkspace(ws, [[undefined, dir]]), dir))).toBe(
      'apps/svc/uv.lock',
    );

    const converted = await nxPex('lock', dir, '--from', 'apps/svc/uv.lock');
    expect(converted.code, converted.err).toBe(0);
    const text = readFileSync(join(ws, dir, 'pylock.toml'), 'utf8');
    expect(text).toMatch(/name = "core"\nversion = "1.0"/);
    expect((await nxPex('lock', dir, '--check')).code).toBe(0);
    const fromPylock = await nxPex('build', dir);
    expect(fromPylock.code, fromPylock.err).toBe(0);
    expect(spawnSync('python3', [fromPylock.out], { encoding: 'utf8' }).stdout.trim()).toBe('app-dep 1.0 core 1.0');
    rmSync(join(ws, dir, 'pylock.toml'));
  });

  it('a stale uv.lock stops the build and says to run uv lock', async () => {
    const dir = 'apps/uv-stale';
    addProject(dir, project('svc-stale', ['app-dep>=1', 'core<2', 'speedy']), {
      'uv.lock': localized(fixture('uv.lock')).replaceAll('"svc"', '"svc-stale"'),
    });
    const build = await nxPex('build', dir);
    expect(build.code).toBe(1);
    expect(build.err).toMatch(
      /\[STALE_LOCK\] apps\/uv-stale\/uv.lock is out of date for svc-stale: apps\/uv-stale\/uv.lock is out of date \(run `uv lock`\): project svc-stale now requires speedy.*Run `uv lock` and commit apps\/uv-stale\/uv.lock/,
    );
    const check = await nxPex('lock', dir, '--check');
    expect(check.code).toBe(1);
    expect(check.err).toContain('Run `uv lock`');
    const from = await nxPex('lock', dir, '--from', 'apps/uv-stale/uv.lock');
    expect(from.code).toBe(1);
    expect(from.err).toMatch(/\[STALE_LOCK\] .*run `uv lock`/);
  });

  it("a hashed requirements.txt imports with only the project's own requirements as roots", async () => {
    const dir = 'apps/reqs';
    writeTree(ws, {
      [`${dir}/pyproject.toml`]:
        '[project]\nname = "reqs"\nversion = "0.1"\nrequires-python = ">=3.9"\ndependencies = ["app-dep>=1"]\n[tool.nx-pex]\nentry-point = "main"\n',
      [`${dir}/main.py`]: project('reqs').main!,
      [`${dir}/requirements.txt`]: [
        `app-dep==1.0 --hash=sha256:${wheels.get('app_dep-1.0-py3-none-any.whl')!.sha256}`,
        `core==1.0 \\\n    --hash=sha256:${wheels.get('core-1.0-py3-none-any.whl')!.sha256}`,
        `colorama==0.4 ; sys_platform == "win32" --hash=sha256:${wheels.get('colorama-0.4-py3-none-any.whl')!.sha256}`,
        '',
      ].join('\n'),
    });
    const imported = await nxPex('lock', dir, '--from', `${dir}/requirements.txt`);
    expect(imported.code, imported.err).toBe(0);
    const text = readFileSync(join(ws, dir, 'pylock.toml'), 'utf8');
    expect(text).toMatch(/\[tool\.nx-pex\.roots\]\nreqs = \[\n {4}"app-dep>=1",\n\]/);
    expect(text).toContain('requires-python = ">=3.9"');
    expect((await nxPex('lock', dir, '--check')).code).toBe(0);
    const build = await nxPex('build', dir);
    expect(build.code, build.err).toBe(0);
    expect(spawnSync('python3', [build.out], { encoding: 'utf8' }).stdout.trim()).toBe('app-dep 1.0 core 1.0');
    // The same from the Nx lock target (`nx run reqs:lock --from requirements.txt`): relative to the project.
    rmSync(join(ws, dir, 'pylock.toml'));
    const context = {
      root: ws,
      cwd: ws,
      isVerbose: false,
      projectName: 'reqs',
      projectsConfigurations: { version: 2, projects: { reqs: { root: dir } } },
    } as unknown as ExecutorContext;
    expect(await lockExecutor({ from: 'requirements.txt' }, context)).toEqual({ success: true });
    expect(readFileSync(join(ws, dir, 'pylock.toml'), 'utf8')).toBe(text);
    writeFileSync(join(ws, dir, 'requirements.txt'), 'app-dep==1.0\n');
    const unhashed = await nxPex('lock', dir, '--from', `${dir}/requirements.txt`);
    expect(unhashed.code).toBe(1);
    expect(unhashed.err).toMatch(/\[INVALID_LOCK\] apps\/reqs\/requirements.txt:1/);
  });
});
