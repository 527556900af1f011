import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildWheel, describeMissing, findPythons, startFixtureIndex, type FixtureIndex } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseEnv,
  createWorkspace,
  describeResult,
  makeTempDir,
  publishPackages,
  removeTempDir,
  trackFailures,
  runCommand,
  startLocalRegistry,
  type LocalRegistry,
  type PublishedPackage,
  type RunResult,
  type Workspace,
} from './harness/index.js';

// The path a new user takes: install nx-pex from a registry into a fresh Nx workspace, generate a
// Python app with a third-party dependency, build it into a .pex, run it, and rebuild from the cache.

const APP = 'my-service';
const PEX = `dist/apps/${APP}/${APP}.pex`;
/** What the edited __main__.py exits with: not 0, so a pex that swallows the code is caught. */
const EXIT_CODE = 7;
const MAIN_PY = `"""Entry point of ${APP}, rewritten by the e2e test to use a third-party wheel."""

import sys

import greeting as greeting_lib


def main() -> int:
    print("{} on python {}.{}".format(greeting_lib.hello("${APP}"), *sys.version_info[:2]))
    return ${EXIT_CODE}


if __name__ == "__main__":
    sys.exit(main())
`;

const pythons = await findPythons();
const missingPythons = describeMissing(pythons);

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function expectOk(result: RunResult): void {
  expect(result.exitCode, describeResult(result)).toBe(0);
}

