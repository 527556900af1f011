import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { isLockCurrent } from './current.js';
import { formatLock } from './format.js';
import type { Lock, LockPackage } from './model.js';
import { parseLock } from './parse.js';
import { canonicalRequirement, lockSubsetHash, selectFromLock } from './select.js';

const sha = (c: string) => c.repeat(64);
const linux311 = {
  python_version: '3.11',
  python_full_version: '3.11.7',
  implementation_name: 'cpython',
  sys_platform: 'linux',
  platform_machine: 'x86_64',
  platform_python_implementation: 'CPython',
};

const cp311: TargetInterpreter = {
  implementation: 'cp',
  version: [3, 11, 7],
  tags: ['cp311-cp311-manylinux_2_17_x86_64', 'cp311-abi3-manylinux_2_17_x86_64', 'py3-none-any'],
  markers: linux311,
};
const cp312: TargetInterpreter = {
  implementation: 'cp',
  version: [3, 12, 1],
  tags: ['cp312-cp312-manylinux_2_17_x86_64', 'py3-none-any'],
  markers: { ...linux311, python_version: '3.12', python_full_version: '3.12.1' },
};
const win311: TargetInterpreter = {
  implementation: 'cp',
  version: [3, 11, 7],
  tags: ['cp311-cp311-win_amd64', 'py3-none-any'],
  markers: { ...linux311, sys_platform: 'win32', platform_machine: 'AMD64' },
};

function pkg(
  name: string,
  version: string,
  wheels: string[],
  requiresDist: string[] = [],
  extra: Partial<LockPackage> = {},
): LockPackage {
  return {
    name,
    version,
    wheels: wheels.map((w, i) => ({
      name: w,
      url: `https://files.example/${w}`,
      size: 100 + i,
      hashes: { sha256: sha(String.fromCharCode(97 + i)) },
    })),
    nxPex: { requiresDist },
    ...extra,
  };
}

/** Two projects share this lock: api → web[async] → (core, aio via extra), colorama on win32; cli → core. */
function sample(): Lock {
  return {
    lockVersion: '1.0',
    environments: ["python_version == '3.11' and sys_platform == 'linux'"],
    requiresPython: '>=3.11',
    createdBy: 'nx-pex',
    packages: [
      pkg(
        'web',
        '2.0',
        ['web-2.0-py3-none-any.whl'],
        ['core>=1', 'aio; extra == "async"', 'colorama; sys_platform == "win32"'],
      ),
      pkg('core', '1.5', ['core-1.5-py3-none-any.whl', 'core-1.5-cp311-cp311-manylinux_2_17_x86_64.whl']),
      pkg('aio', '0.9', ['aio-0.9-py3-none-any.whl']),
      pkg('colorama', '0.4.6', ['colorama-0.4.6-py2.py3-none-any.whl'], [], { marker: "sys_platform == 'win32'" }),
      pkg('tool', '1.0', ['tool-1.0-py3-none-any.whl']),
    ],
    nxPex: {
      roots: { api: ['web[async]>=2'], cli: ['core'], other: ['tool'] },
      targets: [{ python: '3.11.7', tag: cp311.tags[0]!, markers: linux311 }],
    },
  };
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ResolverError);
    return `${(err as ResolverError).code}: ${(err as Error).message}`;
  }
  throw new Error('expected a ResolverError');
}

