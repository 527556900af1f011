import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel, findPythons, WRITE_WHEEL } from '@nx-pex/tools';
import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { fetchArtifacts } from '../fetch/fetch-artifacts.js';
import { inspectInterpreter } from '../interpreter/inspect.js';
import { fetchLocked } from '../lock/fetch-locked.js';
import { formatLock } from '../lock/format.js';
import { parseLock } from '../lock/parse.js';
import { resolveLock } from '../lock/resolve-lock.js';
import { selectFromLock } from '../lock/select.js';
import { targetFromAbbreviatedPlatform } from '../platform/foreign-target.js';
import { fixtureSuite } from '../testing/fixture-suite.js';

// sdists built through PEP 517 with an in-tree backend (backend-path): no setuptools, no network.
// The backend imports `buildhelper` (a static build requirement, a wheel on the fixture index),
// asks for `colour` through get_requires_for_build_wheel, and logs each build to a file.
const { found } = await findPythons();
const python = found.find((p) => p.version === '3.12') ?? found.at(-1);

const BACKEND = (log: string, fail: boolean) => `${WRITE_WHEEL}
def get_requires_for_build_wheel(config_settings=None):
    return ["colour>=0.1"]

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    import buildhelper, colour
    ${fail ? 'raise RuntimeError("the backend refuses to build")' : ''}
    with open(${JSON.stringify(log)}, "a") as f:
        f.write("build\\n")
    return write_wheel(wheel_directory, "srcpkg", "1.0", {"srcpkg/__init__.py": "VALUE = %r\\n" % buildhelper.VALUE}, ["colour"])
`;

