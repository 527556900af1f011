import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWheel, startFixtureIndex, writeFileIndex, type FixtureIndex } from '@nx-pex/tools';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { fetchArtifacts, type FetchOptions } from './fetch-artifacts.js';

const target: TargetInterpreter = {
  implementation: 'cp',
  version: [3, 11, 7],
  tags: ['cp311-cp311-manylinux_2_17_x86_64', 'cp311-abi3-manylinux_2_17_x86_64', 'py3-none-any'],
};

let work: string;
let wheels: string;
let server: FixtureIndex;
let cacheDir: string;

function index(url: string): IndexConfig {
  return { indexUrl: url, extraIndexUrls: [], findLinks: [], noIndex: false };
}

function fetch(requirements: string[], extra: Partial<FetchOptions> = {}) {
  return fetchArtifacts({ requirements, index: index(server.url), target, cacheDir, http: { backoffMs: 5 }, ...extra });
}

async function rejection(p: Promise<unknown>): Promise<ResolverError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResolverError);
  return err as ResolverError;
}

const fileRequests = () => server.requests.filter((r) => r.path.startsWith('/files/') && !r.path.endsWith('.metadata'));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-resolver-'));
  wheels = join(work, 'wheels');
  await buildWheel(
    {
      name: 'Greet_Lib',
      version: '1.0',
      requiresDist: ['colour>=1; extra == "fancy"'],
      modules: { 'greet/__init__.py': 'X = 1\n' },
    },
    wheels,
  );
  await buildWheel({ name: 'greet-lib', version: '2.0', modules: { 'greet/__init__.py': 'X = 2\n' } }, wheels);
  // Two wheels of one version: the better tag (earlier in target.tags) must win.
  await buildWheel(
    { name: 'native', version: '1.0', pythonTag: 'cp311', abiTag: 'abi3', platformTag: 'manylinux_2_17_x86_64' },
    wheels,
  );
  await buildWheel(
    { name: 'native', version: '1.0', pythonTag: 'cp311', abiTag: 'cp311', platformTag: 'manylinux_2_17_x86_64' },
    wheels,
  );
  await buildWheel({ name: 'native', version: '1.0' }, wheels);
  await buildWheel(
    { name: 'winonly', version: '1.0', pythonTag: 'cp311', abiTag: 'cp311', platformTag: 'win_amd64' },
    wheels,
  );
  await buildWheel({ name: 'newpy', version: '1.0', requiresPython: '>=3.12' }, wheels);
  await buildWheel({ name: 'gone', version: '1.0' }, wheels);
  await mkdir(join(work, 'srconly-1.0'));
  // A small graph for transitive resolution: markers, extras, backtracking, pre-releases, conflicts.
  await buildWheel(
    { name: 'top', version: '1.0', requiresDist: ['lib>=1', 'helper[fast]', 'winonly2; sys_platform == "win32"'] },
    wheels,
  );
  await buildWheel({ name: 'lib', version: '2.0', requiresDist: ['nothere>=1'] }, wheels);
  await buildWheel({ name: 'lib', version: '1.0', requiresDist: ['base>=1'] }, wheels);
  await buildWheel(
    { name: 'helper', version: '1.0', requiresDist: ['speedup; extra == "fast"', 'slow; extra == "slow"'] },
    wheels,
  );
  await buildWheel({ name: 'base', version: '1.0' }, wheels);
  await buildWheel({ name: 'base', version: '1.1', requiresPython: '<3' }, wheels);
  await buildWheel({ name: 'speedup', version: '1.0' }, wheels);
  await buildWheel({ name: 'prerel', version: '1.0b1' }, wheels);
  await buildWheel({ name: 'c1', version: '1.0', requiresDist: ['shared<2'] }, wheels);
  await buildWheel({ name: 'c2', version: '1.0', requiresDist: ['shared>=2'] }, wheels);
  await buildWheel({ name: 'shared', version: '1.0' }, wheels);
  await buildWheel({ name: 'shared', version: '2.0' }, wheels);
  await writeFile(join(work, 'srconly-1.0', 'PKG-INFO'), 'Metadata-Version: 2.1\nName: srconly\nVersion: 1.0\n');
  execFileSync('tar', ['czf', join(wheels, 'srconly-1.0.tar.gz'), '-C', work, 'srconly-1.0']);
  server = await startFixtureIndex({ wheelsDir: wheels });
});