describe('formatLock / parseLock', () => {
  it('round-trips, and formatting is deterministic whatever the input order', () => {
    const lock = sample();
    const text = formatLock(lock);
    expect(parseLock(text, 'pylock.toml')).toEqual(parseLock(formatLock(parseLock(text, 'x')), 'y'));
    const shuffled = {
      ...lock,
      packages: [...lock.packages].reverse().map((p) => ({ ...p, wheels: [...p.wheels].reverse() })),
    };
    expect(formatLock(shuffled)).toBe(text);
    expect(formatLock(parseLock(text, 'pylock.toml'))).toBe(text);
    // Sorted packages: aio, colorama, core, tool, web.
    expect([...text.matchAll(/^name = "(.+)"$/gm)].map((m) => m[1])).toEqual([
      'aio',
      'colorama',
      'core',
      'tool',
      'web',
    ]);
  });

  it('writes the keys in PEP 751 order and only fields PEP 751 defines (plus [tool])', () => {
    const doc = parseToml(formatLock(sample())) as Record<string, unknown>;
    const top = [
      'lock-version',
      'environments',
      'requires-python',
      'extras',
      'dependency-groups',
      'default-groups',
      'created-by',
      'packages',
      'tool',
    ];
    expect(Object.keys(doc)).toEqual(top.filter((k) => k in doc));
    const packageKeys = [
      'name',
      'version',
      'marker',
      'requires-python',
      'dependencies',
      'vcs',
      'directory',
      'archive',
      'index',
      'sdist',
      'wheels',
      'attestation-identities',
      'tool',
    ];
    const fileKeys = ['name', 'upload-time', 'url', 'path', 'size', 'hashes'];
    for (const p of doc.packages as Record<string, unknown>[]) {
      expect(Object.keys(p)).toEqual(packageKeys.filter((k) => k in p));
      for (const w of p.wheels as Record<string, unknown>[])
        expect(Object.keys(w)).toEqual(fileKeys.filter((k) => k in w));
    }
    expect(doc['lock-version']).toBe('1.0');
    expect(doc['created-by']).toBe('nx-pex');
  });

  it('escapes strings and never writes credentials', () => {
    const lock = sample();
    lock.packages[0]!.wheels[0]!.url = 'https://user:s3cret@files.example/web-2.0-py3-none-any.whl';
    lock.packages[0]!.index = 'https://user:s3cret@idx.example/simple/';
    lock.nxPex!.roots['odd "name"'] = ['core; python_version >= "3"\t'];
    const text = formatLock(lock);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('user@');
    const back = parseLock(text, 'pylock.toml');
    expect(back.nxPex!.roots['odd "name"']).toEqual(['core; python_version >= "3"\t']);
  });

  it('writes `packages = []` for an empty lock', () => {
    const text = formatLock({
      lockVersion: '1.0',
      createdBy: 'nx-pex',
      packages: [],
      nxPex: { roots: { a: [] }, targets: [] },
    });
    expect(parseLock(text, 'pylock.toml').packages).toEqual([]);
  });

  it.each([
    ['not toml [', /pylock\.toml is not valid TOML/],
    ['created-by = "x"\npackages = []', /pylock\.toml: lock-version is required/],
    ['lock-version = "2.0"\ncreated-by = "x"\npackages = []', /lock-version is "2\.0"; only 1\.x/],
    ['lock-version = "1.0"\npackages = []', /created-by is required/],
    ['lock-version = "1.0"\ncreated-by = "x"', /packages is required/],
    ['lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nversion = "1"', /packages\[0\]\.name is required/],
    ['lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "-bad"', /packages\[0\]\.name is not a valid name/],
    [
      'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nversion = "one"',
      /packages\[0\]\.version is not a valid PEP 440 version/,
    ],
    [
      'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nmarker = "python_version >"',
      /packages\[0\]\.marker is not a valid PEP 508 marker/,
    ],
    [
      'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nwheels = [{ url = "https://x/a-1-py3-none-any.whl", hashes = {} }]',
      /packages\[0\]\.wheels\[0\]\.hashes must hold at least one hash/,
    ],
    [
      'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nwheels = [{ url = "https://x/a-1-py3-none-any.whl", hashes = { sha256 = "abc" } }]',
      /wheels\[0\]\.hashes\.sha256 must be 64 hex digits/,
    ],
    [
      'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nwheels = [{ hashes = { sha256 = "' +
        sha('a') +
        '" } }]',
      /wheels\[0\] needs a url or a path/,
    ],
    [
      'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\nwheels = [{ url = "https://x/a-1-py3-none-any.whl", size = -1, hashes = { md5 = "' +
        'ab'.repeat(16) +
        '" } }]',
      /wheels\[0\]\.size must be a non-negative integer/,
    ],
    [
      'lock-version = "1.0"\ncreated-by = "x"\npackages = []\n[tool.nx-pex.roots]\napi = ["requests >="]',
      /tool\.nx-pex\.roots\.api\[0\] is not a valid PEP 508 requirement/,
    ],
    [
      'lock-version = "1.0"\ncreated-by = "x"\npackages = []\n[[tool.nx-pex.targets]]\npython = "3.11"',
      /tool\.nx-pex\.targets\[0\]\.markers must be a table/,
    ],
  ])('rejects %j', (text, message) => {
    const err = codeOf(() => parseLock(text, 'pylock.toml'));
    expect(err).toMatch(/^INVALID_LOCK: /);
    expect(err).toMatch(message);
  });

  it('reads a lock written by another tool (no [tool.nx-pex], unknown keys, upload-time)', () => {
    const text = [
      'lock-version = "1.0"',
      'created-by = "uv"',
      'requires-python = ">=3.9"',
      'extras = []',
      '[[packages]]',
      'name = "charset-normalizer"',
      'version = "3.4.0"',
      'dependencies = [{ name = "idna" }]',
      'wheels = [{ url = "https://x/charset_normalizer-3.4.0-py3-none-any.whl", upload-time = 2024-10-09T07:40:20Z, size = 3, hashes = { sha256 = "' +
        sha('c') +
        '" } }]',
      '[[packages]]',
      'name = "idna"',
      'version = "3.10"',
      'wheels = [{ url = "https://x/idna-3.10-py3-none-any.whl", hashes = { SHA256 = "' + sha('D') + '" } }]',
    ].join('\n');
    const lock = parseLock(text, 'pylock.toml');
    expect(lock.packages.map((p) => p.name)).toEqual(['charset-normalizer', 'idna']);
    expect(lock.packages[1]!.wheels[0]!.hashes).toEqual({ sha256: sha('d') });
    expect(lock.nxPex).toBeUndefined();
  });
});

