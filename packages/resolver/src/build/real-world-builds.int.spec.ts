import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPythons, gitIn } from '@nx-pex/tools';
import { parse as parseToml } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IndexConfig } from '../config/index-config.js';
import { publicIndexConfig } from '../testing/public-index.js';
import { ResolverError } from '../errors.js';
import { inspectInterpreter } from '../interpreter/inspect.js';
import { fetchLocked } from '../lock/fetch-locked.js';
import { resolveLock } from '../lock/resolve-lock.js';
import { selectFromLock } from '../lock/select.js';
import { buildBackendReason } from './needs-backend.js';
import { buildProjectWheel } from './project-wheel.js';

// Opt-in (NX_PEX_REAL_WORLD=1; needs the public index): real backends with their build requirements
// from pypi.org — a hatch-vcs project and a setuptools-scm project built in a git checkout (and the
// first failing clearly outside one), and an sdist-only public package (docopt 0.6.2, setup.py only)
// locked and fetched with CPython 3.12.
const ENABLED = process.env.NX_PEX_REAL_WORLD === '1';
const SKIP_REASON =
  'set NX_PEX_REAL_WORLD=1 to build real hatch-vcs / setuptools-scm projects with build requirements from pypi.org';
const python = ENABLED ? (await findPythons()).found.find((p) => p.version === '3.12') : undefined;

const HATCH_VCS = `[project]
name = "hvdemo"
dynamic = ["version"]
requires-python = ">=3.8"

[project.scripts]
hvdemo = "hvdemo:main"

[build-system]
requires = ["hatchling", "hatch-vcs"]
build-backend = "hatchling.build"

# The project lives below the repository root (a monorepo): setuptools-scm needs the root.
[tool.hatch.version]
source = "vcs"
raw-options = { root = ".." }

[tool.hatch.build.hooks.vcs]
version-file = "src/hvdemo/_version.py"
`;

const SETUPTOOLS_SCM = `[project]
name = "scmdemo"
dynamic = ["version"]

[build-system]
requires = ["setuptools>=64", "setuptools-scm>=8"]
build-backend = "setuptools.build_meta"

[tool.setuptools_scm]
root = ".."
version_file = "scmdemo/_version.py"
`;

const git = gitIn;

