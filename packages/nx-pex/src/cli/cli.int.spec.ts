import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWheel, startFixtureIndex, type FixtureIndex, writeTree } from '@nx-pex/tools';
import { runCli } from './cli.js';
import { useFixtureIndex } from '../testing-files/fixture-env.js';

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), cwd }, out, err };
}

describe('nx-pex CLI', () => {
  let index: FixtureIndex;
  let ws: string;

  beforeAll(async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'nx-pex-cli-'));
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
    // Two builds of one project for two platforms: a multi-platform pex carries both.
    for (const [python, platform, where] of [
      ['cp311', 'manylinux_2_17_x86_64', 'linux'],
      ['cp312', 'macosx_11_0_arm64', 'mac'],
    ] as const) {
      await buildWheel(
        {
          name: 'fastthing',
          version: '1.0',
          pythonTag: python,
          abiTag: python,
          platformTag: platform,
          modules: { 'fastthing/__init__.py': `BUILD = "${where}"\n` },
        },
        wheels,
      );
    }
    index = await startFixtureIndex({ wheelsDir: wheels });
    useFixtureIndex(index.url, tmp);
    ws = join(tmp, 'ws');
    writeTree(ws, {
      'nx.json': '{}',
      'apps/svc/pyproject.toml':
        '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["shout-lib"]\n[project.scripts]\nsvc = "svc.main:main"\n',
      'apps/svc/src/svc/__init__.py': '',
      'apps/svc/src/svc/main.py':
        'import sys\nfrom shout_lib import shout\n\ndef main():\n    print(shout(" ".join(sys.argv[1:])))\n    return 3\n',
      'apps/svc/tests/test_svc.py': 'def test_x():\n    pass\n',
      'libs/shout-lib/pyproject.toml':
        '[project]\nname = "shout-lib"\nversion = "0.1.0"\ndependencies = ["colorful==1.2.0"]\n[tool.nx-pex]\ntype = "lib"\n',
      'libs/shout-lib/src/shout_lib/__init__.py':
        'from colorful import paint\n\ndef shout(s):\n    return paint(s.upper())\n',
    });
  });

  afterAll(async () => {
    await index?.close();
  });

  it('builds with the options Nx would give the target (project.json), beside a broken project', async () => {
    writeTree(ws, {
      'apps/cfg/pyproject.toml': '[project]\nname = "cfg"\nversion = "0.1.0"\n',
      'apps/cfg/src/cfg/__init__.py': '',
      'apps/cfg/src/cfg/__main__.py': 'print("hello world (the generated kind)")\n',
      'apps/cfg/src/cfg/real.py': 'def main():\n    print("from project.json")\n',
      'apps/cfg/project.json': JSON.stringify({
        name: 'cfg',
        targets: {
          build: {
            options: {
              entryPoint: 'cfg.real:main',
              layout: 'packed',
              outputPath: '{workspaceRoot}/out/{projectName}.pex',
            },
          },
        },
      }),
      'apps/broken/pyproject.toml': '[project\nname = "broken"\n',
    });
    const { io: cliIo, out, err } = io(ws);
    const code = await runCli(['build', 'apps/cfg'], cliIo);
    expect(code, err.join('\n')).toBe(0);
    expect(out[0]).toBe(join(ws, 'out/cfg.pex'));
    expect(err.join('\n')).toMatch(/wrote out\/cfg.pex \(packed,/);
    // A packed pex is a directory that python3 runs.
    const run = spawnSync('python3', [out[0]!], { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('from project.json');

    const broken = io(ws);
    expect(await runCli(['build', 'apps/broken'], broken.io)).toBe(1);
    expect(broken.err.join('\n')).toMatch(
      /^nx-pex: \[INVALID_PYPROJECT\] apps\/broken\/pyproject.toml:1:\d+: not valid TOML: .*Fix the file/,
    );
  });

  it("builds an app with its first-party lib and the lib's third-party requirement", async () => {
    const { io: cliIo, out, err } = io(ws);
    const code = await runCli(['build', 'apps/svc'], cliIo);
    expect(err.join('\n')).toContain('first-party: shout-lib');
    expect(code).toBe(0);
    const pex = out[0]!;
    expect(pex).toBe(join(ws, 'dist/apps/svc/svc.pex'));
    const run = spawnSync('python3', [pex, 'hello', 'world'], { encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('*HELLO WORLD*');
    expect(run.status).toBe(3);
  });

  it('inspects a pex', async () => {
    const { io: cliIo, out } = io(ws);
    expect(await runCli(['inspect', 'dist/apps/svc/svc.pex'], cliIo)).toBe(0);
    const info = JSON.parse(out.join('\n')) as Record<string, unknown>;
    expect(info['entry_point']).toBe('svc.main:main');
    expect(info['requirements']).toEqual(['colorful==1.2.0']);
    expect(Object.keys(info['distributions'] as object)).toEqual(['colorful-1.2.0-py3-none-any.whl']);
  });

  it('locks the project, builds from the lock, and refuses a stale lock', async () => {
    const lock = io(ws);
    expect(await runCli(['lock', 'apps/svc'], lock.io)).toBe(0);
    expect(lock.err.join('\n')).toContain('wrote apps/svc/pylock.toml (1 packages)');
    const text = readFileSync(join(ws, 'apps/svc/pylock.toml'), 'utf8');
    expect(text).toContain('lock-version = "1.0"');
    expect(text).toContain('name = "colorful"');
    expect(text).toMatch(/url = "http:\/\/127\.0\.0\.1:\d+\/files\/colorful-1\.2\.0-py3-none-any\.whl"/);

    const check = io(ws);
    expect(await runCli(['lock', 'apps/svc', '--check'], check.io)).toBe(0);
    expect(check.err.join('\n')).toContain('is up to date');

    const build = io(ws);
    expect(await runCli(['build', 'apps/svc'], build.io)).toBe(0);
    expect(build.err.join('\n')).not.toContain('not hermetic');

    const hash = io(ws);
    expect(await runCli(['lock-hash', 'apps/svc'], hash.io)).toBe(0);
    expect(hash.out[0]).toMatch(/^[0-9a-f]{64}$/);

    // The lib now needs something else: the lock is stale for svc, and the build says what to do.
    const libToml = join(ws, 'libs/shout-lib/pyproject.toml');
    const original = readFileSync(libToml, 'utf8');
    writeFileSync(libToml, original.replace('"colorful==1.2.0"', '"colorful>=1.2"'));
    try {
      const stale = io(ws);
      expect(await runCli(['lock', 'apps/svc', '--check'], stale.io)).toBe(1);
      expect(stale.err.join('\n')).toMatch(/project svc now requires colorful>=1.2/);
      const refused = io(ws);
      expect(await runCli(['build', 'apps/svc'], refused.io)).toBe(1);
      expect(refused.err.join('\n')).toMatch(
        /\[STALE_LOCK\] apps\/svc\/pylock.toml is out of date for svc.*nx run svc:lock/,
      );
    } finally {
      writeFileSync(libToml, original);
    }
  });

  it('builds a multi-platform pex: the local build and a cross build, the runtime picks the local one', async () => {
    writeTree(ws, {
      'apps/multi/pyproject.toml':
        '[project]\nname = "multi"\nversion = "0.1.0"\ndependencies = ["fastthing==1.0"]\n[tool.nx-pex]\nentry-point = "multi"\n',
      'apps/multi/src/multi/__init__.py': '',
      'apps/multi/src/multi/__main__.py': 'import fastthing\nprint(fastthing.BUILD)\n',
    });
    const { io: cliIo, out } = io(ws);
    const code = await runCli(
      ['build', 'apps/multi', '--python', 'python3', '--platform', 'macosx_11_0_arm64-cp-312-cp312'],
      cliIo,
    );
    expect(code).toBe(0);
    const info = io(ws);
    await runCli(['inspect', out[0]!], info.io);
    expect(Object.keys((JSON.parse(info.out.join('\n')) as { distributions: object }).distributions).sort()).toEqual([
      'fastthing-1.0-cp311-cp311-manylinux_2_17_x86_64.whl',
      'fastthing-1.0-cp312-cp312-macosx_11_0_arm64.whl',
    ]);
    const local = spawnSync('python3', ['-c', 'import sys; print("%d%d" % sys.version_info[:2])'], {
      encoding: 'utf8',
    }).stdout.trim();
    const run = spawnSync('python3', [out[0]!], { encoding: 'utf8' });
    // On this Linux x86_64 machine's python3 (CPython 3.11 here) the manylinux build is the match.
    if (local === '311' && process.platform === 'linux' && process.arch === 'x64')
      expect(run.stdout.trim()).toBe('linux');
    else expect(run.status).not.toBe(0);
  });

  it('explains usage errors with exit code 2 and build errors with 1', async () => {
    const a = io(ws);
    expect(await runCli(['frobnicate'], a.io)).toBe(2);
    expect(a.err.join('\n')).toContain('unknown command "frobnicate"');
    const b = io(ws);
    expect(await runCli(['build', 'apps/missing'], b.io)).toBe(1);
    expect(b.err.join('\n')).toMatch(/apps\/missing\/pyproject.toml is missing/);
  });
});