describe('selectFromLock', () => {
  it('walks each project from its own roots (extras, markers for the target)', () => {
    const lock = sample();
    const api = selectFromLock(lock, 'api', cp311);
    expect(api.map((a) => `${a.name} ${a.version} ${a.filename}`)).toEqual([
      'web 2.0 web-2.0-py3-none-any.whl',
      'core 1.5 core-1.5-cp311-cp311-manylinux_2_17_x86_64.whl',
      'aio 0.9 aio-0.9-py3-none-any.whl',
    ]);
    expect(api[1]).toEqual({
      name: 'core',
      version: '1.5',
      filename: 'core-1.5-cp311-cp311-manylinux_2_17_x86_64.whl',
      url: 'https://files.example/core-1.5-cp311-cp311-manylinux_2_17_x86_64.whl',
      sha256: sha('b'),
      size: 101,
    });
    expect(selectFromLock(lock, 'cli', cp311).map((a) => a.name)).toEqual(['core']);
    expect(selectFromLock(lock, 'other', cp311).map((a) => a.name)).toEqual(['tool']);
  });

  it('picks the best wheel per target (cp311 manylinux vs py3-none-any) and follows target markers', () => {
    const lock = sample();
    expect(selectFromLock(lock, 'cli', cp312).map((a) => a.filename)).toEqual(['core-1.5-py3-none-any.whl']);
    expect(selectFromLock(lock, 'api', win311).map((a) => a.filename)).toEqual([
      'web-2.0-py3-none-any.whl',
      'core-1.5-py3-none-any.whl',
      'aio-0.9-py3-none-any.whl',
      'colorama-0.4.6-py2.py3-none-any.whl',
    ]);
  });

  it('without the extra, the extra-only dependency is not selected', () => {
    const lock = sample();
    lock.nxPex!.roots.api = ['web>=2'];
    expect(selectFromLock(lock, 'api', cp311).map((a) => a.name)).toEqual(['web', 'core']);
  });

  it('chooses among several entries of one name by marker', () => {
    const lock = sample();
    lock.packages.push(pkg('tool', '0.5', ['tool-0.5-py3-none-any.whl'], [], { marker: "sys_platform == 'win32'" }));
    lock.packages[4]!.marker = "sys_platform == 'linux'";
    expect(selectFromLock(lock, 'other', win311).map((a) => a.version)).toEqual(['0.5']);
    expect(selectFromLock(lock, 'other', cp311).map((a) => a.version)).toEqual(['1.0']);
  });

  it('names the problem: missing project, no wheel for the target, stale lock, Python outside requires-python', () => {
    const lock = sample();
    expect(codeOf(() => selectFromLock(lock, 'nope', cp311))).toMatch(
      /^LOCK_MISSING_PROJECT: .*no roots for project nope \(it was made for api, cli, other\).*nx run nope:lock/,
    );
    lock.packages[1]!.wheels = lock.packages[1]!.wheels.slice(1);
    expect(codeOf(() => selectFromLock(lock, 'cli', cp312))).toMatch(
      /^NO_COMPATIBLE_WHEEL: The lock has no wheel of core 1\.5 for CPython 3\.12\.1 \(cp312-cp312-manylinux_2_17_x86_64\) \(it holds core-1\.5-cp311-cp311-manylinux_2_17_x86_64\.whl\)/,
    );
    lock.nxPex!.roots.cli = ['core>=2'];
    expect(codeOf(() => selectFromLock(lock, 'cli', cp311))).toMatch(
      /^LOCK_OUTDATED: .*core>=2 \(required by project cli\).*nx run cli:lock/,
    );
    lock.requiresPython = '>=3.12';
    expect(codeOf(() => selectFromLock(lock, 'other', cp311))).toMatch(
      /^NO_COMPATIBLE_WHEEL: The lock requires Python >=3\.12/,
    );
  });

  it('follows PEP 751 dependencies when a foreign lock has no Requires-Dist table', () => {
    const lock = sample();
    for (const p of lock.packages) delete p.nxPex;
    lock.packages[0]!.dependencies = [{ name: 'core', version: '1.5' }];
    expect(selectFromLock(lock, 'api', cp311).map((a) => a.name)).toEqual(['web', 'core']);
  });
});