afterAll(async () => {
  await server.close();
  await rm(work, { recursive: true, force: true });
});

beforeEach(async () => {
  cacheDir = await mkdtemp(join(work, 'cache-'));
  server.setFaults({});
  server.requests.length = 0;
});

describe('fetchArtifacts over HTTP', () => {
  it('downloads pinned wheels in input order, content-addressed, with metadata', async () => {
    const [greet, native] = await fetch([' greet.LIB == 1.0 ', 'native==1.0']);
    expect(greet).toMatchObject({
      name: 'greet-lib',
      version: '1.0',
      filename: 'greet_lib-1.0-py3-none-any.whl',
      requiresDist: ['colour>=1; extra == "fancy"'],
    });
    expect(greet?.path).toBe(
      join(cacheDir, 'wheels', 'sha256', greet!.sha256.slice(0, 2), greet!.sha256, greet!.filename),
    );
    expect(greet?.url).toBe(`${server.root}files/greet_lib-1.0-py3-none-any.whl`);
    expect(native?.filename).toBe('native-1.0-cp311-cp311-manylinux_2_17_x86_64.whl');
  });

  it('serves a second call from the cache without downloading again', async () => {
    const [first] = await fetch(['greet-lib==2.0']);
    expect(fileRequests()).toHaveLength(1);
    server.requests.length = 0;
    const [second] = await fetch(['greet-lib==2.0']);
    expect(fileRequests()).toHaveLength(0);
    expect(second).toEqual(first);
  });

  it('replaces a corrupt cache entry', async () => {
    const [first] = await fetch(['greet-lib==2.0']);
    await writeFile(first!.path, 'corrupted');
    const [second] = await fetch(['greet-lib==2.0']);
    expect(second?.sha256).toBe(first?.sha256);
    expect(fileRequests()).toHaveLength(2);
  });

  it('rejects a hash mismatch and keeps nothing', async () => {
    server.setFaults({ wrongSha256: true });
    const err = await rejection(fetch(['gone==1.0']));
    expect(err.code).toBe('HASH_MISMATCH');
    expect(err.message).toContain('gone-1.0-py3-none-any.whl');
    const left = await readdir(join(cacheDir, 'wheels', 'sha256'), { recursive: true });
    expect(left.filter((f) => f.endsWith('.whl') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('allows a yanked release when pinned exactly (PEP 592)', async () => {
    server.setFaults({ yanked: { 'gone-1.0-py3-none-any.whl': 'broken' } });
    const [gone] = await fetch(['gone==1.0']);
    expect(gone?.version).toBe('1.0');
  });

  it('skips files whose requires-python excludes the target', async () => {
    const err = await rejection(fetch(['newpy==1.0']));
    expect(err.code).toBe('NO_MATCHING_DISTRIBUTION');
    expect(err.message).toContain('newpy');
  });

  it('explains when only an sdist or incompatible wheels exist', async () => {
    const sdist = await rejection(fetch(['srconly==1.0']));
    expect(sdist.code).toBe('NO_COMPATIBLE_WHEEL');
    expect(sdist.message).toMatch(/source distribution.*building sdists is turned off/);
    expect(sdist.message).not.toMatch(/sdistPython/);
    const win = await rejection(fetch(['winonly==1.0']));
    expect(win.code).toBe('NO_COMPATIBLE_WHEEL');
    expect(win.message).toContain('win_amd64');
  });

  it('reports an unknown version or project with the index URL', async () => {
    const err = await rejection(fetch(['greet-lib==3.0']));
    expect(err.code).toBe('NO_MATCHING_DISTRIBUTION');
    expect(err.message).toContain(server.url);
    expect(err.message).toContain('2.0, 1.0');
    expect((await rejection(fetch(['nope==1.0']))).code).toBe('NO_MATCHING_DISTRIBUTION');
  });

  it('retries 5xx and connection resets', async () => {
    server.setFaults({ status5xx: { 'simple/gone/': 2 }, resetConnection: { 'gone-1.0-py3-none-any.whl': 1 } });
    const [gone] = await fetch(['gone==1.0']);
    expect(gone?.name).toBe('gone');
    expect(server.requests.filter((r) => r.fault).length).toBe(3);
  });

  it('gives up after bounded retries with INDEX_ERROR', async () => {
    server.setFaults({ status5xx: true });
    const err = await rejection(fetch(['gone==1.0'], { http: { retries: 2, backoffMs: 1 } }));
    expect(err.code).toBe('INDEX_ERROR');
    expect(server.requests).toHaveLength(3);
  });

  it('rejects what is not a PEP 508 requirement', async () => {
    const err = await rejection(fetch(['gone >>= 1.0']));
    expect(err.code).toBe('INVALID_REQUIREMENT');
    expect(err.message).toContain('gone >>= 1.0');
  });

  it('reports progress for the index, the metadata walk and downloads', async () => {
    const seen: string[] = [];
    await fetch(['gone==1.0'], { onProgress: (p) => seen.push(`${p.phase}:${p.project}:${p.done}/${p.total}`) });
    expect(seen).toContain('index:gone:1/1');
    expect(seen).toContain('metadata:gone 1.0:1/1');
    expect(seen).toContain('download:gone:1/1');
  });
});

describe('fetchArtifacts resolves transitively', () => {
  const env = { sys_platform: 'linux', os_name: 'posix', platform_machine: 'x86_64' };

  it('follows Requires-Dist with markers and extras, backtracking past a dead end', async () => {
    const artifacts = await fetch(['top'], { target: { ...target, markers: env } });
    expect(artifacts.map((a) => `${a.name}==${a.version}`)).toEqual([
      'top==1.0',
      'lib==1.0',
      'helper==1.0',
      'base==1.0',
      'speedup==1.0',
    ]);
  });

  it('puts requested projects first and skips roots whose marker does not apply', async () => {
    const artifacts = await fetch(['base', 'lib<2', 'winonly; sys_platform == "win32"'], {
      target: { ...target, markers: env },
    });
    expect(artifacts.map((a) => a.name)).toEqual(['base', 'lib']);
  });

  it('takes a pre-release only when nothing else satisfies', async () => {
    expect((await fetch(['prerel']))[0]?.version).toBe('1.0b1');
    expect((await fetch(['shared']))[0]?.version).toBe('2.0');
  });

  it('reports a conflict naming who requires what', async () => {
    const err = await rejection(fetch(['c1', 'c2']));
    expect(err.code).toBe('RESOLUTION_CONFLICT');
    expect(err.message).toContain('c1 1.0 requires shared<2');
    expect(err.message).toContain('c2 1.0 requires shared>=2');
  });
});

describe('fetchArtifacts from file:// indexes and find-links', () => {
  it('reads a file:// index', async () => {
    const fileIndex = await writeFileIndex(wheels, join(work, 'file-index'));
    const [greet] = await fetch(['greet-lib==2.0'], { index: index(fileIndex.url) });
    expect(greet?.url.startsWith('file://')).toBe(true);
    expect(greet?.version).toBe('2.0');
  });

  it('reads a find-links directory with no index', async () => {
    const config: IndexConfig = { indexUrl: server.url, extraIndexUrls: [], findLinks: [wheels], noIndex: true };
    const [native] = await fetch(['native==1.0'], { index: config });
    expect(native?.filename).toBe('native-1.0-cp311-cp311-manylinux_2_17_x86_64.whl');
    expect(server.requests).toHaveLength(0);
  });
});
