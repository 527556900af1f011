import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { targetFromAbbreviatedPlatform } from '../platform/foreign-target.js';
import { isLockCurrent, isProjectLockCurrent } from './current.js';
import { formatLock } from './format.js';
import { importUvLock, isUvLockCurrent } from './import.js';
import { lockMarkerHolds, lockFileContext } from './lock-markers.js';
import { parseLock } from './parse.js';
import { lockSubsetHash, selectFromLock } from './select.js';
import { validatePylock } from './validate.js';

// Fixtures written by the real tools (fixtures/README.md: versions and commands) for the project of
// fixtures/uv-project.pyproject.toml: app-dep>=1 (needs core, colorama on win32, fast on >=3.12), core<2,
// extra `fancy` = extra-thing, group `test` = pytest-fake (→ iniconfig-fake).
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const linux311 = targetFromAbbreviatedPlatform('manylinux_2_28_x86_64-cp-311-cp311');
const linux312 = targetFromAbbreviatedPlatform('manylinux_2_28_x86_64-cp-312-cp312');
const windows312 = targetFromAbbreviatedPlatform('win_amd64-cp-312-cp312');
const linux38 = targetFromAbbreviatedPlatform('manylinux_2_28_x86_64-cp-38-cp38');
const names = (lock: ReturnType<typeof parseLock>, target = linux311, request = {}) =>
  selectFromLock(lock, 'svc', target, request)
    .map((a) => `${a.name} ${a.version}`)
    .sort();
const requirements = ['app-dep>=1', 'core<2'];

function error(f: () => unknown): ResolverError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ResolverError);
    return err as ResolverError;
  }
  throw new Error('expected a ResolverError');
}

describe('locks written by pip, uv and pex', () => {
  it.each(['pylock.pip.toml', 'pylock.uv.toml', 'pylock.pex.toml'])(
    '%s is a valid PEP 751 lock without [tool.nx-pex]',
    (file) => {
      expect(validatePylock(parseToml(fixture(file)))).toEqual([]);
      const lock = parseLock(fixture(file), file);
      expect(lock.nxPex).toBeUndefined();
      // Canonical text is stable (lockSubsetHash of a foreign lock hashes the whole lock).
      expect(formatLock(parseLock(formatLock(lock), file))).toBe(formatLock(lock));
      expect(lockSubsetHash(lock, 'svc')).toMatch(/^[0-9a-f]{64}$/);
    },
  );

  it('pip lock (no markers, no dependencies): every package, on any target', () => {
    const lock = parseLock(fixture('pylock.pip.toml'), 'pylock.toml');
    expect(names(lock)).toEqual(['app-dep 1.0', 'core 1.0']);
    expect(names(lock, windows312, { requirements })).toEqual(['app-dep 1.0', 'core 1.0']);
  });

  it('uv export: package markers decide per target; groups exported unconditionally are installed', () => {
    const lock = parseLock(fixture('pylock.uv.toml'), 'pylock.toml');
    expect(names(lock, linux311)).toEqual([
      'app-dep 1.0',
      'core 1.0',
      'extra-thing 1.0',
      'iniconfig-fake 1.0',
      'pytest-fake 1.0',
    ]);
    expect(names(lock, linux312)).toEqual([
      'app-dep 1.0',
      'core 1.0',
      'extra-thing 1.0',
      'fast 1.0',
      'iniconfig-fake 1.0',
      'pytest-fake 1.0',
      'speedy 1.0',
    ]);
    expect(names(lock, windows312)).toContain('colorama 0.4');
    // requires-python = ">=3.9" (PEP 751 step 3).
    expect(error(() => names(lock, linux38)).code).toBe('NO_COMPATIBLE_WHEEL');
  });

  // pex writes versions in their shortest form ("1" for 1.0).
  it("pex export (dependencies recorded): the walk starts at the project's requirements; conditional edges follow markers", () => {
    const lock = parseLock(fixture('pylock.pex.toml'), 'pylock.toml');
    expect(names(lock, linux311, { requirements })).toEqual(['app-dep 1', 'core 1']);
    expect(names(lock, linux312, { requirements })).toEqual(['app-dep 1', 'core 1', 'fast 1']);
    expect(names(lock, windows312, { requirements })).toEqual(['app-dep 1', 'colorama 0.4', 'core 1', 'fast 1']);
    expect(names(lock, linux311, { requirements: ['app-dep'] })).toEqual(['app-dep 1', 'core 1']);
    // Without the project's requirements: every package whose marker holds (PEP 751 installation).
    expect(names(lock, windows312)).toEqual(['app-dep 1', 'colorama 0.4', 'core 1', 'fast 1']);
    const stale = error(() => names(lock, linux311, { requirements: ['core>=2'] }));
    expect(stale.code).toBe('LOCK_OUTDATED');
    expect(stale.message).toMatch(/no package satisfying core>=2 .*regenerate it with the tool that wrote it \(pex\)/);
  });

  it('extras and dependency groups of a foreign lock must be declared by it', () => {
    const lock = parseLock(fixture('pylock.pex.toml'), 'pylock.toml');
    const err = error(() => names(lock, linux311, { dependencyGroups: ['test'] }));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toMatch(/declares no dependency group test \(it has none\)/);
  });
});