describe.skipIf(!ENABLED)(
  `real-world builds with real backends (pypi.org, CPython 3.12)${ENABLED ? '' : ` — skipped: ${SKIP_REASON}`}`,
  () => {
    let work: string;
    let index: IndexConfig;
    let cacheDir: string;

    beforeAll(async () => {
      if (!python) throw new Error('NX_PEX_REAL_WORLD needs a CPython 3.12 (pyenv or python3.12 on PATH).');
      work = await mkdtemp(join(tmpdir(), 'nx-pex-real-build-'));
      cacheDir = join(work, 'cache');
      index = await publicIndexConfig();
      const repo = join(work, 'repo');
      await mkdir(join(repo, 'hvdemo', 'src', 'hvdemo'), { recursive: true });
      await writeFile(join(repo, 'hvdemo', 'pyproject.toml'), HATCH_VCS);
      await writeFile(
        join(repo, 'hvdemo', 'src', 'hvdemo', '__init__.py'),
        'from hvdemo._version import __version__\n\ndef main():\n    print(__version__)\n',
      );
      await mkdir(join(repo, 'scmdemo', 'scmdemo'), { recursive: true });
      await writeFile(join(repo, 'scmdemo', 'pyproject.toml'), SETUPTOOLS_SCM);
      await writeFile(
        join(repo, 'scmdemo', 'scmdemo', '__init__.py'),
        'from scmdemo._version import version as __version__\n',
      );
      await writeFile(join(repo, '.gitignore'), '_version.py\nbuild/\n*.egg-info/\n');
      git(repo, 'init', '-q');
      git(repo, 'add', '.');
      git(repo, 'commit', '-q', '-m', 'init');
      git(repo, 'tag', 'v0.3.1');
    });
    afterAll(async () => {
      if (work) await rm(work, { recursive: true, force: true });
    });

    const run = (code: string, path: string) =>
      execFileSync(python!.path, ['-c', `import sys; sys.path.insert(0, sys.argv[1]); ${code}`, path], {
        encoding: 'utf8',
      }).trim();

    it('hatch-vcs: version from the git tag, generated _version.py, console script, in a git checkout', async () => {
      const projectDir = join(work, 'repo', 'hvdemo');
      expect(buildBackendReason(parseToml(await readFile(join(projectDir, 'pyproject.toml'), 'utf8')))).toMatch(
        /dynamic = \["version"\]/,
      );
      const built = await buildProjectWheel({
        projectDir,
        project: 'hvdemo',
        python: python!.path,
        inputsHash: '1'.repeat(64),
        index,
        cacheDir,
      });
      expect(built).toMatchObject({
        name: 'hvdemo',
        version: '0.3.1',
        filename: 'hvdemo-0.3.1-py3-none-any.whl',
        backend: 'hatchling.build',
        cached: false,
      });
      expect(
        run(
          'import hvdemo, importlib.metadata as m; print(hvdemo.__version__, m.version("hvdemo"), [e.name for e in m.entry_points(group="console_scripts") if e.value == "hvdemo:main"])',
          built.path,
        ),
      ).toBe("0.3.1 0.3.1 ['hvdemo']");
      expect(
        (
          await buildProjectWheel({
            projectDir,
            project: 'hvdemo',
            python: python!.path,
            inputsHash: '1'.repeat(64),
            index,
            cacheDir,
          })
        ).cached,
      ).toBe(true);
    });

    it('setuptools-scm: version from the git tag and generated version file, in a git checkout', async () => {
      const projectDir = join(work, 'repo', 'scmdemo');
      const built = await buildProjectWheel({
        projectDir,
        project: 'scmdemo',
        python: python!.path,
        inputsHash: '2'.repeat(64),
        index,
        cacheDir,
      });
      expect(built).toMatchObject({ name: 'scmdemo', version: '0.3.1', backend: 'setuptools.build_meta' });
      expect(
        run('import scmdemo, importlib.metadata as m; print(scmdemo.__version__, m.version("scmdemo"))', built.path),
      ).toBe('0.3.1 0.3.1');
    });

    it("hatch-vcs outside a git checkout: PROJECT_BUILD_ERROR with setuptools-scm's message and what to do", async () => {
      const outside = join(await mkdtemp(join(work, 'nogit-')), 'hvdemo');
      await cp(join(work, 'repo', 'hvdemo'), outside, { recursive: true });
      const err = await buildProjectWheel({
        projectDir: outside,
        project: 'hvdemo',
        python: python!.path,
        inputsHash: '3'.repeat(64),
        index,
        cacheDir,
      }).then(
        () => undefined,
        (e: unknown) => e as ResolverError,
      );
      expect(err?.code).toBe('PROJECT_BUILD_ERROR');
      expect(err?.message).toMatch(/^Building project hvdemo with its backend hatchling\.build failed/);
      expect(err?.message).toMatch(/unable to detect version/i);
      expect(err?.message).toMatch(/The version comes from VCS/);
    });

    it('an sdist-only public package (docopt 0.6.2, setup.py): built while locking, recorded as its sdist, reused by fetchLocked', async () => {
      const target = await inspectInterpreter(python!.path);
      const lock = await resolveLock({
        roots: { app: ['docopt==0.6.2'] },
        index,
        targets: [target],
        cacheDir,
        buildSdists: true,
      });
      const entry = lock.packages.find((p) => p.name === 'docopt')!;
      expect(entry.wheels).toEqual([]);
      expect(entry.sdist?.name).toBe('docopt-0.6.2.tar.gz');
      const [artifact] = await fetchLocked(selectFromLock(lock, 'app', target), {
        index,
        cacheDir,
        sdistPython: python!.path,
      });
      expect(artifact!.filename).toBe('docopt-0.6.2-py2.py3-none-any.whl');
      expect(run('import docopt; print(docopt.__version__)', artifact!.path)).toBe('0.6.2');
    });
  },
);