describe('lockSubsetHash', () => {
  it('depends only on the project subset', () => {
    const lock = sample();
    const api = lockSubsetHash(lock, 'api');
    const cli = lockSubsetHash(lock, 'cli');
    expect(api).toMatch(/^[0-9a-f]{64}$/);
    expect(cli).not.toBe(api);
    // Another project's package changes: api and cli keep their hash.
    lock.packages[4]!.version = '1.1';
    lock.nxPex!.roots.other = ['tool>=1.1'];
    expect(lockSubsetHash(lock, 'api')).toBe(api);
    expect(lockSubsetHash(lock, 'cli')).toBe(cli);
    // A package in api's subset changes: api's hash changes, cli's does not.
    lock.packages[2]!.wheels[0]!.hashes.sha256 = sha('f');
    expect(lockSubsetHash(lock, 'api')).not.toBe(api);
    expect(lockSubsetHash(lock, 'cli')).toBe(cli);
    // The colorama edge is only taken for win32: a win32 target widens api's subset.
    const before = lockSubsetHash(lock, 'api');
    lock.nxPex!.targets.push({ python: '3.11.7', markers: win311.markers! });
    expect(lockSubsetHash(lock, 'api')).not.toBe(before);
    expect(codeOf(() => lockSubsetHash(lock, 'nope'))).toMatch(/^LOCK_MISSING_PROJECT/);
  });
});

describe('isLockCurrent', () => {
  it('compares canonical roots and requires-python', () => {
    const lock = sample();
    const roots = { api: ['Web[ASYNC] >= 2'], cli: ['core'], other: ['tool'] };
    expect(isLockCurrent(lock, roots, '>=3.11')).toEqual({ current: true, reasons: [], unchecked: [] });
    expect(isLockCurrent(lock, { ...roots, api: ['web[async]>=2', 'idna'], cli: [] }, '>=3.12').reasons).toEqual([
      'project api now requires idna',
      'project cli no longer requires core',
      'requires-python is ">=3.12" but the lock was made for ">=3.11"',
    ]);
    expect(isLockCurrent(lock, { api: roots.api, cli: roots.cli, new: ['x'] }, '>=3.11').reasons).toEqual([
      'project new is not in the lock',
      'project other is in the lock but no longer uses it',
    ]);
    // Without [tool.nx-pex] it is checked as another tool's lock: the requirements are present.
    delete lock.nxPex;
    expect(isLockCurrent(lock, roots).current).toBe(true);
    expect(isLockCurrent(lock, roots).unchecked.length).toBeGreaterThan(0);
  });

  it('compares requires-python with the projects range the lock recorded when its own is narrower', () => {
    const lock = sample();
    const roots = { api: ['web[async]>=2'], cli: ['core'], other: ['tool'] };
    lock.requiresPython = '>=3.11';
    lock.nxPex!.requiresPython = '>=3.10';
    const again = parseLock(formatLock(lock), 'pylock.toml');
    expect(again.requiresPython).toBe('>=3.11');
    expect(again.nxPex!.requiresPython).toBe('>=3.10');
    expect(isLockCurrent(again, roots, '>=3.10').current).toBe(true);
    expect(isLockCurrent(again, roots, '>=3.11').reasons).toEqual([
      'requires-python is ">=3.11" but the lock was made for ">=3.10"',
    ]);
  });

  it('canonical requirements ignore spelling', () => {
    expect(canonicalRequirement('Foo_Bar[B,a] >=1.0 , <2 ; python_version >= "3.8"')).toBe(
      'foo-bar[a,b]<2,>=1.0; python_version >= "3.8"',
    );
  });
});