describe('PEP 751 selection with extras and dependency groups', () => {
  const sha = (c: string) => c.repeat(64);
  const wheel = (name: string) =>
    `wheels = [{ url = "https://files.example/${name.replace(/-/g, '_')}-1.0-py3-none-any.whl", hashes = { sha256 = "${sha('a')}" } }]`;
  // Hand-written in the shape uv/pex write, with PEP 751 lock-file markers.
  const text = [
    'lock-version = "1.0"',
    'extras = ["fancy"]',
    'dependency-groups = ["test", "dev-tools"]',
    'default-groups = ["main"]',
    'created-by = "hand"',
    '[[packages]]',
    'name = "web"',
    'version = "1.0"',
    'marker = "\'main\' in dependency_groups"',
    wheel('web'),
    '[[packages]]',
    'name = "pytest"',
    'version = "1.0"',
    'marker = "\'test\' in dependency_groups"',
    wheel('pytest'),
    '[[packages]]',
    'name = "lint"',
    'version = "1.0"',
    "marker = \"'dev-tools' in dependency_groups and sys_platform == 'linux'\"",
    wheel('lint'),
    '[[packages]]',
    'name = "fancy"',
    'version = "1.0"',
    'marker = "\'fancy\' in extras"',
    wheel('fancy'),
    '[[packages]]',
    'name = "tes"',
    'version = "1.0"',
    'marker = "\'tes\' in dependency_groups"',
    wheel('tes'),
    '[[packages]]',
    'name = "not-test"',
    'version = "1.0"',
    'marker = "\'test\' not in dependency_groups"',
    wheel('not-test'),
  ].join('\n');
  const lock = parseLock(text, 'pylock.toml');

  it('defaults to default-groups and no extras; requested groups replace the default (PEP 751 / packaging)', () => {
    expect(names(lock)).toEqual(['not-test 1.0', 'web 1.0']);
    expect(names(lock, linux311, { dependencyGroups: ['test'] })).toEqual(['pytest 1.0']);
    expect(names(lock, linux311, { dependencyGroups: ['main', 'test', 'Dev_Tools'] })).toEqual([
      'lint 1.0',
      'pytest 1.0',
      'web 1.0',
    ]);
    expect(names(lock, windows312, { dependencyGroups: ['dev-tools'] })).toEqual(['not-test 1.0']);
    expect(names(lock, linux311, { extras: ['FANCY'] })).toEqual(['fancy 1.0', 'not-test 1.0', 'web 1.0']);
  });

  it('membership is exact, not a substring test', () => {
    const env = { python_version: '3.11', sys_platform: 'linux' };
    expect(lockMarkerHolds("'tes' in dependency_groups", env, lockFileContext([], ['test']))).toBe(false);
    expect(lockMarkerHolds("'test' in dependency_groups", env, lockFileContext([], ['test']))).toBe(true);
    expect(lockMarkerHolds('"a" not in extras or python_version < "3"', env, lockFileContext(['a']))).toBe(false);
    expect(lockMarkerHolds("('x' in extras) and sys_platform == 'linux'", env, lockFileContext(['x']))).toBe(true);
  });

  it('two entries of one package selected together is an error (PEP 751 step 5.3)', () => {
    const twice = parseLock(
      `${text}\n[[packages]]\nname = "web"\nversion = "2.0"\n${wheel('web').replace('1.0', '2.0')}`,
      'pylock.toml',
    );
    expect(error(() => names(twice)).message).toMatch(/selects two entries of web/);
  });

  it('directory entries (the project itself) are skipped; vcs sources are refused', () => {
    const self = parseLock(`${text}\n[[packages]]\nname = "svc"\ndirectory = { path = "." }`, 'pylock.toml');
    expect(names(self)).toEqual(['not-test 1.0', 'web 1.0']);
    const vcs = parseLock(
      `${text}\n[[packages]]\nname = "gitdep"\nvcs = { type = "git", url = "https://example.com/x.git", commit-id = "abc" }`,
      'pylock.toml',
    );
    expect(error(() => names(vcs)).message).toMatch(/gitdep from a vcs source/);
    // Direct sources are kept through formatLock (lockSubsetHash and round trips see them).
    expect(formatLock(vcs)).toContain('vcs = { type = "git", url = "https://example.com/x.git", commit-id = "abc" }');
    expect(formatLock(parseLock(formatLock(self), 'pylock.toml'))).toBe(formatLock(self));
  });
});

