import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startFixtureIndex,
  writeTree,
  type FixtureIndex,
  gitCommitAndTag,
  PLUGIN_APP_OUTPUT,
  realProjectsTree,
  writeRealProjectDistributions,
} from '@nx-pex/tools';
import { readPexInfo } from '@nx-pex/archive';
import { runCli } from '../cli/cli.js';
import { projectInputsHash } from './first-party.js';
import { collectSources } from './sources.js';

// Issue 12 through the CLI (the executors call the same buildProjectPex): first-party dist-infos,
// projects built by their backend (VCS and dynamic versions), an sdist-only dependency, entry points.

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), cwd },
    out,
    err: () => err.join('\n'),
  };
}

const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync('python3', args, { encoding: 'utf8', env: { ...process.env, ...env } });

describe('real projects (issue 12)', () => {
  let index: FixtureIndex;
  let tmp: string;
  let ws: string;
  const env: Record<string, string | undefined> = {};

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'nx-pex-real-'));
    const wheels = join(tmp, 'wheels');
    mkdirSync(wheels);
    await writeRealProjectDistributions(wheels, tmp);
    index = await startFixtureIndex({ wheelsDir: wheels });
    for (const [k, v] of Object.entries({
      PIP_INDEX_URL: index.url,
      PIP_FIND_LINKS: '',
      PIP_CONFIG_FILE: join(tmp, 'no-pip.conf'),
      NX_PEX_CACHE_DIR: join(tmp, 'cache'),
    })) {
      env[k] = process.env[k];
      process.env[k] = v;
    }
    ws = join(tmp, 'ws');
    writeTree(ws, { 'nx.json': '{}', ...realProjectsTree() });
    gitCommitAndTag(ws, 'v1.7.0');
  });

  afterAll(async () => {
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await index?.close();
  });

  it('builds the backend projects once each, carries every first-party dist-info, builds the sdist-only dependency, and says which script it runs', async () => {
    const cli = io(ws);
    expect(await runCli(['build', 'apps/plugin-app'], cli.io), cli.err()).toBe(0);
    const err = cli.err();
    expect(err).toMatch(/built vcs-lib with its backend because .*dynamic/);
    expect(err).toMatch(/built dyn-lib with its backend because .*dynamic/);
    expect(err).not.toMatch(/built plugin-app/); // static: the fast path, sources as they are
    expect(err.match(/built vcs-lib with its backend/g)).toHaveLength(1);
    expect(err).toContain(
      'plugin-app: [project.scripts] has 2 entries (plugin-app, plugin-app-admin); the pex runs the script named after the project, "plugin-app". To run another, set script = "<name>" in [tool.nx-pex]',
    );
    const pex = cli.out[0]!;
    const r = run([pex]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(PLUGIN_APP_OUTPUT);
    const info = await readPexInfo(pex);
    expect(Object.keys(info.distributions).sort()).toEqual([
      'dyn_lib-3.1.4-py3-none-any.whl',
      'srcpkg-1.0-py3-none-any.whl',
      'vcs_lib-1.7.0-py3-none-any.whl',
    ]);
    expect(info.script).toBe('plugin-app');
    // The backend left vcs_lib/_version.py in the tree (as hatch-vcs does); the lib came from its wheel.
    expect(existsSync(join(ws, 'libs/vcs-lib/vcs_lib/_version.py'))).toBe(true);

    // The venv tool writes the project's own console scripts.
    const venv = join(tmp, 'venv');
    const tools = run([pex, 'venv', venv], { PEX_TOOLS: '1' });
    expect(tools.status, tools.stderr).toBe(0);
    const admin = spawnSync(join(venv, 'bin', 'plugin-app-admin'), { encoding: 'utf8' });
    expect(admin.stdout.trim()).toBe('admin prog=plugin-app-admin');
  });

  it('runs another console script with --script (under its own name)', async () => {
    const cli = io(ws);
    expect(
      await runCli(
        ['build', 'apps/plugin-app', '--script', 'plugin-app-admin', '--output', join(tmp, 'admin.pex')],
        cli.io,
      ),
      cli.err(),
    ).toBe(0);
    expect(cli.err()).not.toContain('[project.scripts] has 2 entries');
    expect(run([join(tmp, 'admin.pex')]).stdout.trim()).toBe('admin prog=plugin-app-admin');
    const both = io(ws);
    expect(await runCli(['build', 'apps/plugin-app', '--script', 'a', '--entry-point', 'b'], both.io)).toBe(2);
  });

  it('fails on the sdist-only dependency with --no-build-sdists, naming it', async () => {
    const cli = io(ws);
    expect(await runCli(['build', 'apps/plugin-app', '--no-build-sdists'], cli.io)).toBe(1);
    expect(cli.err()).toMatch(/NO_COMPATIBLE_WHEEL.*srcpkg.*building sdists is turned off/s);
  });

  it('a project that needs its backend cannot be built for foreign platforms only, and says what to add', async () => {
    const cli = io(ws);
    expect(
      await runCli(
        ['build', 'apps/plugin-app', '--platform', 'macosx_11_0_arm64-cp-312-cp312', '--output', join(tmp, 'mac.pex')],
        cli.io,
      ),
    ).toBe(1);
    expect(cli.err()).toMatch(
      /INVALID_OPTION\] vcs-lib \(libs\/vcs-lib\/pyproject.toml\) needs its build backend because .*Add a local interpreter/,
    );
  });

  it('fails clearly when a VCS version is built outside a git checkout', async () => {
    const copy = join(tmp, 'no-git');
    cpSync(ws, copy, { recursive: true, filter: (src) => !src.includes(`${join(ws, '.git')}`) });
    const cli = io(copy);
    expect(await runCli(['build', 'apps/plugin-app'], cli.io)).toBe(1);
    expect(cli.err()).toMatch(
      /PROJECT_BUILD_ERROR.*vcs-lib.*unable to detect version.*build inside the project's git checkout/s,
    );
  });

  it('locks the sdist-only dependency as its sdist and builds from the lock', async () => {
    const lock = io(ws);
    expect(await runCli(['lock', 'apps/plugin-app'], lock.io), lock.err()).toBe(0);
    const text = readFileSync(join(ws, 'apps/plugin-app/pylock.toml'), 'utf8');
    expect(text).toMatch(/name = "srcpkg"\nversion = "1\.0"\n[^[]*sdist = \{ name = "srcpkg-1\.0\.tar\.gz"/);
    expect(text).not.toMatch(/vcs-lib|dyn-lib/); // first-party: built from the tree, never locked
    const cli = io(ws);
    expect(await runCli(['build', 'apps/plugin-app'], cli.io), cli.err()).toBe(0);
    expect(cli.err()).not.toContain('not hermetic');
    expect(run([cli.out[0]!]).stdout).toContain('srcpkg=built from its sdist');
  });

  it("keys a backend build by the project's files and its git describe, not by build by-products", async () => {
    const root = join(tmp, 'hashed');
    writeTree(root, { 'pyproject.toml': '[project]\nname = "h"\n', 'h/__init__.py': 'A = 1\n' });
    gitCommitAndTag(root, 'v1.0');
    const first = await projectInputsHash(root);
    writeTree(root, { 'build/lib/h/__init__.py': 'x', 'h.egg-info/PKG-INFO': 'x', 'h/__pycache__/x.pyc': 'x' });
    expect(await projectInputsHash(root)).toBe(first);
    spawnSync('git', ['-c', 'tag.gpgsign=false', 'tag', 'v1.1'], { cwd: root });
    const tagged = await projectInputsHash(root);
    expect(tagged).not.toBe(first);
    writeTree(root, { 'h/__init__.py': 'A = 2\n' });
    expect(await projectInputsHash(root)).not.toBe(tagged);
  });

  it('never copies a nested project (with what its backend left) as sources of the enclosing one', async () => {
    const root = join(tmp, 'nested');
    writeTree(root, {
      'pkg/__init__.py': '',
      'pkg/inner/pyproject.toml': '[project]\nname = "inner"\n',
      'pkg/inner/_version.py': '',
      'pkg/mod.py': '',
    });
    expect((await collectSources(root, false)).map((s) => s.archivePath)).toEqual(['pkg/__init__.py', 'pkg/mod.py']);
  });
});
