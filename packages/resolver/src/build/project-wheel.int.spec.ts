import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel, findPythons, WRITE_WHEEL, gitIn } from '@nx-pex/tools';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { inspectInterpreter } from '../interpreter/inspect.js';
import { fixtureSuite } from '../testing/fixture-suite.js';
import { buildBackendReason } from './needs-backend.js';
import { buildProjectWheel } from './project-wheel.js';

// First-party projects built with their own PEP 517 backend (in-tree, backend-path): `vcsproj` takes
// its version from `git describe` through the console script of its build requirement `vcshelper` (a
// wheel on the fixture index; a stand-in for hatch-vcs) and generates vcsproj/_version.py; `dynproj` has
// dynamic = ["version"] read from its sources and asks for `colour` via get_requires_for_build_wheel.
// Each backend logs "start"/"end" per build.
const { found } = await findPythons();
const python = found.find((p) => p.version === '3.12') ?? found.at(-1);

const VCSHELPER = `import subprocess

def version_from_git():
    r = subprocess.run(["git", "describe", "--tags"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if r.returncode:
        raise LookupError("vcshelper was unable to detect version: " + r.stderr.strip())
    return r.stdout.strip().lstrip("v")

def cli():
    print(version_from_git())
`;

const VCS_BACKEND = (log: string) => `${WRITE_WHEEL}
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    import subprocess, vcstools.helper
    with open(${JSON.stringify(log)}, "a") as f:
        f.write("start\\n")
    # The build requirement's console script, found on PATH (as cmake or cython would be).
    version = subprocess.check_output(["vcs-describe"], universal_newlines=True).strip()
    banner = subprocess.check_output(["vcs-banner"], universal_newlines=True).strip()
    with open("vcsproj/__init__.py") as f:
        init = f.read()
    files = {"vcsproj/__init__.py": init, "vcsproj/_version.py": "__version__ = %r\\nBANNER = %r\\n" % (version, banner)}
    name = write_wheel(wheel_directory, "vcsproj", version, files, ["colour>=0.1"])
    with open(${JSON.stringify(log)}, "a") as f:
        f.write("end\\n")
    return name
`;

const DYN_BACKEND = (log: string) => `${WRITE_WHEEL}
import re

def get_requires_for_build_wheel(config_settings=None):
    return ["colour"]

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    import colour
    with open(${JSON.stringify(log)}, "a") as f:
        f.write("start\\nend\\n")
    with open("dynproj/__init__.py") as f:
        init = f.read()
    version = re.search(r'__version__ = "([^"]+)"', init).group(1)
    return write_wheel(wheel_directory, "dynproj", version, {"dynproj/__init__.py": init})
`;

const pyproject = (name: string, requires: string[]) => `[project]
name = "${name}"
dynamic = ["version"]

[build-system]
requires = ${JSON.stringify(requires)}
build-backend = "backend"
backend-path = ["_build"]
`;

async function writeProject(
  dir: string,
  name: string,
  requires: string[],
  backend: string,
  init: string,
): Promise<void> {
  await mkdir(join(dir, '_build'), { recursive: true });
  await mkdir(join(dir, name));
  await writeFile(join(dir, 'pyproject.toml'), pyproject(name, requires));
  await writeFile(join(dir, '_build', 'backend.py'), backend);
  await writeFile(join(dir, name, '__init__.py'), init);
}

const git = gitIn;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as ResolverError,
  );
const lines = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
const hash = (c: string) => c.repeat(64);
const run = (code: string, path: string) =>
  execFileSync(python!.path, ['-c', `import sys; sys.path.insert(0, sys.argv[1]); ${code}`, path], {
    encoding: 'utf8',
  }).trim();

let vcsLog = '';
let dynLog = '';
let repo = '';
const suite = fixtureSuite('nx-pex-project-build-', async (wheels) => {
  const work = join(wheels, '..');
  vcsLog = join(work, 'vcs.log');
  dynLog = join(work, 'dyn.log');
  // `vcstools` is a PEP 420 namespace package (no __init__.py: importable only once installed, not from a zip).
  await buildWheel(
    {
      name: 'vcshelper',
      version: '1.0',
      modules: { 'vcstools/helper.py': VCSHELPER },
      consoleScripts: { 'vcs-describe': 'vcstools.helper:cli' },
      scripts: { 'vcs-banner': '#!python\nprint("built by vcshelper")\n' },
    },
    wheels,
  );
  await buildWheel({ name: 'colour', version: '0.5', modules: { 'colour/__init__.py': '' } }, wheels);
  // A monorepo-like checkout: the project lives below the repository root, tagged v1.2.3.
  repo = join(work, 'repo');
  await writeProject(
    join(repo, 'libs', 'vcsproj'),
    'vcsproj',
    ['vcshelper'],
    VCS_BACKEND(vcsLog),
    'from vcsproj._version import __version__\n',
  );
  git(repo, 'init', '-q');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'init');
  git(repo, 'tag', 'v1.2.3');
  await writeProject(join(work, 'dynproj'), 'dynproj', [], DYN_BACKEND(dynLog), '__version__ = "2.0.1"\n');
});