async function writeSdist(work: string, wheels: string, name: string, version: string, backend: string): Promise<void> {
  const stem = `${name}-${version}`;
  const src = join(work, 'sdists', stem);
  await mkdir(join(src, '_build'), { recursive: true });
  await writeFile(join(src, 'PKG-INFO'), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
  await writeFile(
    join(src, 'pyproject.toml'),
    '[build-system]\nrequires = ["buildhelper"]\nbuild-backend = "backend"\nbackend-path = ["_build"]\n',
  );
  await writeFile(join(src, '_build', 'backend.py'), backend);
  execFileSync('tar', ['czf', join(wheels, `${stem}.tar.gz`), '-C', join(work, 'sdists'), stem]);
}

let log = '';
let sdistSha256 = '';
const builds = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
const suite = fixtureSuite('nx-pex-sdist-', async (wheels) => {
  const work = join(wheels, '..');
  log = join(work, 'builds.log');
  await buildWheel(
    { name: 'buildhelper', version: '1.0', modules: { 'buildhelper/__init__.py': 'VALUE = "from-build-dep"\n' } },
    wheels,
  );
  await buildWheel({ name: 'colour', version: '0.5', modules: { 'colour/__init__.py': '' } }, wheels);
  await writeSdist(work, wheels, 'srcpkg', '1.0', BACKEND(log, false));
  await writeSdist(work, wheels, 'brokenpkg', '1.0', BACKEND(log, true));
  sdistSha256 = createHash('sha256')
    .update(await readFile(join(wheels, 'srcpkg-1.0.tar.gz')))
    .digest('hex');
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ResolverError,
  );

describe.runIf(python)('sdist builds (PEP 517)', () => {
  it('builds a wheel in an isolated environment with build requirements resolved by the resolver, once per sdist', async () => {
    const target = await inspectInterpreter(python!.path);
    const fetch = () =>
      fetchArtifacts({
        requirements: ['srcpkg'],
        index: suite.index(),
        target,
        cacheDir: suite.cacheDir,
        sdistPython: python!.path,
      });
    const before = await builds();
    const [built, dep] = await fetch();
    expect(built!.filename).toBe('srcpkg-1.0-py3-none-any.whl');
    expect(built!.url).toBe(suite.server.fileUrl('srcpkg-1.0.tar.gz'));
    expect(built!.requiresDist).toEqual(['colour']);
    expect(dep!.name).toBe('colour');
    // The built module embeds what the build requirement provided.
    const value = execFileSync(
      python!.path,
      ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import srcpkg; print(srcpkg.VALUE)', built!.path],
      { encoding: 'utf8' },
    );
    expect(value.trim()).toBe('from-build-dep');
    // Cached by the sdist's sha256 and the build interpreter's tag.
    expect(built!.path).toBe(
      join(suite.cacheDir, 'built', 'sha256', sdistSha256.slice(0, 2), sdistSha256, target.tags[0]!, built!.filename),
    );
    // Second run, same cache: no new build.
    const [again] = await fetch();
    expect(again!.path).toBe(built!.path);
    expect(again!.sha256).toBe(built!.sha256);
    expect(await builds()).toBe(before + 1);
  });

  it('reports a failing backend and a missing Python as SDIST_BUILD_ERROR, and sdists as NO_COMPATIBLE_WHEEL when builds are off', async () => {
    const target = await inspectInterpreter(python!.path);
    const attempt = (requirement: string, sdistPython?: string) =>
      failure(
        fetchArtifacts({
          requirements: [requirement],
          index: suite.index(),
          target,
          cacheDir: suite.cacheDir,
          ...(sdistPython ? { sdistPython } : {}),
        }),
      );
    const broken = await attempt('brokenpkg', python!.path);
    expect(broken).toBeInstanceOf(ResolverError);
    expect(broken!.code).toBe('SDIST_BUILD_ERROR');
    expect(broken!.message).toMatch(/brokenpkg-1\.0\.tar\.gz[\s\S]*the backend refuses to build/);
    const noPython = await attempt('srcpkg', join(await mkdtemp(join(suite.work, 'nopy-')), 'python3'));
    expect(noPython!.code).toBe('SDIST_BUILD_ERROR');
    expect(noPython!.message).toMatch(/no Python interpreter at/);
    const off = await attempt('srcpkg');
    expect(off!.code).toBe('NO_COMPATIBLE_WHEEL');
    expect(off!.message).toMatch(/srcpkg 1\.0 is only available as a source distribution/);
    expect(off!.message).not.toMatch(/sdistPython/);
  });

  it('resolveLock builds an sdist-only dependency with the target interpreter and records the sdist (PEP 751); fetchLocked builds it once and then reuses the wheel cached by the sdist sha256', async () => {
    const target = await inspectInterpreter(python!.path);
    const lockCache = suite.cacheDir;
    const before = await builds();
    const lock = await resolveLock({
      roots: { app: ['srcpkg'] },
      index: suite.index(),
      targets: [target],
      cacheDir: lockCache,
      buildSdists: true,
    });
    expect(await builds()).toBe(before + 1);
    const entry = lock.packages.find((p) => p.name === 'srcpkg')!;
    expect(entry.wheels).toEqual([]);
    expect(entry.sdist).toEqual({
      name: 'srcpkg-1.0.tar.gz',
      url: suite.server.fileUrl('srcpkg-1.0.tar.gz'),
      size: expect.any(Number) as number,
      hashes: { sha256: sdistSha256 },
    });
    expect(entry.nxPex?.requiresDist).toEqual(['colour']);
    expect(lock.packages.find((p) => p.name === 'colour')!.wheels.map((w) => w.name)).toEqual([
      'colour-0.5-py3-none-any.whl',
    ]);
    // The sdist survives pylock.toml text.
    const text = formatLock(lock);
    expect(text).toMatch(/sdist = \{ name = "srcpkg-1\.0\.tar\.gz"/);
    const selected = selectFromLock(parseLock(text, 'pylock.toml'), 'app', target);
    expect(selected.map((a) => a.filename)).toEqual(['srcpkg-1.0.tar.gz', 'colour-0.5-py3-none-any.whl']);
    expect(selected[0]!.sha256).toBe(sdistSha256);

    // A fresh cache: the first fetchLocked builds, the second reuses the built wheel.
    const fetchCache = await mkdtemp(join(suite.work, 'fetch-cache-'));
    const fetch = (cacheDir: string) =>
      fetchLocked(selected, { index: suite.index(), cacheDir, sdistPython: python!.path });
    const [built, colour] = await fetch(fetchCache);
    expect(built!.filename).toBe('srcpkg-1.0-py3-none-any.whl');
    expect(built!.url).toBe(suite.server.fileUrl('srcpkg-1.0.tar.gz'));
    expect(colour!.filename).toBe('colour-0.5-py3-none-any.whl');
    expect(await builds()).toBe(before + 2);
    const [again] = await fetch(fetchCache);
    expect(again!.path).toBe(built!.path);
    expect(again!.sha256).toBe(built!.sha256);
    // The cache resolveLock built into serves fetchLocked too.
    const [fromLockTime] = await fetch(lockCache);
    expect(fromLockTime!.sha256).toBe(built!.sha256);
    expect(await builds()).toBe(before + 2);

    // Without an interpreter to build with: SDIST_NEEDS_PYTHON naming the package, no option names.
    const none = await failure(
      fetchLocked(selected, { index: suite.index(), cacheDir: await mkdtemp(join(suite.work, 'none-')) }),
    );
    expect(none!.code).toBe('SDIST_NEEDS_PYTHON');
    expect(none!.message).toMatch(
      /^srcpkg 1\.0 \(srcpkg-1\.0\.tar\.gz in the lock\) is only available as a source distribution, and building it needs a local interpreter/,
    );
    expect(none!.message).not.toMatch(/sdistPython|buildSdists/);
  });

  it('a foreign-platform target without a local interpreter gets SDIST_NEEDS_PYTHON naming the package and the platform', async () => {
    const foreign = targetFromAbbreviatedPlatform('manylinux2014_aarch64-cp-312-cp312');
    expect(foreign.python).toBeUndefined();
    const err = await failure(
      resolveLock({
        roots: { app: ['colour', 'srcpkg'] },
        index: suite.index(),
        targets: [foreign],
        cacheDir: suite.cacheDir,
        buildSdists: true,
      }),
    );
    expect(err!.code).toBe('SDIST_NEEDS_PYTHON');
    expect(err!.message).toMatch(
      /^srcpkg 1\.0 is only available as a source distribution \(from .*\), and building it needs a local interpreter for CPython 3\.12 \(cp312-cp312-manylinux_2_17_aarch64\)/,
    );
    expect(err!.message).not.toMatch(/sdistPython|buildSdists/);
  });
});
