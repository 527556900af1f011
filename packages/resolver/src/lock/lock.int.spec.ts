import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel, findPythons } from '@nx-pex/tools';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { pylockPython } from '../testing/pylock-python.js';
import { ResolverError } from '../errors.js';
import { fixtureSuite } from '../testing/fixture-suite.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { fetchLocked } from './fetch-locked.js';
import { formatLock } from './format.js';
import { parseLock } from './parse.js';
import { resolveLock, type ResolveLockOptions } from './resolve-lock.js';
import { isLockCurrent, isProjectLockCurrent } from './current.js';
import { lockSubsetHash, selectFromLock, type LockSelection } from './select.js';
import { validatePylock } from './validate.js';

const linux = {
  implementation_name: 'cpython',
  platform_python_implementation: 'CPython',
  sys_platform: 'linux',
  platform_machine: 'x86_64',
  os_name: 'posix',
};
const cp311: TargetInterpreter = {
  implementation: 'cp',
  version: [3, 11, 7],
  tags: ['cp311-cp311-manylinux_2_17_x86_64', 'cp311-abi3-manylinux_2_17_x86_64', 'py3-none-any'],
  markers: { ...linux, python_version: '3.11', python_full_version: '3.11.7', implementation_version: '3.11.7' },
};
const cp312: TargetInterpreter = {
  implementation: 'cp',
  version: [3, 12, 1],
  tags: ['cp312-cp312-manylinux_2_17_x86_64', 'py3-none-any'],
  markers: { ...linux, python_version: '3.12', python_full_version: '3.12.1', implementation_version: '3.12.1' },
};

const suite = fixtureSuite('nx-pex-lock-', async (wheels) => {
  await buildWheel(
    {
      name: 'app',
      version: '1.0',
      requiresDist: ['core>=1', 'colorama; sys_platform == "win32"', 'fast; python_version >= "3.12"', 'split'],
    },
    wheels,
  );
  await buildWheel({ name: 'core', version: '1.0' }, wheels);
  await buildWheel({ name: 'core', version: '2.0' }, wheels);
  await buildWheel(
    { name: 'core', version: '2.0', pythonTag: 'cp311', abiTag: 'cp311', platformTag: 'manylinux_2_17_x86_64' },
    wheels,
  );
  await buildWheel({ name: 'fast', version: '1.0' }, wheels);
  await buildWheel({ name: 'split', version: '1.0', requiresPython: '<3.12' }, wheels);
  await buildWheel({ name: 'split', version: '2.0', requiresPython: '>=3.12' }, wheels);
  await buildWheel({ name: 'tool', version: '1.0' }, wheels);
  await buildWheel({ name: 'tool', version: '1.1' }, wheels);
  await buildWheel({ name: 'low', version: '1.0', requiresDist: ['core<2'] }, wheels);
  await buildWheel({ name: 'modern', version: '1.0', requiresPython: '>=3.11', requiresDist: ['core'] }, wheels);
});

const lockFor = (extra: Partial<ResolveLockOptions> = {}) =>
  resolveLock({
    roots: { app: ['app'], other: ['tool'] },
    index: suite.index(),
    targets: [cp311, cp312],
    cacheDir: suite.cacheDir,
    http: { backoffMs: 5 },
    ...extra,
  });