describe.runIf(python)('first-party project builds with their backend (PEP 517)', () => {
  it('builds a VCS-versioned project in its git checkout: generated file and version in the wheel, once per inputs hash', async () => {
    const projectDir = join(repo, 'libs', 'vcsproj');
    expect(buildBackendReason(parseToml(await readFile(join(projectDir, 'pyproject.toml'), 'utf8')))).toBe(
      '[project] dynamic = ["version"]: the build backend computes this field',
    );
    const before = (await lines(vcsLog)).length;
    const options = {
      projectDir,
      project: 'vcsproj',
      python: python!.path,
      inputsHash: hash('a'),
      index: suite.index(),
      cacheDir: suite.cacheDir,
    };
    const built = await buildProjectWheel(options);
    expect(built).toMatchObject({
      name: 'vcsproj',
      version: '1.2.3',
      filename: 'vcsproj-1.2.3-py3-none-any.whl',
      backend: 'backend',
      cached: false,
      requiresDist: ['colour>=0.1'],
    });
    const tag = (await inspectInterpreter(python!.path)).tags[0]!;
    expect(built.path).toBe(join(suite.cacheDir, 'projects', 'aa', hash('a'), tag, built.filename));
    // The file the backend generated is importable, and importlib.metadata sees the version.
    expect(
      run('import vcsproj, importlib.metadata as m; print(vcsproj.__version__, m.version("vcsproj"))', built.path),
    ).toBe('1.2.3 1.2.3');
    // A .data/scripts script of a build requirement ran on PATH with its #!python rewritten.
    expect(run('import vcsproj._version as v; print(v.BANNER)', built.path)).toBe('built by vcshelper');
    // Same inputs hash: the cached wheel, no backend run.
    const again = await buildProjectWheel(options);
    expect(again).toMatchObject({ path: built.path, sha256: built.sha256, cached: true });
    expect((await lines(vcsLog)).length).toBe(before + 2);
  });

  it('builds a dynamic-version project with build requirements from get_requires_for_build_wheel', async () => {
    const built = await buildProjectWheel({
      projectDir: join(suite.work, 'dynproj'),
      project: 'dynproj',
      python: python!.path,
      inputsHash: hash('b'),
      index: suite.index(),
      cacheDir: suite.cacheDir,
    });
    expect(built).toMatchObject({
      name: 'dynproj',
      version: '2.0.1',
      filename: 'dynproj-2.0.1-py3-none-any.whl',
      cached: false,
      requiresDist: [],
    });
    expect(run('import importlib.metadata as m; print(m.version("dynproj"))', built.path)).toBe('2.0.1');
    expect(suite.server.requests.some((r) => r.path.includes('colour'))).toBe(true);
  });

  it('never interleaves two builds of one source tree (builds run in place)', async () => {
    const projectDir = join(repo, 'libs', 'vcsproj');
    const before = (await lines(vcsLog)).length;
    const both = await Promise.all(
      ['c', 'd'].map((c) =>
        buildProjectWheel({
          projectDir,
          project: 'vcsproj',
          python: python!.path,
          inputsHash: hash(c),
          index: suite.index(),
          cacheDir: suite.cacheDir,
        }),
      ),
    );
    expect(both.map((w) => w.cached)).toEqual([false, false]);
    expect(both[0]!.sha256).toBe(both[1]!.sha256); // SOURCE_DATE_EPOCH: same inputs, same bytes
    expect((await lines(vcsLog)).slice(before)).toEqual(['start', 'end', 'start', 'end']);
  });

  it("fails clearly outside a git checkout: PROJECT_BUILD_ERROR naming project and backend, with the backend's output and what to do; nothing cached", async () => {
    const outside = join(await mkdtemp(join(suite.work, 'nogit-')), 'vcsproj');
    await cp(join(repo, 'libs', 'vcsproj'), outside, { recursive: true });
    const err = await failure(
      buildProjectWheel({
        projectDir: outside,
        project: 'vcsproj',
        python: python!.path,
        inputsHash: hash('e'),
        index: suite.index(),
        cacheDir: suite.cacheDir,
      }),
    );
    expect(err).toBeInstanceOf(ResolverError);
    expect(err!.code).toBe('PROJECT_BUILD_ERROR');
    expect(err!.message).toMatch(/^Building project vcsproj with its backend backend failed \(backend build_wheel\):/);
    expect(err!.message).toMatch(/LookupError: vcshelper was unable to detect version: fatal: not a git repository/);
    expect(err!.message).toMatch(/The version comes from VCS: build inside the project's git checkout/);
    expect(
      await stat(join(suite.cacheDir, 'projects', 'ee')).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  });

  it('refuses an inputs hash that is not hex and a directory without a project', async () => {
    const base = { project: 'p', python: python!.path, index: suite.index(), cacheDir: suite.cacheDir };
    expect((await failure(buildProjectWheel({ ...base, projectDir: suite.work, inputsHash: '../x' })))!.code).toBe(
      'INVALID_CONFIG',
    );
    const empty = await failure(
      buildProjectWheel({ ...base, projectDir: await mkdtemp(join(suite.work, 'empty-')), inputsHash: hash('f') }),
    );
    expect(empty!.code).toBe('PROJECT_BUILD_ERROR');
    expect(empty!.message).toMatch(/project p: .* has no pyproject\.toml or setup\.py/);
  });
});
