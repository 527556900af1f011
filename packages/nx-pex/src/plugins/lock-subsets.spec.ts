import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLock, type Lock, type LockPackage } from '@nx-pex/resolver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginCache } from '../utils/plugin-cache.js';
import { lockPartHashes, resolverLockPartHasher, type LockPartHasher } from './lock-subsets.js';
import { createNodes } from './plugin.js';

const sha = (c: string) => c.repeat(64);
const linux311 = {
  python_version: '3.11',
  python_full_version: '3.11.7',
  implementation_name: 'cpython',
  sys_platform: 'linux',
  platform_machine: 'x86_64',
  platform_python_implementation: 'CPython',
};

function pkg(name: string, version: string, hash: string, requiresDist: string[] = []): LockPackage {
  const filename = `${name}-${version}-py3-none-any.whl`;
  return {
    name,
    version,
    wheels: [{ name: filename, url: `https://files.example/${filename}`, size: 100, hashes: { sha256: sha(hash) } }],
    nxPex: { requiresDist },
  };
}

/** A workspace lock shared by api (web → core), cli (core) and job (tool; test group: pytest-ish "check"). */
function sharedLock(): Lock {
  return {
    lockVersion: '1.0',
    requiresPython: '>=3.11',
    createdBy: 'nx-pex',
    packages: [
      pkg('web', '2.0', 'a', ['core>=1']),
      pkg('core', '1.5', 'b'),
      pkg('tool', '1.0', 'c'),
      pkg('check', '3.0', 'd'),
    ],
    nxPex: {
      roots: { api: ['web>=2'], cli: ['core'], job: ['tool'] },
      groups: { job: { test: ['check'] } },
      targets: [{ python: '3.11.7', tag: 'cp311-cp311-manylinux_2_17_x86_64', markers: linux311 }],
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nx-pex-lock-parts-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('lockPartHashes', () => {
  const parts = [
    { project: 'api' },
    { project: 'cli' },
    { project: 'job' },
    { project: 'job', dependencyGroups: ['test'] },
  ];
  const hashes = async (lock: Lock, cache = new PluginCache<string>(join(dir, 'parts.json'))) =>
    lockPartHashes(formatLock(lock), parts, cache, (text) => resolverLockPartHasher(text, 'pylock.toml'));

  it('changes exactly the hashes of the projects whose part of the lock changed', async () => {
    const lock = sharedLock();
    const [api, cli, job, jobTest] = await hashes(lock);
    expect(new Set([api, cli, job, jobTest]).size).toBe(4);
    for (const h of [api, cli, job, jobTest]) expect(h).toMatch(/^[0-9a-f]{64}$/);

    // core is in api's and cli's parts (api through web): both change, job's do not.
    lock.packages[1]!.wheels[0]!.hashes.sha256 = sha('e');
    const afterCore = await hashes(lock);
    expect(afterCore[0]).not.toBe(api);
    expect(afterCore[1]).not.toBe(cli);
    expect(afterCore.slice(2)).toEqual([job, jobTest]);

    // The test group's package: only job's test environment changes, not its build.
    lock.packages[3]!.wheels[0]!.hashes.sha256 = sha('9');
    const afterCheck = await hashes(lock);
    expect(afterCheck.slice(0, 3)).toEqual(afterCore.slice(0, 3));
    expect(afterCheck[3]).not.toBe(jobTest);
  });

  it('parses the lock only when a part is not cached, and the cache survives a new run', async () => {
    const text = formatLock(sharedLock());
    let loads = 0;
    const load = async (t: string): Promise<LockPartHasher> => {
      loads += 1;
      return resolverLockPartHasher(t, 'pylock.toml');
    };
    const first = new PluginCache<string>(join(dir, 'parts.json'));
    const a = await lockPartHashes(text, parts, first, load);
    first.save();
    const second = new PluginCache<string>(join(dir, 'parts.json'));
    expect(await lockPartHashes(text, parts, second, load)).toEqual(a);
    expect(loads).toBe(1);
    // A new project (not cached yet) loads it again.
    await lockPartHashes(text, [...parts, { project: 'new' }], second, load);
    expect(loads).toBe(2);
  });

  it('gives a project the lock is not made for, or a lock that does not parse, a value that follows every edit of the lock', async () => {
    const text = formatLock(sharedLock());
    const cache = new PluginCache<string>(join(dir, 'parts.json'));
    const load = (t: string) => resolverLockPartHasher(t, 'pylock.toml');
    const [missing] = await lockPartHashes(text, [{ project: 'nope' }], cache, load);
    expect(missing).toMatch(/^unusable:LOCK_MISSING_PROJECT:[0-9a-f]{64}$/);
    const [other] = await lockPartHashes(`${text}\n# edited\n`, [{ project: 'nope' }], cache, load);
    expect(other).not.toBe(missing);
    const [broken] = await lockPartHashes('lock-version = [', [{ project: 'api' }], cache, load);
    expect(broken).toMatch(/^unusable:[A-Z_]+:[0-9a-f]{64}$/);
  });
});

describe('createNodes with a shared workspace lock', () => {
  const [pattern, create] = createNodes;
  const context = () => ({ workspaceRoot: dir, nxJsonConfiguration: {} }) as Parameters<typeof create>[2];
  const write = (rel: string, text: string) => writeFileSync(join(dir, rel), text);
  const buildOptions = async (files: string[]) => {
    const results = await create(files, {}, context());
    return Object.fromEntries(
      results.flatMap(([, r]) =>
        Object.values(r.projects ?? {}).map((p) => [p.name, p.targets?.['build']?.options as Record<string, unknown>]),
      ),
    );
  };

  it("puts each project's lock part hash in its build options, which change only when its part does", async () => {
    expect(pattern).toContain('pylock.toml');
    for (const name of ['api', 'cli', 'own']) {
      mkdirSync(join(dir, name));
      write(`${name}/pyproject.toml`, `[project]\nname = "${name}"\n`);
    }
    write('own/pylock.toml', formatLock({ ...sharedLock(), nxPex: { roots: { own: [] }, targets: [] }, packages: [] }));
    const lock = sharedLock();
    write('pylock.toml', formatLock(lock));
    const files = ['api/pyproject.toml', 'cli/pyproject.toml', 'own/pyproject.toml', 'own/pylock.toml', 'pylock.toml'];
    const before = await buildOptions(files);
    expect(before['api']?.['lockSubsetHash']).toMatch(/^[0-9a-f]{64}$/);
    expect(before['cli']?.['lockSubsetHash']).toMatch(/^[0-9a-f]{64}$/);
    // A project with its own lock has that file as an input instead.
    expect(before['own']).toEqual({ outputPath: 'dist/own/own.pex' });
    // The graph cache and the part cache live in Nx's workspace data directory.
    expect(JSON.parse(readFileSync(join(dir, '.nx', 'workspace-data', 'nx-pex-lock-parts.json'), 'utf8'))).toBeTypeOf(
      'object',
    );

    // web is api's alone: api's hash changes, cli's does not.
    lock.packages[0]!.wheels[0]!.hashes.sha256 = sha('f');
    write('pylock.toml', formatLock(lock));
    const after = await buildOptions(files);
    expect(after['api']?.['lockSubsetHash']).not.toBe(before['api']?.['lockSubsetHash']);
    expect(after['cli']).toEqual(before['cli']);
  });
});