describe('staleness of a foreign lock', () => {
  const uv = parseLock(fixture('pylock.uv.toml'), 'pylock.toml');

  it("is current when the project's requirements are present at satisfying versions, and says what it cannot check", () => {
    const status = isLockCurrent(uv, { svc: requirements }, '>=3.9', { targets: [linux311] });
    expect(status).toMatchObject({ current: true, reasons: [] });
    expect(status.unchecked.join('\n')).toMatch(/would pick the same versions/);
    expect(status.unchecked.join('\n')).toMatch(/records no environments/);
  });

  it('names a requirement the lock does not satisfy, a changed requires-python and an uncovered environment', () => {
    const status = isLockCurrent(uv, { svc: ['app-dep>=1', 'core>=2', 'newdep'] }, '>=3.10', { targets: [linux311] });
    expect(status.current).toBe(false);
    expect(status.reasons).toEqual([
      'requires-python is ">=3.10" but the lock was made for ">=3.9"',
      'project svc requires core>=2 but the lock has 1.0',
      'project svc requires newdep, which the lock does not have',
    ]);
    const pex = parseLock(
      fixture('pylock.pex.toml').replace(
        'default-groups = []',
        'default-groups = []\nenvironments = ["sys_platform == \'darwin\'"]',
      ),
      'pylock.toml',
    );
    expect(isLockCurrent(pex, { svc: requirements }, '>=3.9', { targets: [linux311] }).reasons).toEqual([
      "the lock's environments do not include CPython 3.11.0 (cp311-cp311-manylinux_2_28_x86_64)",
    ]);
  });

  it('isProjectLockCurrent gives a build the same answer for its project', () => {
    expect(
      isProjectLockCurrent(uv, 'svc', { requirements, requiresPython: '>=3.9', targets: [linux311] }).current,
    ).toBe(true);
    expect(isProjectLockCurrent(uv, 'svc', { requirements: ['core>=2'], targets: [linux311] }).reasons).toEqual([
      'project svc requires core>=2 but the lock has 1.0',
    ]);
  });

  it('a requirement whose marker excludes every target is not looked for', () => {
    expect(
      isLockCurrent(uv, { svc: [...requirements, 'winonly; sys_platform == "win32"'] }, '>=3.9', {
        targets: [linux311],
      }).current,
    ).toBe(true);
  });
});

