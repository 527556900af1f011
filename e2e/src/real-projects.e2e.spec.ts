import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import {
  buildWheel,
  describeMissing,
  findPythons,
  startFixtureIndex,
  type FixtureIndex,
  gitCommitAndTag,
  gitIn,
  PLUGIN_APP_OUTPUT,
  realProjectsTree,
  writeRealProjectDistributions,
} from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWorkspace,
  describeResult,
  makeTempDir,
  publishPackages,
  removeTempDir,
  startLocalRegistry,
  trackFailures,
  type LocalRegistry,
  type RunResult,
  type Workspace,
} from './harness/index.js';

// Issue 12 in one fresh workspace (a git checkout): a lib versioned by `git describe` and a
// `dynamic = ["version"]` lib, both built by their (in-tree) backends with build requirements from
// the fixture index; an app whose __version__ comes from importlib.metadata and which finds a plugin
// by entry point; an sdist-only dependency; and a pex for two CPythons run by a third.

const pythons = await findPythons();
// The two oldest CPythons found are the pex's targets; the newest runs it (it has no build for it).
const [OLD_A, OLD_B] = pythons.found;
const NEWEST = pythons.found.length >= 3 ? pythons.found.at(-1) : undefined;
const pyTag = (minor: string) => `cp${minor.replace('.', '')}`;

function expectOk(result: RunResult): RunResult {
  expect(result.exitCode, describeResult(result)).toBe(0);
  return result;
}