describe('nx-pex for a new user (fresh workspace from a local registry)', () => {
  let registry: LocalRegistry | undefined;
  let index: FixtureIndex | undefined;
  let scratch: string;
  let ws: Workspace;
  let buildEnv: NodeJS.ProcessEnv;
  let pexCacheDir: string;
  /** sha256 of the first build's pex; undefined until the first build passed. */
  let firstSha: string | undefined;
  let published: PublishedPackage[];

  beforeAll(async () => {
    scratch = await makeTempDir('foundation');
    const wheels = join(scratch, 'wheels');
    await buildWheel(
      {
        name: 'greeting',
        version: '1.0.0',
        modules: {
          'greeting/__init__.py':
            '__version__ = "1.0.0"\n\n\ndef hello(name):\n    return "Hello, {}! (greeting {})".format(name, __version__)\n',
        },
      },
      wheels,
    );
    index = await startFixtureIndex({ wheelsDir: wheels });
    pexCacheDir = join(scratch, 'nx-pex-cache');
    buildEnv = { PIP_INDEX_URL: index.url, PIP_CONFIG_FILE: '/dev/null' };

    registry = await startLocalRegistry();
    published = await publishPackages(registry);
    ws = await createWorkspace(registry, {
      name: 'acme',
      // XDG_CACHE_HOME: where nx-pex's default cache would be; the build must not use it (see below).
      env: {
        NX_PEX_CACHE_DIR: pexCacheDir,
        PEX_ROOT: join(scratch, 'pex-root'),
        XDG_CACHE_HOME: join(scratch, 'xdg-cache'),
      },
    });
  });

  /** True once a test failed: the workspace is then kept, and its path printed, for a post-mortem. */
  const failed = trackFailures();

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

  it('`nx add nx-pex` registered the plugin in nx.json', async () => {
    const nxJson = await ws.readJson<{ plugins?: Array<string | { plugin: string }> }>('nx.json');
    const plugins = (nxJson.plugins ?? []).map((p) => (typeof p === 'string' ? p : p.plugin));
    expect(plugins).toContain('nx-pex');
    const pkg = await ws.readJson<{ devDependencies?: Record<string, string>; dependencies?: Record<string, string> }>(
      'package.json',
    );
    expect({ ...pkg.dependencies, ...pkg.devDependencies }).toHaveProperty('nx-pex');
    // Installed from the local registry, byte for byte what this checkout published, with its libraries.
    const lock = await ws.readJson<{
      packages: Record<string, { version?: string; resolved?: string; integrity?: string }>;
    }>('package-lock.json');
    for (const pkg of published) {
      const entry = lock.packages[`node_modules/${pkg.name}`];
      expect(entry, `${pkg.name} is not in the workspace's package-lock.json`).toBeDefined();
      expect(entry?.version).toBe(pkg.version);
      expect(entry?.resolved?.startsWith(registry!.url), entry?.resolved).toBe(true);
      expect(entry?.integrity).toBe(pkg.integrity);
    }
  });

  // Nx spawns its plugin workers with `--conditions development` (nx/src/plugins/js/utils/typescript.js,
  // getPluginResolveConditionNodeArgs), so every published package must resolve under it too: an
  // `exports` "development" entry pointing at unpublished src/*.ts breaks the plugin at load.
  it('the installed packages import under the conditions Nx plugin workers use', async () => {
    for (const pkg of published) {
      for (const conditions of [[], ['--conditions', 'development']]) {
        const imported = await ws.run('node', [
          ...conditions,
          '--input-type=module',
          '-e',
          `await import(${JSON.stringify(pkg.name)})`,
        ]);
        expect(imported.exitCode, describeResult(imported)).toBe(0);
      }
    }
  });

  it(`\`nx g nx-pex:python-app ${APP}\` writes a Python project`, async () => {
    expectOk(await ws.nx(['g', 'nx-pex:python-app', APP, '--dependencies=greeting==1.0.0']));
    const pyproject = await readFile(ws.path('apps', APP, 'pyproject.toml'), 'utf8');
    expect(pyproject).toMatch(/^\[project\]$/m);
    expect(pyproject).toMatch(new RegExp(`^name\\s*=\\s*"${APP}"`, 'm'));
    expect(pyproject).toMatch(/^version\s*=\s*"/m);
    expect(pyproject).toMatch(/^requires-python\s*=\s*"/m);
    expect(pyproject).toMatch(/^dependencies\s*=\s*\[[^\]]*"greeting==1\.0\.0"/ms);
    expect(pyproject).toMatch(/^\[project\.scripts\]$/m);
    for (const file of ['src/my_service/__init__.py', 'src/my_service/__main__.py']) {
      expect(existsSync(ws.path('apps', APP, file)), file).toBe(true);
    }
    const tests = await readdir(ws.path('apps', APP, 'tests'));
    expect(
      tests.some((f) => /^test_.*\.py$/.test(f)),
      tests.join(', '),
    ).toBe(true);
  });

  it('`nx show project` infers a cacheable build target run by nx-pex:pex', async () => {
    const shown = await ws.nx(['show', 'project', APP, '--json']);
    expectOk(shown);
    const project = JSON.parse(shown.stdout) as {
      root: string;
      targets: Record<
        string,
        {
          executor?: string;
          cache?: boolean;
          inputs?: unknown[];
          outputs?: string[];
          options?: Record<string, unknown>;
        }
      >;
    };
    expect(project.root).toBe(`apps/${APP}`);
    const build = project.targets.build;
    expect(build, JSON.stringify(project.targets, null, 2)).toBeDefined();
    expect(build?.executor).toBe('nx-pex:pex');
    expect(build?.cache).toBe(true);
    expect(build?.inputs?.length ?? 0).toBeGreaterThan(0);
    expect(build?.outputs?.length ?? 0).toBeGreaterThan(0);
    // The declared outputs must cover the pex, or Nx would not restore it from its cache.
    const outputs = (build?.outputs ?? []).map((o) =>
      o
        .replace('{workspaceRoot}/', '')
        .replace('{projectRoot}', project.root)
        .replace('{options.outputPath}', String(build?.options?.['outputPath'])),
    );
    expect(
      outputs.some((o) => PEX === o || PEX.startsWith(`${o.replace(/\/$/, '')}/`)),
      outputs.join(', '),
    ).toBe(true);
  });

  it('`nx build` resolves from the index and writes a pex', async () => {
    await ws.writeFile(`apps/${APP}/src/my_service/__main__.py`, MAIN_PY);
    index!.requests.length = 0;
    const build = await ws.nx(['build', APP], { env: buildEnv });
    expectOk(build);
    expect(existsSync(ws.path(PEX)), `${PEX} missing after:\n${describeResult(build)}`).toBe(true);
    // It went to the configured index (PIP_INDEX_URL) for greeting.
    expect(index!.requests.map((r) => r.path).join('\n')).toMatch(/greeting/);
    // And filled the artifact cache it was pointed at (NX_PEX_CACHE_DIR), not the user's.
    expect((await readdir(pexCacheDir, { recursive: true })).length).toBeGreaterThan(0);
    expect(
      existsSync(join(scratch, 'xdg-cache', 'nx-pex')),
      'the build wrote to the default cache despite NX_PEX_CACHE_DIR',
    ).toBe(false);
    firstSha = sha256(await readFile(ws.path(PEX)));
  });

  it('the pex runs with the python3 on PATH', async () => {
    expect(firstSha, 'the first build failed').toBeDefined();
    const version = await ws.run('python3', ['-c', 'import sys;print("%d.%d" % sys.version_info[:2])']);
    expectOk(version);
    const run = await ws.run('python3', [PEX]);
    expect(run.exitCode, describeResult(run)).toBe(EXIT_CODE);
    expect(run.stdout.trim()).toBe(`Hello, ${APP}! (greeting 1.0.0) on python ${version.stdout.trim()}`);
  });

  describe('the pex, copied out of the workspace, runs with every CPython 3.8–3.13 on the machine', () => {
    /** A copy outside the workspace: the pex must not lean on the sources or node_modules beside it. */
    let copied: string;
    beforeAll(async () => {
      if (firstSha === undefined) return;
      const elsewhere = join(scratch, 'elsewhere');
      await mkdir(elsewhere, { recursive: true });
      copied = join(elsewhere, `${APP}.pex`);
      await copyFile(ws.path(PEX), copied);
    });

    for (const python of pythons.found) {
      it(`CPython ${python.full}`, async () => {
        expect(firstSha, 'the first build failed').toBeDefined();
        // A PEX_ROOT of its own: each interpreter starts cold (extracts the pex itself), and nothing
        // lands in the user's cache.
        const env = { PEX_ROOT: join(scratch, `pex-root-${python.full}`) };
        const run = await runCommand(python.path, [copied], baseEnv(), {
          cwd: dirname(copied),
          env,
          logFile: ws.logFile,
        });
        expect(run.exitCode, describeResult(run)).toBe(EXIT_CODE);
        expect(run.stdout.trim()).toBe(`Hello, ${APP}! (greeting 1.0.0) on python ${python.version}`);
      });
    }
    for (const minor of pythons.missing) {
      it.skip(`CPython ${minor}: not found on this machine — ${missingPythons}`, () => {});
    }
  });

  it('a second `nx build` is read from the Nx cache without touching the index', async () => {
    expect(firstSha, 'the first build failed').toBeDefined();
    index!.requests.length = 0;
    const build = await ws.nx(['build', APP], { env: buildEnv });
    expectOk(build);
    expect(build.output).toMatch(/existing outputs match the cache|\[local cache\]/);
    expect(index!.requests).toEqual([]);
    expect(sha256(await readFile(ws.path(PEX)))).toBe(firstSha);
  });

  it('after deleting dist/, `nx build` restores the identical pex from the Nx cache', async () => {
    expect(firstSha, 'the first build failed').toBeDefined();
    await rm(ws.path('dist'), { recursive: true, force: true });
    index!.requests.length = 0;
    const build = await ws.nx(['build', APP], { env: buildEnv });
    expectOk(build);
    expect(build.output).toMatch(/\[local cache\]/);
    expect(index!.requests).toEqual([]);
    expect(existsSync(ws.path(PEX))).toBe(true);
    expect(sha256(await readFile(ws.path(PEX)))).toBe(firstSha);
    const run = await ws.run('python3', [PEX]);
    expect(run.exitCode, describeResult(run)).toBe(EXIT_CODE);
  });

  it('a source-only change misses the Nx cache, rebuilds, and reuses the downloaded wheel', async () => {
    expect(firstSha, 'the first build failed').toBeDefined();
    await ws.writeFile(`apps/${APP}/src/my_service/__main__.py`, MAIN_PY.replace('on python', 'now on python'));
    index!.requests.length = 0;
    const build = await ws.nx(['build', APP], { env: buildEnv });
    expectOk(build);
    expect(build.output).not.toMatch(/\[local cache\]|existing outputs match the cache/);
    expect(sha256(await readFile(ws.path(PEX)))).not.toBe(firstSha);
    // The wheel is in the artifact cache (NX_PEX_CACHE_DIR) by sha256: not downloaded again.
    expect(index!.requests.filter((r) => r.path.endsWith('.whl')).map((r) => r.path)).toEqual([]);
    const run = await ws.run('python3', [PEX]);
    expect(run.exitCode, describeResult(run)).toBe(EXIT_CODE);
    expect(run.stdout).toMatch(/now on python/);
  });
});