describe('resolveLock', () => {
  it('locks two projects for two targets: union of packages, markers for target-only entries, a wheel per target', async () => {
    const lock = await lockFor();
    const text = formatLock(lock);
    const entries = lock.packages
      .map(
        (p) =>
          `${p.name} ${p.version} ${p.marker ?? '*'} ${p.wheels
            .map((w) => w.name)
            .sort()
            .join(' ')}`,
      )
      .sort();
    expect(entries).toEqual([
      'app 1.0 * app-1.0-py3-none-any.whl',
      'core 2.0 * core-2.0-cp311-cp311-manylinux_2_17_x86_64.whl core-2.0-py3-none-any.whl',
      "fast 1.0 python_version == '3.12' and implementation_name == 'cpython' and sys_platform == 'linux' and platform_machine == 'x86_64' fast-1.0-py3-none-any.whl",
      "split 1.0 python_version == '3.11' and implementation_name == 'cpython' and sys_platform == 'linux' and platform_machine == 'x86_64' split-1.0-py3-none-any.whl",
      "split 2.0 python_version == '3.12' and implementation_name == 'cpython' and sys_platform == 'linux' and platform_machine == 'x86_64' split-2.0-py3-none-any.whl",
      'tool 1.1 * tool-1.1-py3-none-any.whl',
    ]);
    const app = lock.packages.find((p) => p.name === 'app')!;
    expect(app.index).toBe(suite.server.url);
    expect(app.dependencies).toEqual(
      expect.arrayContaining([
        { name: 'core', version: '2.0' },
        { name: 'fast', version: '1.0' },
        { name: 'split', version: '1.0' },
        { name: 'split', version: '2.0' },
      ]),
    );
    expect(lock.nxPex!.roots).toEqual({ app: ['app'], other: ['tool'] });
    expect(lock.environments).toHaveLength(2);
    for (const w of lock.packages.flatMap((p) => p.wheels)) {
      expect(w.url).toBe(`${suite.server.root}files/${w.name}`);
      expect(w.hashes.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(w.size).toBeGreaterThan(0);
    }
    // The text reads back to the same lock, and the target order does not matter.
    expect(formatLock(parseLock(text, 'pylock.toml'))).toBe(text);
    expect(formatLock(await lockFor({ targets: [cp312, cp311] }))).toBe(text);

    expect(selectFromLock(lock, 'app', cp311).map((a) => a.filename)).toEqual([
      'app-1.0-py3-none-any.whl',
      'core-2.0-cp311-cp311-manylinux_2_17_x86_64.whl',
      'split-1.0-py3-none-any.whl',
    ]);
    expect(selectFromLock(lock, 'app', cp312).map((a) => a.filename)).toEqual([
      'app-1.0-py3-none-any.whl',
      'core-2.0-py3-none-any.whl',
      'fast-1.0-py3-none-any.whl',
      'split-2.0-py3-none-any.whl',
    ]);
    expect(selectFromLock(lock, 'other', cp312).map((a) => a.filename)).toEqual(['tool-1.1-py3-none-any.whl']);
  });

  it('records size and sha256 from the index (PEP 691 / PEP 700) without downloading a wheel', async () => {
    suite.server.requests.length = 0;
    const lock = await lockFor();
    expect(suite.server.requests.filter((r) => r.path.endsWith('.whl'))).toEqual([]);
    for (const w of lock.packages.flatMap((p) => p.wheels)) {
      const data = await readFile(join(suite.work, 'wheels', w.name!));
      expect([w.size, w.hashes.sha256]).toEqual([data.length, createHash('sha256').update(data).digest('hex')]);
    }
  });

  it('downloads the wheels to measure them when the source lists no size or sha256 (find-links directory)', async () => {
    const index = { ...suite.index(), noIndex: true, findLinks: [join(suite.work, 'wheels')] };
    const lock = await lockFor({ index });
    const wheels = lock.packages.flatMap((p) => p.wheels);
    expect(wheels.length).toBeGreaterThan(0);
    for (const w of wheels) {
      const data = await readFile(join(suite.work, 'wheels', w.name!));
      expect([w.size, w.hashes.sha256]).toEqual([data.length, createHash('sha256').update(data).digest('hex')]);
    }
    expect((await readdir(join(suite.cacheDir, 'wheels', 'sha256'))).length).toBeGreaterThan(0);
  });

  it('keeps preferred versions while they satisfy, and moves when they no longer do', async () => {
    const first = await lockFor();
    first.packages.find((p) => p.name === 'tool')!.version = '1.0';
    first.packages.find((p) => p.name === 'core')!.version = '1.0';
    const again = await lockFor({ preferences: first, roots: { app: ['app'], other: ['tool', 'core>=2'] } });
    const versions = Object.fromEntries(again.packages.map((p) => [p.name, p.version]));
    expect(versions.tool).toBe('1.0');
    expect(versions.core).toBe('2.0');
  });

  it('applies constraints to required packages only', async () => {
    const lock = await lockFor({ constraints: ['core<2', 'low==1.0'] });
    const versions = Object.fromEntries(lock.packages.map((p) => [p.name, p.version]));
    expect(versions.core).toBe('1.0');
    expect(versions.low).toBeUndefined();
  });

  it('names the projects whose requirements conflict', async () => {
    const err = await lockFor({ roots: { a: ['low'], b: ['core>=2'] } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ResolverError);
    expect((err as ResolverError).code).toBe('RESOLUTION_CONFLICT');
    expect((err as Error).message).toMatch(/project b requires core>=2/);
    expect((err as Error).message).toMatch(/low 1\.0 requires core<2/);
  });

  it('writes the requires-python the lock serves: narrowed by packages installed everywhere, the projects range kept for checks', async () => {
    const narrowed = await lockFor({ roots: { app: ['modern'] }, targets: [cp311], requiresPython: '>=3.10' });
    expect(narrowed.requiresPython).toBe('>=3.11');
    expect(narrowed.nxPex!.requiresPython).toBe('>=3.10');
    const again = parseLock(formatLock(narrowed), 'pylock.toml');
    expect(isLockCurrent(again, { app: ['modern'] }, '>=3.10').current).toBe(true);
    // split's >=3.12 release is only under a marker: the lock still serves 3.11.
    const wide = await lockFor({ requiresPython: '>=3.11' });
    expect(wide.requiresPython).toBe('>=3.11');
    expect(wide.nxPex!.requiresPython).toBeUndefined();
  });

  it('rejects a target outside requires-python and an empty target list', async () => {
    await expect(lockFor({ requiresPython: '>=3.12' })).rejects.toThrow(
      /CPython 3\.11\.7 is outside requires-python >=3\.12/,
    );
    await expect(lockFor({ targets: [] })).rejects.toThrow(/at least one target/);
  });

  it('never writes index credentials into the lock', async () => {
    const lock = await lockFor({ index: suite.index(suite.server.url.replace('http://', 'http://user:s3cret@')) });
    const text = formatLock(lock);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('user@');
  });
});

describe('fetchLocked', () => {
  it('downloads and verifies once, then serves from the cache with no request at all', async () => {
    const lock = await lockFor();
    const artifacts = selectFromLock(lock, 'app', cp312);
    const fresh = await mkdtemp(join(suite.work, 'cache-'));
    suite.server.requests.length = 0;
    const first = await fetchLocked(artifacts, { cacheDir: fresh });
    expect(suite.server.requests.filter((r) => r.path.startsWith('/files/'))).toHaveLength(artifacts.length);
    expect(first.map((a) => [a.name, a.version, a.sha256])).toEqual(
      artifacts.map((a) => [a.name, a.version, a.sha256]),
    );
    expect(first.find((a) => a.name === 'app')!.requiresDist).toContain('core>=1');
    suite.server.requests.length = 0;
    const progress: string[] = [];
    const second = await fetchLocked(artifacts, {
      cacheDir: fresh,
      onProgress: (p) => progress.push(`${p.project} ${p.done}/${p.total}`),
    });
    expect(suite.server.requests).toEqual([]);
    expect(second).toEqual(first);
    expect(progress.map((p) => p.split(' ')[1]).sort()).toEqual(['1/4', '2/4', '3/4', '4/4']);
  });

  it('rejects a wheel whose sha256 differs from the lock and keeps nothing', async () => {
    const lock = await lockFor();
    const [app] = selectFromLock(lock, 'app', cp311);
    const fresh = await mkdtemp(join(suite.work, 'cache-'));
    const err = await fetchLocked([{ ...app!, sha256: 'f'.repeat(64) }], { cacheDir: fresh }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as ResolverError).code).toBe('HASH_MISMATCH');
    const left = await readdir(fresh, { recursive: true });
    expect(left.filter((f) => f.endsWith('.whl') || f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('pylock.toml read by Python', () => {
  const python = findPythons().then((r) => r.found.filter((p) => Number(p.version.split('.')[1]) >= 11).at(-1));

  it('tomllib (CPython >= 3.11) reads the same document as smol-toml', async (ctx) => {
    const py = await python;
    if (!py) return ctx.skip();
    const text = formatLock(await lockFor({ index: suite.index() }));
    const file = join(suite.work, 'pylock.toml');
    await writeFile(file, text);
    const json = execFileSync(
      py.path,
      ['-c', 'import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], "rb"))))', file],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(parseToml(text))));
  });
});

describe('dependency groups and extras (PEP 751 markers)', () => {
  const withGroups = () =>
    lockFor({
      roots: { app: ['app'], other: ['tool'] },
      dependencyGroups: { app: { Test: ['low', 'tool==1.1'] } },
      extras: { other: { fast: ['fast'] } },
    });

  it('marks group-only and extra-only packages, declares the names, and selects them only on request', async () => {
    const lock = await withGroups();
    const text = formatLock(lock);
    expect(validatePylock(parseToml(text))).toEqual([]);
    expect(text).toContain('extras = ["fast"]\ndependency-groups = ["test"]\ndefault-groups = []\n');
    const marker = (name: string) => lock.packages.filter((p) => p.name === name).map((p) => p.marker ?? '*');
    expect(marker('low')).toEqual(["'test' in dependency_groups"]);
    // fast: 3.12 needs it at runtime (app), 3.11 only for the extra.
    const t311 =
      "python_version == '3.11' and implementation_name == 'cpython' and sys_platform == 'linux' and platform_machine == 'x86_64'";
    const t312 = t311.replace('3.11', '3.12');
    expect(marker('fast')).toEqual([`((${t311}) and ('fast' in extras)) or (${t312})`]);
    expect(marker('tool')).toEqual(['*']);
    expect(lock.nxPex!.groups).toEqual({ app: { test: ['low', 'tool==1.1'] } });
    const back = parseLock(text, 'pylock.toml');
    expect(selectFromLock(back, 'app', cp311).map((a) => a.name)).toEqual(['app', 'core', 'split']);
    expect(selectFromLock(back, 'app', cp311, { dependencyGroups: ['test'] }).map((a) => a.name)).toEqual([
      'app',
      'low',
      'tool',
      'core',
      'split',
    ]);
    expect(selectFromLock(back, 'other', cp311, { extras: ['fast'] }).map((a) => a.name)).toEqual(['tool', 'fast']);
    expect(() => selectFromLock(back, 'other', cp311, { dependencyGroups: ['test'] })).toThrow(
      /no dependency group test for project other/,
    );
    expect(
      isLockCurrent(back, { app: ['app'], other: ['tool'] }, undefined, {
        dependencyGroups: { app: { test: ['low', 'tool==1.1'] } },
        extras: { other: { fast: ['fast'] } },
      }).current,
    ).toBe(true);
    // A build checks its own project only: the other project's inputs do not matter.
    expect(
      isProjectLockCurrent(back, 'app', { requirements: ['app'], dependencyGroups: { test: ['tool==1.1', 'low'] } }),
    ).toEqual({ current: true, reasons: [], unchecked: [] });
    expect(
      isProjectLockCurrent(back, 'app', {
        requirements: ['app', 'core'],
        dependencyGroups: { test: ['low', 'tool==1.1'] },
      }).reasons,
    ).toEqual(['project app now requires core']);
    expect(isProjectLockCurrent(back, 'app', { requirements: ['app'] }).reasons).toEqual([
      'the lock has the dependency group test of project app, which the project no longer defines',
    ]);
    expect(isProjectLockCurrent(back, 'nope', { requirements: [] }).reasons).toEqual([
      'project nope is not in the lock',
    ]);
    // The runtime part's hash ignores the test group; the test request's hash covers it.
    const runtimeHash = lockSubsetHash(back, 'app');
    const testHash = lockSubsetHash(back, 'app', { dependencyGroups: ['test'] });
    back.packages.find((p) => p.name === 'low')!.wheels[0]!.hashes.sha256 = 'e'.repeat(64);
    expect(lockSubsetHash(back, 'app')).toBe(runtimeHash);
    expect(lockSubsetHash(back, 'app', { dependencyGroups: ['test'] })).not.toBe(testHash);
    expect(
      isLockCurrent(back, { app: ['app'], other: ['tool'] }, undefined, {
        dependencyGroups: { app: { test: ['low'] } },
        extras: { other: { fast: ['fast'] } },
      }).reasons,
    ).toEqual(['project app (dependency group test) no longer requires tool==1.1']);
  });

  it('re-locking with another kernel gives the same bytes (no platform_release / platform_version)', async () => {
    const kernel = (t: TargetInterpreter, release: string, version: string): TargetInterpreter => ({
      ...t,
      markers: { ...t.markers, platform_release: release, platform_version: version },
    });
    const a = formatLock(
      await lockFor({
        targets: [
          kernel(cp311, '6.1.0-18-amd64', '#1 SMP Debian 6.1.76-1'),
          kernel(cp312, '6.1.0-18-amd64', '#1 SMP Debian 6.1.76-1'),
        ],
      }),
    );
    const b = formatLock(
      await lockFor({
        targets: [
          kernel(cp311, '5.15.0-91-generic', '#101-Ubuntu SMP'),
          kernel(cp312, '5.15.0-91-generic', '#101-Ubuntu SMP'),
        ],
      }),
    );
    expect(a).toBe(b);
    expect(a).not.toMatch(/platform_release|platform_version/);
  });

  it('packaging.pylock (the PEP 751 reference) validates our lock and selects the same wheels', async (ctx) => {
    const py = await pylockPython;
    if (!py) return ctx.skip();
    const file = join(suite.work, 'pylock.groups.toml');
    await writeFile(file, formatLock(await withGroups()));
    const env = {
      ...cp311.markers,
      implementation_version: '3.11.7',
      os_name: 'posix',
      platform_system: 'Linux',
      platform_release: '',
      platform_version: '',
    };
    const script = [
      'import json, sys, tomllib',
      'from packaging.pylock import Pylock',
      'from packaging.tags import Tag',
      'lock = Pylock.from_dict(tomllib.load(open(sys.argv[1], "rb")))',
      'env = json.loads(sys.argv[2]); tags = [Tag(*t.split("-")) for t in json.loads(sys.argv[3])]',
      'out = {}',
      'for key, groups, extras in (("default", None, None), ("test", ["test"], None), ("fast", None, ["fast"])):',
      '    out[key] = sorted(w.filename for _, w in lock.select(environment=env, tags=tags, dependency_groups=groups, extras=extras))',
      'print(json.dumps(out))',
    ].join('\n');
    const theirs = JSON.parse(
      execFileSync(py, ['-c', script, file, JSON.stringify(env), JSON.stringify(cp311.tags)], { encoding: 'utf8' }),
    ) as Record<string, string[]>;
    // A shared lock installs every project's runtime packages for a foreign installer: compare with
    // the union of both projects' selections, the group / extra requested where the project has it.
    const lock = parseLock(readFileSync(file, 'utf8'), 'pylock.toml');
    const ours = (app: LockSelection, other: LockSelection) =>
      [
        ...new Set(
          [...selectFromLock(lock, 'app', cp311, app), ...selectFromLock(lock, 'other', cp311, other)].map(
            (a) => a.filename,
          ),
        ),
      ].sort();
    expect(theirs.default).toEqual(ours({}, {}));
    expect(theirs.test).toEqual(ours({ dependencyGroups: ['test'] }, {}));
    expect(theirs.fast).toEqual(ours({}, { extras: ['fast'] }));
    expect(theirs.test).toContain('low-1.0-py3-none-any.whl');
    expect(theirs.default).not.toContain('low-1.0-py3-none-any.whl');
  });
});