describe('real projects: backend-built first-party projects, own metadata, sdists, interpreter fallback', () => {
  let registry: LocalRegistry | undefined;
  let index: FixtureIndex | undefined;
  let scratch: string;
  let ws: Workspace;
  /** True once a test failed: the workspace is then kept, and its path printed, for a post-mortem. */
  const failed = trackFailures();

  beforeAll(async () => {
    scratch = await makeTempDir('real');
    const wheels = join(scratch, 'wheels');
    await writeRealProjectDistributions(wheels, scratch);
    if (NEWEST) {
      // fastcalc has only one platform wheel per target CPython: the runtime must pick the interpreter.
      const platformTag = execFileSync('python3', ['-c', 'import sysconfig; print(sysconfig.get_platform())'], {
        encoding: 'utf8',
      })
        .trim()
        .replace(/[-.]/g, '_');
      for (const minor of [OLD_A!.version, OLD_B!.version]) {
        const tag = pyTag(minor);
        await buildWheel(
          {
            name: 'fastcalc',
            version: '1.0.0',
            pythonTag: tag,
            abiTag: tag,
            platformTag,
            modules: { 'fastcalc/__init__.py': `TAG = "${tag}"\n` },
          },
          wheels,
        );
      }
    }
    index = await startFixtureIndex({ wheelsDir: wheels });
    registry = await startLocalRegistry();
    await publishPackages(registry);
    ws = await createWorkspace(registry, {
      name: 'real',
      env: {
        PIP_INDEX_URL: index.url,
        PIP_CONFIG_FILE: '/dev/null',
        PIP_FIND_LINKS: '',
        NX_PEX_CACHE_DIR: join(scratch, 'nx-pex-cache'),
        PEX_ROOT: join(scratch, 'pex-root'),
      },
    });
    for (const [path, text] of Object.entries(realProjectsTree())) await ws.writeFile(path, text);
    if (NEWEST) {
      await ws.writeFile(
        'apps/multi-app/pyproject.toml',
        '[project]\nname = "multi-app"\nversion = "1.0"\ndependencies = ["fastcalc==1.0.0", "dyn-lib"]\n[project.scripts]\nmulti-app = "multi_app:main"\n',
      );
      await ws.writeFile(
        'apps/multi-app/src/multi_app/__init__.py',
        'import sys\nimport dyn_lib, fastcalc\n\ndef main():\n    print("%d.%d %s %s" % (sys.version_info[0], sys.version_info[1], fastcalc.TAG, dyn_lib.__version__))\n',
      );
      await ws.writeFile(
        'apps/multi-app/project.json',
        JSON.stringify({ name: 'multi-app', targets: { build: { options: { pythons: [OLD_A!.path, OLD_B!.path] } } } }),
      );
    }
    // The checkout the VCS version is read from (hatch-vcs and setuptools-scm read the enclosing repository).
    gitCommitAndTag(ws.root, 'v1.7.0');
  });

  afterAll(async () => {
    await index?.close();
    await registry?.stop();
    if (failed() && ws) {
      process.stderr.write(
        `[e2e] a test failed: workspace kept in ${ws.root}, every command's output in ${ws.logFile}\n`,
      );
    } else {
      await ws?.dispose();
      if (scratch) await removeTempDir(scratch);
    }
  });

  it('nx build: the VCS and dynamic versions come from the backends, the app sees its own version and plugin, the sdist-only dependency is built', async () => {
    const build = expectOk(await ws.nx(['build', 'plugin-app', '--outputStyle=static']));
    const out = build.stdout + build.stderr;
    expect(out).toMatch(/built vcs-lib with its backend because/);
    expect(out).toMatch(/built dyn-lib with its backend because/);
    expect(out).toContain(
      '[project.scripts] has 2 entries (plugin-app, plugin-app-admin); the pex runs the script named after the project, "plugin-app"',
    );
    const run = expectOk(await ws.run('python3', ['dist/apps/plugin-app/plugin-app.pex']));
    expect(run.stdout.trim().split('\n')).toEqual(PLUGIN_APP_OUTPUT);
    // Generated in the lib's tree by its backend, as hatch-vcs does (and git-ignored there).
    expect(await readFile(ws.path('libs/vcs-lib/vcs_lib/_version.py'), 'utf8')).toBe("__version__ = '1.7.0'\n");
  });

  it('nx run plugin-app:lock records the sdist-only dependency as its sdist; the build from the lock works', async () => {
    expectOk(await ws.nx(['run', 'plugin-app:lock']));
    const lock = await readFile(ws.path('apps/plugin-app/pylock.toml'), 'utf8');
    expect(lock).toMatch(/name = "srcpkg"\nversion = "1\.0"\n[^[]*sdist = \{ name = "srcpkg-1\.0\.tar\.gz"/);
    const build = expectOk(await ws.nx(['build', 'plugin-app', '--skip-nx-cache', '--outputStyle=static']));
    expect(build.stdout + build.stderr).not.toContain('not hermetic');
    expect(
      expectOk(await ws.run('python3', ['dist/apps/plugin-app/plugin-app.pex']))
        .stdout.trim()
        .split('\n'),
    ).toEqual(PLUGIN_APP_OUTPUT);
  });

  it('a release tag on a new commit, no file changed: the Nx cache key follows git, so the pex carries the new VCS version', async () => {
    gitIn(ws.root, 'commit', '-q', '--allow-empty', '-m', 'release');
    gitIn(ws.root, 'tag', 'v1.8.0');
    const build = expectOk(await ws.nx(['build', 'plugin-app', '--outputStyle=static']));
    expect(build.stdout + build.stderr).toMatch(/built vcs-lib with its backend because/);
    const run = expectOk(await ws.run('python3', ['dist/apps/plugin-app/plugin-app.pex']));
    expect(run.stdout.trim().split('\n')).toEqual(
      PLUGIN_APP_OUTPUT.map((l) => (l.startsWith('vcs-lib=') ? 'vcs-lib=1.8.0 1.8.0' : l)),
    );
    // Unchanged since: a cache hit.
    expect(expectOk(await ws.nx(['build', 'plugin-app', '--outputStyle=static'])).stdout).toMatch(
      /local cache|remote cache|existing outputs match the cache/,
    );
  });

  const fallbackTitle = 'a pex for two CPythons, run by a third, re-executes one it has builds for';
  it.runIf(NEWEST)(
    NEWEST ? fallbackTitle : `${fallbackTitle} (needs three CPythons: ${describeMissing(pythons)})`,
    async () => {
      expectOk(await ws.nx(['build', 'multi-app', '--outputStyle=static']));
      const PATH = [dirname(OLD_A!.path), process.env['PATH'] ?? ''].join(delimiter);
      const run = expectOk(await ws.run(NEWEST!.path, ['dist/apps/multi-app/multi-app.pex'], { env: { PATH } }));
      expect(run.stdout.trim()).toBe(`${OLD_A!.version} ${pyTag(OLD_A!.version)} 3.1.4`);
    },
  );
});
