import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWheel, startFixtureIndex, type FixtureIndex, writeTree } from '@nx-pex/tools';
import lockExecutor from './lock/lock.impl.js';
import pexExecutor from './pex/pex.impl.js';
import runExecutor from './run/run.impl.js';
import { useFixtureIndex } from '../testing-files/fixture-env.js';

/**
 * The executors import core/ (resolver, archive) inside their function, not when Nx loads them
 * (start-up, issue 15): each one still runs end to end, with the options Nx gives it — the build
 * target's inferred `lockSubsetHash` included, which the build ignores.
 */
describe('executors (modules loaded when the task runs)', () => {
  let index: FixtureIndex;
  let ws: string;
  const context = (target: string, options: Record<string, unknown> = {}): ExecutorContext =>
    ({
      root: ws,
      cwd: ws,
      isVerbose: false,
      projectName: 'svc',
      targetName: target,
      projectsConfigurations: {
        version: 2,
        projects: {
          svc: {
            root: 'apps/svc',
            targets: {
              build: { executor: 'nx-pex:pex', options: { outputPath: 'dist/apps/svc/svc.pex', ...options } },
            },
          },
        },
      },
      nxJsonConfiguration: {},
      projectGraph: { nodes: {}, dependencies: {} },
    }) as ExecutorContext;

  beforeAll(async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nx-pex-executors-'));
    const wheels = join(tmp, 'wheels');
    mkdirSync(wheels);
    await buildWheel(
      {
        name: 'colorful',
        version: '1.2.0',
        modules: { 'colorful/__init__.py': 'def paint(s):\n    return "*" + s + "*"\n' },
      },
      wheels,
    );
    index = await startFixtureIndex({ wheelsDir: wheels });
    useFixtureIndex(index.url, tmp);
    ws = join(tmp, 'ws');
    writeTree(ws, {
      'nx.json': '{}',
      'apps/svc/pyproject.toml':
        '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["colorful==1.2.0"]\n[project.scripts]\nsvc = "svc.main:main"\n',
      'apps/svc/src/svc/__init__.py': '',
      'apps/svc/src/svc/main.py':
        'import sys\nfrom colorful import paint\n\ndef main():\n    print(paint("ok"))\n    return 7\n',
    });
  });

  afterAll(async () => {
    await index?.close();
  });

  it('lock, build (with the inferred lockSubsetHash option) and run', async () => {
    expect(await lockExecutor({}, context('lock'))).toEqual({ success: true });
    expect(readFileSync(join(ws, 'apps/svc/pylock.toml'), 'utf8')).toContain('name = "colorful"');

    const options = { outputPath: 'dist/apps/svc/svc.pex', lockSubsetHash: 'f'.repeat(64) };
    expect(await pexExecutor(options, context('build', options))).toEqual({ success: true });
    const pex = join(ws, 'dist/apps/svc/svc.pex');
    expect(existsSync(pex)).toBe(true);

    // The executor takes the CLI's up-to-date check (one buildProjectPex): nothing changed, nothing written;
    // a source edited, the pex rewritten.
    const before = statSync(pex);
    expect(await pexExecutor(options, context('build', options))).toEqual({ success: true });
    expect([statSync(pex).ino, statSync(pex).mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    writeFileSync(join(ws, 'apps/svc/src/svc/extra.py'), 'X = 1\n');
    expect(await pexExecutor(options, context('build', options))).toEqual({ success: true });
    expect(statSync(pex).ino).not.toBe(before.ino);
    expect(
      spawnSync(
        'python3',
        ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("svc/extra.py"))', pex],
        { encoding: 'utf8' },
      ).stdout.trim(),
    ).toBe("b'X = 1\\n'");

    // The entry point's return value is the exit code: the run executor reports it as a failure.
    expect(await runExecutor({ buildTarget: 'build' }, context('run'))).toEqual({ success: false });
  });

  it("a failure inside the lazily loaded build is still the executor's reported failure", async () => {
    expect(await pexExecutor({ outputPath: 'dist/x.pex', layout: 'nope' as 'zipapp' }, context('build'))).toEqual({
      success: false,
    });
  });
});
