import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel, findPythons } from '@nx-pex/tools';
import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { fetchArtifacts } from '../fetch/fetch-artifacts.js';
import { inspectInterpreter } from '../interpreter/inspect.js';
import { fixtureSuite } from '../testing/fixture-suite.js';

// sdists built through PEP 517 with an in-tree backend (backend-path): no setuptools, no network.
// The backend imports `buildhelper` (a static build requirement, a wheel on the fixture index),
// asks for `colour` through get_requires_for_build_wheel, and logs each build to a file.
const { found } = await findPythons();
const python = found.find((p) => p.version === '3.12') ?? found.at(-1);

const BACKEND = (log: string, fail: boolean) => `
import base64, hashlib, os, zipfile

def get_requires_for_build_wheel(config_settings=None):
    return ["colour>=0.1"]

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    import buildhelper, colour
    ${fail ? 'raise RuntimeError("the backend refuses to build")' : ''}
    with open(${JSON.stringify(log)}, "a") as f:
        f.write("build\\n")
    name = "srcpkg-1.0-py3-none-any.whl"
    files = {
        "srcpkg/__init__.py": "VALUE = %r\\n" % buildhelper.VALUE,
        "srcpkg-1.0.dist-info/METADATA": "Metadata-Version: 2.1\\nName: srcpkg\\nVersion: 1.0\\nRequires-Dist: colour\\n",
        "srcpkg-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as z:
        for path, text in files.items():
            data = text.encode()
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (path, digest, len(data)))
        record.append("srcpkg-1.0.dist-info/RECORD,,")
        z.writestr("srcpkg-1.0.dist-info/RECORD", "\\n".join(record) + "\\n")
    return name
`;

async function writeSdist(work: string, wheels: string, name: string, version: string, backend: string): Promise<void> {
  const stem = `${name}-${version}`;
  const src = join(work, 'sdists', stem);
  await mkdir(join(src, '_build'), { recursive: true });
  await writeFile(join(src, 'PKG-INFO'), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
  await writeFile(join(src, 'pyproject.toml'), '[build-system]\nrequires = ["buildhelper"]\nbuild-backend = "backend"\nbackend-path = ["_build"]\n');
  await writeFile(join(src, '_build', 'backend.py'), backend);
  execFileSync('tar', ['czf', join(wheels, `${stem}.tar.gz`), '-C', join(work, 'sdists'), stem]);
}

let log = '';
const suite = fixtureSuite('nx-pex-sdist-', async (wheels) => {
  const work = join(wheels, '..');
  log = join(work, 'builds.log');
  await buildWheel({ name: 'buildhelper', version: '1.0', modules: { 'buildhelper/__init__.py': 'VALUE = "from-build-dep"\n' } }, wheels);
  await buildWheel({ name: 'colour', version: '0.5', modules: { 'colour/__init__.py': '' } }, wheels);
  await writeSdist(work, wheels, 'srcpkg', '1.0', BACKEND(log, false));
  await writeSdist(work, wheels, 'brokenpkg', '1.0', BACKEND(log, true));
});

describe.runIf(python)('sdist builds (PEP 517)', () => {
  it('builds a wheel in an isolated environment with build requirements resolved by the resolver, once per sdist', async () => {
    const target = await inspectInterpreter(python!.path);
    const fetch = () => fetchArtifacts({ requirements: ['srcpkg'], index: suite.index(), target, cacheDir: suite.cacheDir, sdistPython: python!.path });
    const [built, dep] = await fetch();
    expect(built!.filename).toBe('srcpkg-1.0-py3-none-any.whl');
    expect(built!.url).toBe(suite.server.fileUrl('srcpkg-1.0.tar.gz'));
    expect(built!.requiresDist).toEqual(['colour']);
    expect(dep!.name).toBe('colour');
    // The built module embeds what the build requirement provided.
    const value = execFileSync(python!.path, ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import srcpkg; print(srcpkg.VALUE)', built!.path], { encoding: 'utf8' });
    expect(value.trim()).toBe('from-build-dep');
    expect(built!.path).toContain(join(suite.cacheDir, 'built', 'sha256'));
    // Second run, same cache: no new build.
    const [again] = await fetch();
    expect(again!.path).toBe(built!.path);
    expect(again!.sha256).toBe(built!.sha256);
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(['build']);
  });

  it('reports a failing backend and a missing Python as SDIST_BUILD_ERROR, and sdists as NO_COMPATIBLE_WHEEL without a build Python', async () => {
    const target = await inspectInterpreter(python!.path);
    const attempt = (requirement: string, sdistPython?: string) => fetchArtifacts({ requirements: [requirement], index: suite.index(), target, cacheDir: suite.cacheDir, ...(sdistPython ? { sdistPython } : {}) })
      .then(() => undefined, (e: unknown) => e as ResolverError);
    const broken = await attempt('brokenpkg', python!.path);
    expect(broken).toBeInstanceOf(ResolverError);
    expect(broken!.code).toBe('SDIST_BUILD_ERROR');
    expect(broken!.message).toMatch(/brokenpkg-1\.0\.tar\.gz[\s\S]*the backend refuses to build/);
    const noPython = await attempt('srcpkg', join(await mkdtemp(join(suite.work, 'nopy-')), 'python3'));
    expect(noPython!.code).toBe('SDIST_BUILD_ERROR');
    expect(noPython!.message).toMatch(/no Python interpreter at/);
    expect((await attempt('srcpkg'))!.code).toBe('NO_COMPATIBLE_WHEEL');
  });
});
