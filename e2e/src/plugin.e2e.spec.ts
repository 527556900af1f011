import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel, startFixtureIndex, type FixtureIndex } from '@nx-pex/tools';
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

// The plugin in a workspace with several Python projects: the graph knows that an app depends on a
// lib, `nx affected` rebuilds exactly the apps a change reaches, and a lock change rebuilds only
// the projects whose locked subset changed.

const LIB = 'shout-lib';
const APP_A = 'svc-a';
const APP_B = 'svc-b';
const pexOf = (app: string) => `dist/apps/${app}/${app}.pex`;

const APP_A_MAIN = `import sys

from shout_lib import shout


def main() -> int:
    print(shout("from svc-a"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;

const APP_B_MAIN = `import sys

import greeting


def main() -> int:
    print(greeting.hello("svc-b"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;

function expectOk(result: RunResult): RunResult {
  expect(result.exitCode, describeResult(result)).toBe(0);
  return result;
}

/** Which of `projects`' build tasks this Nx run executed rather than read from the cache. */
function executedBuilds(result: RunResult, projects: string[]): string[] {
  const out = result.stdout + result.stderr;
  return projects.filter((p) => {
    const line = out.split('\n').find((l) => l.includes(`nx run ${p}:build`));
    return line !== undefined && !/cache/i.test(line);
  });
}

async function sha256Of(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

describe('nx-pex graph, affected and locks (an app, a lib and an unrelated app)', () => {
  let registry: LocalRegistry | undefined;
  let index: FixtureIndex | undefined;
  let scratch: string;
  let ws: Workspace;
  /** True once a test failed: the workspace is then kept, and its path printed, for a post-mortem. */
  const failed = trackFailures();

  beforeAll(async () => {
    scratch = await makeTempDir('plugin');
    const wheels = join(scratch, 'wheels');
    const greeting = (version: string) => ({
      name: 'greeting',
      version,
      modules: {
        'greeting/__init__.py': `def hello(name):\n    return "Hello, {}! (greeting ${version})".format(name)\n`,
      },
    });
    await buildWheel(greeting('1.0.0'), wheels);
    await buildWheel(greeting('1.1.0'), wheels);
    await buildWheel(
      {
        name: 'colorful',
        version: '1.2.0',
        modules: { 'colorful/__init__.py': 'def paint(s):\n    return "*" + s + "*"\n' },
      },
      wheels,
    );
    index = await startFixtureIndex({ wheelsDir: wheels });
    registry = await startLocalRegistry();
    await publishPackages(registry);
    ws = await createWorkspace(registry, {
      name: 'multi',
      env: {
        PIP_INDEX_URL: index.url,
        PIP_CONFIG_FILE: '/dev/null',
        PIP_FIND_LINKS: '',
        NX_PEX_CACHE_DIR: join(scratch, 'nx-pex-cache'),
        PEX_ROOT: join(scratch, 'pex-root'),
        NX_DAEMON: 'false',
      },
    });
    expectOk(await ws.nx(['g', 'nx-pex:python-lib', LIB, '--dependencies=colorful==1.2.0']));
    await ws.writeFile(
      `libs/${LIB}/src/shout_lib/__init__.py`,
      'from colorful import paint\n\n\ndef shout(s):\n    return paint(s.upper())\n',
    );
    expectOk(await ws.nx(['g', 'nx-pex:python-app', APP_A, `--dependencies=${LIB}`]));
    await ws.writeFile(`apps/${APP_A}/src/svc_a/__main__.py`, APP_A_MAIN);
    expectOk(await ws.nx(['g', 'nx-pex:python-app', APP_B, '--dependencies=greeting==1.0.0']));
    await ws.writeFile(`apps/${APP_B}/src/svc_b/__main__.py`, APP_B_MAIN);
    // The generated projects' test group wants pytest, which the fixture index does not serve; this
    // file is about the graph and the lock, so their groups are emptied.
    for (const root of [`libs/${LIB}`, `apps/${APP_A}`, `apps/${APP_B}`]) {
      const text = await readFile(ws.path(root, 'pyproject.toml'), 'utf8');
      expect(text).toMatch(/^test = \[[^\]]*\]$/m);
      await ws.writeFile(`${root}/pyproject.toml`, text.replace(/^test = \[[^\]]*\]$/m, 'test = []'));
    }
    // `nx affected` compares against git: the generated state is the base.
    expectOk(await ws.run('git', ['init', '-q']));
    expectOk(await ws.run('git', ['add', '-A']));
    expectOk(
      await ws.run('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.invalid', 'commit', '-qm', 'base']),
    );
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

  it('`nx graph --file` shows the app → lib edge and the lib → third-party edge', async () => {
    expectOk(await ws.nx(['graph', '--file=graph.json']));
    const { graph } = await ws.readJson<{
      graph: { nodes: Record<string, unknown>; dependencies: Record<string, Array<{ target: string }>> };
    }>('graph.json');
    expect(Object.keys(graph.nodes)).toEqual(expect.arrayContaining([LIB, APP_A, APP_B]));
    expect(graph.dependencies[APP_A]?.map((d) => d.target)).toContain(LIB);
    expect(graph.dependencies[APP_B]?.map((d) => d.target) ?? []).not.toContain(LIB);
  });

  it("the app's pex bundles the lib and the lib's third-party requirement", async () => {
    expectOk(await ws.nx(['run-many', '-t', 'build']));
    const a = expectOk(await ws.run('python3', [pexOf(APP_A)]));
    expect(a.stdout.trim()).toBe('*FROM SVC-A*');
    const b = expectOk(await ws.run('python3', [pexOf(APP_B)]));
    expect(b.stdout.trim()).toBe('Hello, svc-b! (greeting 1.0.0)');
  });

  it('after editing the lib, `nx affected -t build` rebuilds the app that uses it and not the other', async () => {
    await ws.writeFile(
      `libs/${LIB}/src/shout_lib/__init__.py`,
      'from colorful import paint\n\n\ndef shout(s):\n    return paint(s.upper() + "!")\n',
    );
    const affected = expectOk(await ws.nx(['affected', '-t', 'build', '--base=HEAD', '--outputStyle=static']));
    const out = affected.stdout + affected.stderr;
    expect(out).toContain(`nx run ${APP_A}:build`);
    expect(out).not.toContain(`nx run ${APP_B}:build`);
    expect(executedBuilds(affected, [APP_A])).toEqual([APP_A]);
    const a = expectOk(await ws.run('python3', [pexOf(APP_A)]));
    expect(a.stdout.trim()).toBe('*FROM SVC-A!*');
  });

  it("a shared workspace lock: changing one project's part rebuilds only that project", async () => {
    expectOk(await ws.nx(['run', `${APP_A}:lock`, '--workspace']));
    const lock = await readFile(ws.path('pylock.toml'), 'utf8');
    expect(lock).toMatch(/name = "colorful"/);
    expect(lock).toMatch(/name = "greeting"/);
    // Both projects (and the lib) are served by the one lock; check mode agrees.
    expectOk(await ws.nx(['run', `${APP_B}:lock:check`]));
    const first = expectOk(await ws.nx(['run-many', '-t', 'build', '--outputStyle=static']));
    expect(first.stdout + first.stderr).not.toContain('not hermetic');
    const shaA = await sha256Of(ws.path(pexOf(APP_A)));

    // svc-b moves to greeting 1.1.0: the lock is stale for svc-b only, until re-locked.
    const pyproject = ws.path('apps', APP_B, 'pyproject.toml');
    await ws.writeFile(
      `apps/${APP_B}/pyproject.toml`,
      (await readFile(pyproject, 'utf8')).replace('greeting==1.0.0', 'greeting==1.1.0'),
    );
    const stale = await ws.nx(['run', `${APP_B}:lock:check`]);
    expect(stale.exitCode, describeResult(stale)).not.toBe(0);
    expect(stale.stdout + stale.stderr).toMatch(/svc-b now requires greeting==1\.1\.0/);
    expectOk(await ws.nx(['run', `${APP_B}:lock`]));
    expect(await readFile(ws.path('pylock.toml'), 'utf8')).toMatch(/version = "1\.1\.0"/);

    const second = expectOk(await ws.nx(['run-many', '-t', 'build', '--outputStyle=static']));
    expect(executedBuilds(second, [APP_A, APP_B])).toEqual([APP_B]);
    expect(await sha256Of(ws.path(pexOf(APP_A)))).toBe(shaA);
    const b = expectOk(await ws.run('python3', [pexOf(APP_B)]));
    expect(b.stdout.trim()).toBe('Hello, svc-b! (greeting 1.1.0)');
  });

  it('a build from a stale lock fails and says what to do', async () => {
    const pyproject = ws.path('apps', APP_B, 'pyproject.toml');
    await ws.writeFile(
      `apps/${APP_B}/pyproject.toml`,
      (await readFile(pyproject, 'utf8')).replace('greeting==1.1.0', 'greeting==1.0.0'),
    );
    const refused = await ws.nx(['run', `${APP_B}:build`, '--skip-nx-cache']);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(
      /STALE_LOCK.*pylock\.toml is out of date for svc-b.*nx run svc-b:lock/s,
    );
  });

  // The tests below reuse this workspace. svc-b goes back to what its lock says first.
  it('a custom outputPath and the packed layout (project.json): cached, restored after rm -rf, and `run` runs it', async () => {
    const pyproject = ws.path('apps', APP_B, 'pyproject.toml');
    await ws.writeFile(
      `apps/${APP_B}/pyproject.toml`,
      (await readFile(pyproject, 'utf8')).replace('greeting==1.0.0', 'greeting==1.1.0'),
    );
    await ws.writeFile(
      `apps/${APP_B}/project.json`,
      JSON.stringify({
        name: APP_B,
        targets: { build: { options: { outputPath: 'out/{projectName}.pex', layout: 'packed' } } },
      }),
    );
    const shown = expectOk(await ws.nx(['show', 'project', APP_B, '--json']));
    const build = (
      JSON.parse(shown.stdout) as { targets: Record<string, { outputs?: string[]; options?: Record<string, unknown> }> }
    ).targets['build'];
    expect(build?.outputs).toEqual(['{options.outputPath}']);
    expect(build?.options?.['outputPath']).toBe(`out/${APP_B}.pex`);

    const first = expectOk(await ws.nx(['build', APP_B, '--outputStyle=static']));
    expect(first.output).toContain(`nx-pex: wrote out/${APP_B}.pex (packed,`);
    // Without a terminal an Nx task prints its result only: nothing of the progress is stored.
    expect(first.output).not.toMatch(/nx-pex: (resolving|downloading|installing|writing|downloaded|installed)\b/);
    expect(existsSync(ws.path('out', `${APP_B}.pex`, '__main__.py'))).toBe(true);

    await rm(ws.path('out'), { recursive: true, force: true });
    const restored = expectOk(await ws.nx(['build', APP_B, '--outputStyle=static']));
    expect(restored.output).toMatch(/\[local cache\]|existing outputs match the cache/);
    expect(existsSync(ws.path('out', `${APP_B}.pex`, '__main__.py'))).toBe(true);

    const run = expectOk(await ws.nx(['run', `${APP_B}:run`, '--outputStyle=static']));
    expect(run.output).toContain('Hello, svc-b! (greeting 1.1.0)');
    await rm(ws.path('apps', APP_B, 'project.json'));
  });

  it("a broken pyproject.toml and a bad requirement fail only their own project's tasks, with file:line", async () => {
    await ws.writeFile('apps/broken/pyproject.toml', '[project\nname = "broken"\n');
    await ws.writeFile('apps/badreq/pyproject.toml', '[project]\nname = "badreq"\ndependencies = ["greeting>=>1"]\n');
    await ws.writeFile(
      'tools/js-tool/project.json',
      JSON.stringify({ name: 'js-tool', targets: { hello: { command: 'node -e "console.log(\'js ok\')"' } } }),
    );
    try {
      const projects = expectOk(await ws.nx(['show', 'projects', '--json']));
      expect(JSON.parse(projects.stdout)).toEqual(
        expect.arrayContaining([APP_A, APP_B, LIB, 'broken', 'badreq', 'js-tool']),
      );
      expect(expectOk(await ws.nx(['run', 'js-tool:hello'])).output).toContain('js ok');
      const ok = expectOk(await ws.nx(['build', APP_A, '--outputStyle=static']));
      expect(ok.output).toContain(`nx run ${APP_A}:build`);

      const broken = await ws.nx(['build', 'broken', '--outputStyle=static']);
      expect(broken.exitCode).not.toBe(0);
      expect(broken.output).toMatch(
        /nx-pex: \[INVALID_PYPROJECT\] apps\/broken\/pyproject\.toml:1:\d+: not valid TOML: .*Fix the file/,
      );
      const badreq = await ws.nx(['build', 'badreq', '--outputStyle=static']);
      expect(badreq.exitCode).not.toBe(0);
      expect(badreq.output).toMatch(
        /nx-pex: \[INVALID_REQUIREMENT\] apps\/badreq\/pyproject\.toml:3: \[project\] dependencies: Invalid requirement "greeting>=>1"/,
      );
    } finally {
      for (const dir of ['apps/broken', 'apps/badreq', 'tools'])
        await rm(ws.path(dir), { recursive: true, force: true });
    }
  });

  it('with the daemon on (NX_DAEMON=true), an added and a removed requirement show in the graph without `nx reset`', async () => {
    const daemon = { env: { NX_DAEMON: 'true' } };
    // The graph as Nx computes it (graph --file leaves external nodes out).
    await ws.writeFile(
      'pypi-edges.cjs',
      `const { createProjectGraphAsync } = require('@nx/devkit');
createProjectGraphAsync({ exitOnError: true }).then((g) => {
  console.log(JSON.stringify({ nodes: Object.keys(g.externalNodes ?? {}).filter((n) => n.startsWith('pypi:')).sort(), edges: (g.dependencies['${APP_B}'] ?? []).map((d) => d.target).filter((t) => t.startsWith('pypi:')).sort() }));
  process.exit(0);
});
`,
    );
    const graph = async () =>
      JSON.parse(
        expectOk(await ws.run('node', ['pypi-edges.cjs'], daemon))
          .stdout.trim()
          .split('\n')
          .pop()!,
      ) as { nodes: string[]; edges: string[] };
    const pyproject = ws.path('apps', APP_B, 'pyproject.toml');
    const original = await readFile(pyproject, 'utf8');
    try {
      expect((await graph()).edges).toEqual(['pypi:greeting']);
      await ws.writeFile(
        `apps/${APP_B}/pyproject.toml`,
        original.replace('"greeting==1.1.0"', '"greeting==1.1.0", "brand-new-dep>=1"'),
      );
      const added = await graph();
      expect(added.nodes).toContain('pypi:brand-new-dep');
      expect(added.edges).toEqual(['pypi:brand-new-dep', 'pypi:greeting']);
      await ws.writeFile(`apps/${APP_B}/pyproject.toml`, original);
      const removed = await graph();
      expect(removed.edges).toEqual(['pypi:greeting']);
      expect(removed.nodes).not.toContain('pypi:brand-new-dep');
    } finally {
      await ws.writeFile(`apps/${APP_B}/pyproject.toml`, original);
      await ws.nx(['daemon', '--stop'], daemon);
      await rm(ws.path('pypi-edges.cjs'), { force: true });
    }
  });

  it('on a Node older than engines.node the plugin stops at load with one line naming the version needed', async () => {
    // process.versions.node made to read 20.19.0 before anything loads.
    await ws.writeFile('old-node.mjs', "Object.defineProperty(process.versions, 'node', { value: '20.19.0' });\n");
    const oldNode = { env: { NODE_OPTIONS: `--import=${ws.path('old-node.mjs')}` } };
    const line =
      'nx-pex needs Node.js >=22.19.0 (this is 20.19.0): install a newer Node.js (e.g. the current LTS) and run nx again.';
    try {
      const nx = await ws.nx(['show', 'projects'], oldNode);
      expect(nx.exitCode).not.toBe(0);
      expect(nx.output).toContain(line);
      expect(nx.output).not.toContain("reading 'bind'");
      const cli = await ws.run('node', [ws.path('node_modules', '.bin', 'nx-pex'), 'help'], oldNode);
      expect(cli.exitCode).toBe(1);
      expect(cli.stderr.trim()).toBe(`nx-pex: [UNSUPPORTED_NODE] ${line}`);
    } finally {
      await rm(ws.path('old-node.mjs'), { force: true });
    }
    expect(expectOk(await ws.run('npx', ['nx-pex', 'help'])).stdout).toContain('usage: nx-pex');
  });
});