describe('uv.lock beside pyproject.toml', () => {
  const text = fixture('uv.lock');
  const project = {
    name: 'svc',
    requirements: ['app-dep>=1', 'core<2'],
    requiresPython: '>=3.9',
    dependencyGroups: { test: ['pytest-fake'] },
    extras: { fancy: ['extra-thing'] },
  };

  it("keeps pyproject's specifiers as roots, extras and groups apart, so the build takes uv.lock's versions", () => {
    const lock = importUvLock(text, 'uv.lock');
    expect(lock.nxPex!.roots).toEqual({ svc: ['app-dep>=1', 'core<2'] });
    expect(lock.nxPex!.groups).toEqual({ svc: { test: ['pytest-fake'] } });
    expect(lock.nxPex!.extras).toEqual({ svc: { fancy: ['extra-thing'] } });
    // core 1.0 is locked although 2.0 is newer.
    expect(names(lock, linux311)).toEqual(['app-dep 1.0', 'core 1.0']);
    expect(names(lock, linux312, { extras: ['fancy'], dependencyGroups: ['test'] })).toEqual([
      'app-dep 1.0',
      'core 1.0',
      'extra-thing 1.0',
      'fast 1.0',
      'iniconfig-fake 1.0',
      'pytest-fake 1.0',
      'speedy 1.0',
    ]);
    expect(isUvLockCurrent(text, 'uv.lock', project)).toEqual({ current: true, reasons: [], unchecked: [] });
  });

  it("a uv workspace: a member requiring another member gets that member's requirements (markers and-ed)", () => {
    const file = (name: string) =>
      `wheels = [{ url = "https://files.example/${name}-1.0-py3-none-any.whl", hash = "sha256:${'ab'.repeat(32)}", size = 1 }]`;
    const workspace = [
      'version = 1',
      'requires-python = ">=3.9"',
      '[[package]]',
      'name = "svc"',
      'version = "0.1"',
      'source = { editable = "apps/svc" }',
      'dependencies = [{ name = "lib-a" }]',
      '[package.metadata]',
      'requires-dist = [{ name = "lib-a", editable = "libs/a", marker = "sys_platform == \'linux\'" }, { name = "core", specifier = "<2" }]',
      '[[package]]',
      'name = "lib-a"',
      'version = "0.1"',
      'source = { editable = "libs/a" }',
      'dependencies = [{ name = "app-dep" }]',
      '[package.metadata]',
      'requires-dist = [{ name = "app-dep", specifier = ">=1" }]',
      '[[package]]',
      'name = "app-dep"',
      'version = "1.0"',
      'source = { registry = "https://pypi.org/simple" }',
      'dependencies = [{ name = "core" }]',
      file('app_dep'),
      '[[package]]',
      'name = "core"',
      'version = "1.0"',
      'source = { registry = "https://pypi.org/simple" }',
      file('core'),
    ].join('\n');
    const lock = importUvLock(workspace, 'uv.lock');
    expect(lock.nxPex!.roots).toEqual({
      'lib-a': ['app-dep>=1'],
      svc: ["app-dep>=1; sys_platform == 'linux'", 'core<2'],
    });
    expect(names(lock, linux311)).toEqual(['app-dep 1.0', 'core 1.0']);
    expect(names(lock, windows312)).toEqual(['core 1.0']);
    // Staleness compares what svc's own pyproject says (lib-a, not lib-a's requirements).
    expect(
      isUvLockCurrent(workspace, 'uv.lock', {
        name: 'svc',
        requirements: ['lib-a; sys_platform == "linux"', 'core<2'],
        requiresPython: '>=3.9',
      }).current,
    ).toBe(true);
  });

  it('a stale uv.lock says so', () => {
    const status = isUvLockCurrent(text, 'uv.lock', {
      ...project,
      requirements: ['app-dep>=1', 'core<3'],
      dependencyGroups: { test: ['pytest-fake', 'cov'] },
    });
    expect(status.current).toBe(false);
    expect(status.reasons).toEqual([
      'uv.lock is out of date (run `uv lock`): project svc now requires core<3',
      'uv.lock is out of date (run `uv lock`): project svc no longer requires core<2',
      'uv.lock is out of date (run `uv lock`): project svc (dependency group test) now requires cov',
    ]);
    expect(isUvLockCurrent(text, 'uv.lock', { ...project, name: 'other' }).reasons[0]).toMatch(
      /has no workspace member other/,
    );
  });
});
