import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inspectInterpreter, parseLock, selectFromLock } from '@nx-pex/resolver';
import {
  buildWheel,
  findPythons,
  isolatedPipEnv,
  startFixtureIndex,
  type FixtureIndex,
  writeTree,
  ABI3,
  writeUniversalLockWheels,
} from '@nx-pex/tools';
import { logger, type ExecutorContext } from '@nx/devkit';
import { runCli } from '../cli/cli.js';
import { useFixtureIndex } from '../testing-files/fixture-env.js';
import lockExecutor from '../executors/lock/lock.impl.js';
import pexExecutor from '../executors/pex/pex.impl.js';

// Issue 18: a universal pylock.toml made on this machine builds pexes for other platforms with no
// resolution and no interpreter of theirs. The fixture index has per-platform wheels (as the
// resolver's universal.int.spec.ts): `native` has an abi3 wheel per default platform, `fastthing` 2.0
// none for macOS (1.0 is pure Python), `pywin32` is Windows-only (required on win32), `tomli` is
// required below Python 3.11.
const DEPS = ['web', 'native', 'fastthing', 'pywin32; sys_platform == "win32"'];
const MAIN =
  'from importlib.metadata import version\nprint(" ".join(d + " " + version(d) for d in ("web", "helper", "native", "fastthing")))\n';

// Opt-in (NX_PEX_INTEROP=1): uv installs our universal lock on each local CPython. uv from
// NX_PEX_INTEROP_BIN (e.g. a venv's bin made with `pip install uv`), else from PATH.
const INTEROP = process.env['NX_PEX_INTEROP'] === '1';
const uvTool = () =>
  [process.env['NX_PEX_INTEROP_BIN'], ...(process.env['PATH'] ?? '').split(delimiter)]
    .filter((d): d is string => Boolean(d))
    .map((d) => join(d, 'uv'))
    .find((p) => existsSync(p));

/** Each installed distribution as `name version tag…` (tags from its dist-info WHEEL file, PEP 427). */
const INSTALLED = `import importlib.metadata as m, re
for d in sorted(m.distributions(), key=lambda d: d.metadata["Name"].lower()):
    tags = sorted(l.split(":", 1)[1].strip() for l in (d.read_text("WHEEL") or "").splitlines() if l.startswith("Tag:"))
    print(re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(), d.version, *tags)
`;

function pyproject(name: string, tool = ''): string {
  return `[project]\nname = "${name}"\nversion = "0.1"\nrequires-python = ">=3.8"\ndependencies = ${JSON.stringify(DEPS)}\n[tool.nx-pex]\nentry-point = "main"\n${tool}`;
}

describe('universal locks from the plugin: lock once here, build for every covered platform', () => {
  let index: FixtureIndex;
  let tmp: string;
  let ws: string;

  const nxPex = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), cwd: ws });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const context = (name: string, root: string) =>
    ({
      root: ws,
      cwd: ws,
      isVerbose: false,
      projectName: name,
      projectsConfigurations: { version: 2, projects: { [name]: { root } } },
    }) as unknown as ExecutorContext;
  const distributions = async (pex: string) => {
    const info = await nxPex('inspect', pex);
    return Object.keys((JSON.parse(info.out) as { distributions: object }).distributions).sort();
  };
  const nxJson = (options: Record<string, unknown>) =>
    writeFileSync(join(ws, 'nx.json'), JSON.stringify({ plugins: [{ plugin: 'nx-pex', options }] }));

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'nx-pex-universal-'));
    const dir = join(tmp, 'wheels');
    await writeUniversalLockWheels(dir);
    index = await startFixtureIndex({ wheelsDir: dir });
    useFixtureIndex(index.url, tmp);
    ws = join(tmp, 'ws');
    writeTree(ws, {
      'apps/svc/pyproject.toml': pyproject('svc'),
      'apps/svc/main.py': MAIN,
      'apps/edge/pyproject.toml': pyproject(
        'edge',
        `environments = ["sys_platform == 'linux'", "macosx_11_0_arm64"]\n`,
      ),
      'apps/edge/main.py': MAIN,
    });
    nxJson({ universal: true });
  });

  afterAll(async () => {
    await index?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the plugin option `universal` makes `lock` write a universal pylock.toml; it builds pexes for macOS arm64, Windows amd64 and Linux aarch64 from the lock alone, and one for this machine that runs', async () => {
    const lock = await nxPex('lock', 'apps/svc');
    expect(lock.code, lock.err).toBe(0);
    const text = readFileSync(join(ws, 'apps/svc/pylock.toml'), 'utf8');
    expect(text).toContain('[tool.nx-pex.universal]');
    expect(text).toMatch(/name = "fastthing"\nversion = "1\.0"\nmarker = "sys_platform == 'darwin'"/);
    expect(text).toMatch(/name = "pywin32"\nversion = "307"\nmarker = "sys_platform == 'win32'"/);

    const platforms = {
      'macosx_11_0_arm64-cp-312-cp312': [
        'fastthing-1.0-py3-none-any.whl',
        'helper-1.1-py3-none-any.whl',
        'native-1.0-cp38-abi3-macosx_11_0_arm64.whl',
        'web-1.0-py3-none-any.whl',
      ],
      'win_amd64-cp-311-cp311': [
        'fastthing-2.0-cp38-abi3-win_amd64.whl',
        'helper-1.1-py3-none-any.whl',
        'native-1.0-cp38-abi3-win_amd64.whl',
        'pywin32-307-cp38-abi3-win_amd64.whl',
        'web-1.0-py3-none-any.whl',
      ],
      'manylinux_2_28_aarch64-cp-39-cp39': [
        'fastthing-2.0-cp38-abi3-manylinux_2_17_aarch64.whl',
        'helper-1.1-py3-none-any.whl',
        'native-1.0-cp38-abi3-manylinux_2_17_aarch64.whl',
        'tomli-2.0.1-py3-none-any.whl',
        'web-1.0-py3-none-any.whl',
      ],
    };
    index.requests.length = 0;
    for (const [platform, wheels] of Object.entries(platforms)) {
      const build = await nxPex('build', 'apps/svc', '--platform', platform, '--output', `dist/${platform}.pex`);
      expect(build.code, build.err).toBe(0);
      expect(build.err).not.toContain('not hermetic');
      expect(await distributions(build.out)).toEqual(wheels);
    }
    // No resolution: only the locked files were downloaded, no index page was read.
    expect(index.requests.length).toBeGreaterThan(0);
    expect(index.requests.filter((r) => !r.path.endsWith('.whl'))).toEqual([]);

    const host = (await findPythons()).found[0];
    expect(host, 'a CPython 3.8–3.13 on this machine').toBeDefined();
    const here = await nxPex('build', 'apps/svc', '--python', host!.path, '--output', 'dist/here.pex');
    expect(here.code, here.err).toBe(0);
    const run = spawnSync(host!.path, [here.out], { encoding: 'utf8' });
    expect(run.stdout.trim(), run.stderr).toBe('web 1.0 helper 1.1 native 1.0 fastthing 2.0');
  });

  it('a platform the lock does not cover is LOCK_PLATFORM_NOT_COVERED naming the lock and what to add to environments (Nx build and CLI)', async () => {
    if (!existsSync(join(ws, 'apps/svc/pylock.toml'))) expect((await nxPex('lock', 'apps/svc')).code).toBe(0);
    const musl = await nxPex(
      'build',
      'apps/svc',
      '--platform',
      'musllinux_1_2_x86_64-cp-312-cp312',
      '--output',
      'dist/musl.pex',
    );
    expect(musl.code).toBe(1);
    expect(musl.err).toMatch(
      /\[LOCK_PLATFORM_NOT_COVERED\] apps\/svc\/pylock\.toml is a universal lock that does not cover CPython 3\.12 on musllinux_1_2_x86_64 .*Add "musllinux_1_2_x86_64" \(or "musllinux_1_2_x86_64-cp-312-cp312"\) to the lock's environments/,
    );

    // The Nx build target takes the same path; its failure is the executor's.
    const logged: string[] = [];
    const error = vi
      .spyOn(logger, 'error')
      .mockImplementation((...args: unknown[]) => void logged.push(args.join(' ')));
    try {
      const result = await pexExecutor(
        { outputPath: 'dist/apps/svc/win-arm.pex', platforms: ['win_arm64-cp-312-cp312'] },
        context('svc', 'apps/svc'),
      );
      expect(result).toEqual({ success: false });
    } finally {
      error.mockRestore();
    }
    expect(logged.join('\n')).toMatch(/LOCK_PLATFORM_NOT_COVERED.*does not cover CPython 3\.12 on win_arm64/);
  });

  it('the lock target with [tool.nx-pex] environments writes a universal lock for those only; lock --check is exact for environments, fork strategy and universality', async () => {
    nxJson({});
    expect(await lockExecutor({}, context('edge', 'apps/edge'))).toEqual({ success: true });
    const lockFile = join(ws, 'apps/edge/pylock.toml');
    const text = readFileSync(lockFile, 'utf8');
    expect(text).toContain(
      `[tool.nx-pex.universal]\nenvironments = [\n    "sys_platform == 'linux'",\n    "macosx_11_0_arm64",\n]`,
    );
    expect(text).not.toContain('win_amd64');
    expect((await nxPex('lock', 'apps/edge', '--check')).code).toBe(0);
    expect(await lockExecutor({ check: true }, context('edge', 'apps/edge'))).toEqual({ success: true });

    const check = async (...flags: string[]) => {
      const r = await nxPex('lock', 'apps/edge', '--check', ...flags);
      return { ...r, stale: r.code !== 0 };
    };
    const moreEnvs = await check(
      '--environment',
      "sys_platform == 'linux'",
      '--environment',
      'macosx_11_0_arm64',
      '--environment',
      'win_amd64',
    );
    expect(moreEnvs.err).toMatch(
      /is out of date: the universal lock's environments are "macosx_11_0_arm64", "sys_platform == 'linux'" but the project asks for .*"win_amd64".*Run `nx run edge:lock`/,
    );
    // The same environments in another order are the same request.
    expect((await check('--environment', 'macosx_11_0_arm64', '--environment', "sys_platform == 'linux'")).stale).toBe(
      false,
    );
    expect((await check('--fork-strategy', 'fewest')).err).toMatch(
      /made with fork strategy requires-python but the project asks for fewest/,
    );
    expect(await lockExecutor({ check: true, universal: false }, context('edge', 'apps/edge'))).toEqual({
      success: false,
    });

    // A project that stops listing environments (and no plugin option) asks for a lock for its interpreters again.
    writeFileSync(join(ws, 'apps/edge/pyproject.toml'), pyproject('edge'));
    expect((await check()).err).toMatch(/the lock is universal but the project no longer asks for a universal lock/);
    // The build still takes the lock as it was made (lock --check guards what it was made for).
    const build = await nxPex(
      'build',
      'apps/edge',
      '--platform',
      'macosx_11_0_arm64-cp-310-cp310',
      '--output',
      'dist/edge-mac.pex',
    );
    expect(build.code, build.err).toBe(0);
    expect(await distributions(build.out)).toContain('native-1.0-cp38-abi3-macosx_11_0_arm64.whl');
    writeFileSync(
      join(ws, 'apps/edge/pyproject.toml'),
      pyproject('edge', `environments = ["sys_platform == 'linux'", "macosx_11_0_arm64"]\n`),
    );
  });

  it("the CLI's --universal and --fork-strategy write the shared workspace lock universally; builds take their part of it; a bad --fork-strategy is a usage error", async () => {
    nxJson({});
    writeTree(ws, { 'apps/shared/pyproject.toml': pyproject('shared'), 'apps/shared/main.py': MAIN });
    const lock = await nxPex('lock', 'apps/shared', '--workspace', '--universal', '--fork-strategy', 'fewest');
    expect(lock.code, lock.err).toBe(0);
    expect(lock.err).toContain('wrote pylock.toml');
    expect(readFileSync(join(ws, 'pylock.toml'), 'utf8')).toContain(
      '[tool.nx-pex.universal]\nenvironments = []\nfork-strategy = "fewest"',
    );
    expect((await nxPex('lock', 'apps/shared', '--check', '--universal', '--fork-strategy', 'fewest')).code).toBe(0);
    expect((await nxPex('lock', 'apps/shared', '--check')).err).toMatch(
      /pylock\.toml is out of date: the lock is universal but the project no longer asks for a universal lock/,
    );
    const build = await nxPex(
      'build',
      'apps/shared',
      '--platform',
      'win_amd64-cp-38-cp38',
      '--output',
      'dist/shared-win.pex',
    );
    expect(build.code, build.err).toBe(0);
    expect(await distributions(build.out)).toEqual([
      'fastthing-2.0-cp38-abi3-win_amd64.whl',
      'helper-1.1-py3-none-any.whl',
      'native-1.0-cp38-abi3-win_amd64.whl',
      'pywin32-307-cp38-abi3-win_amd64.whl',
      'tomli-2.0.1-py3-none-any.whl',
      'web-1.0-py3-none-any.whl',
    ]);
    const usage = await nxPex('lock', 'apps/shared', '--fork-strategy', 'lowest');
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('--fork-strategy must be requires-python or fewest, not "lowest"');
  });

  it('in a shared universal lock, a change to the Windows fork changes the lock part (build input) of the projects that reach it only', async () => {
    nxJson({ universal: true });
    writeTree(ws, {
      'apps/win-user/pyproject.toml': pyproject('win-user'),
      'apps/win-user/main.py': MAIN,
      'apps/portable/pyproject.toml': pyproject('portable').replace(
        JSON.stringify(DEPS),
        JSON.stringify(['web', 'native']),
      ),
      'apps/portable/main.py': MAIN,
    });
    const hashes = async () =>
      Object.fromEntries(
        await Promise.all(
          ['apps/win-user', 'apps/portable'].map(async (d) => [d, (await nxPex('lock-hash', d)).out] as const),
        ),
      );
    expect((await nxPex('lock', 'apps/portable')).code).toBe(0);
    const before = await hashes();
    // Another project pins pywin32 (Windows only): one version per package across the shared lock's projects.
    writeTree(ws, {
      'apps/pinner/pyproject.toml': pyproject('pinner').replace(
        JSON.stringify(DEPS),
        JSON.stringify(['pywin32==306; sys_platform == "win32"']),
      ),
      'apps/pinner/main.py': MAIN,
    });
    const relock = await nxPex('lock', 'apps/portable');
    expect(relock.code, relock.err).toBe(0);
    expect(readFileSync(join(ws, 'pylock.toml'), 'utf8')).toMatch(
      /name = "pywin32"\nversion = "306"\nmarker = "sys_platform == 'win32'"/,
    );
    const after = await hashes();
    for (const h of Object.values(after)) expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(after['apps/win-user']).not.toBe(before['apps/win-user']);
    expect(after['apps/portable']).toBe(before['apps/portable']);
    const win = await nxPex(
      'build',
      'apps/win-user',
      '--platform',
      'win_amd64-cp-312-cp312',
      '--output',
      'dist/win-user.pex',
    );
    expect(win.code, win.err).toBe(0);
    expect(await distributions(win.out)).toContain('pywin32-306-cp38-abi3-win_amd64.whl');
  });

  it("the plugin option `universal` does not hold another tool's one-platform lock to every platform: it is checked for this machine, and builds", async () => {
    nxJson({ universal: true });
    // The index's Linux x86_64 wheel of `native` (the same bytes: the wheel factory is deterministic).
    const linux = await buildWheel(
      { name: 'native', version: '1.0', ...ABI3, platformTag: 'manylinux_2_17_x86_64' },
      join(tmp, 'pip-wheels'),
    );
    const foreign =
      'lock-version = "1.0"\ncreated-by = "pip"\nenvironments = ["sys_platform == \'linux\'"]\n\n[[packages]]\nname = "native"\nversion = "1.0"\n\n' +
      `[[packages.wheels]]\nname = "${linux.filename}"\nurl = "${new URL(`../files/${linux.filename}`, index.url)}"\n\n` +
      `[packages.wheels.hashes]\nsha256 = "${linux.sha256}"\n`;
    writeTree(ws, {
      'apps/pipped/pyproject.toml': pyproject('pipped').replace(JSON.stringify(DEPS), JSON.stringify(['native'])),
      'apps/pipped/main.py': 'from importlib.metadata import version\nprint(version("native"))\n',
      'apps/pipped/pylock.toml': foreign,
    });
    const check = await nxPex('lock', 'apps/pipped', '--check');
    expect(check.code, check.err).toBe(0);
    const build = await nxPex('build', 'apps/pipped');
    expect(build.code, build.err).toBe(0);
    expect(spawnSync('python3', [build.out], { encoding: 'utf8' }).stdout.trim()).toBe('1.0');
    // Listing environments for the project asks for them: then the one-platform lock is checked against them.
    writeFileSync(
      join(ws, 'apps/pipped/pyproject.toml'),
      pyproject('pipped', 'environments = ["sys_platform == \'win32\'"]\n').replace(
        JSON.stringify(DEPS),
        JSON.stringify(['native']),
      ),
    );
    expect((await nxPex('lock', 'apps/pipped', '--check')).code).toBe(1);
  });

  it.skipIf(!INTEROP)(
    'interop (NX_PEX_INTEROP=1): `uv pip install -r pylock.toml` installs our universal lock on every local CPython 3.8–3.13 it covers, exactly the wheels nx-pex selects there',
    async () => {
      const uv = uvTool();
      expect(uv, 'uv in NX_PEX_INTEROP_BIN or on PATH').toBeDefined();
      nxJson({ universal: true });
      const lock = await nxPex('lock', 'apps/svc');
      expect(lock.code, lock.err).toBe(0);
      const lockFile = join(ws, 'apps/svc/pylock.toml');
      const parsed = parseLock(readFileSync(lockFile, 'utf8'), lockFile);
      const pythons = (await findPythons()).found;
      expect(pythons.length).toBeGreaterThan(0);
      const env = isolatedPipEnv({ UV_CACHE_DIR: join(tmp, 'uv-cache'), UV_NO_CONFIG: '1' });
      // Asynchronous: the fixture index serves the wheels from this process.
      const run = async (cmd: string, args: string[]) => {
        try {
          return (await promisify(execFile)(cmd, args, { encoding: 'utf8', env })).stdout;
        } catch (e) {
          throw new Error(
            `${cmd} ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`,
            { cause: e },
          );
        }
      };
      const report: string[] = [];
      for (const py of pythons) {
        const ours = selectFromLock(parsed, 'svc', await inspectInterpreter(py.path), {
          lockFile: 'apps/svc/pylock.toml',
        })
          .map((a) => {
            const parts = a.filename.replace(/\.whl$/, '').split('-');
            return `${a.name} ${a.version} ${parts.slice(-3).join('-')}`;
          })
          .sort();
        const venv = join(tmp, `venv-${py.version}`);
        await run(py.path, ['-m', 'venv', '--without-pip', venv]);
        const venvPython = join(venv, 'bin', 'python');
        await run(uv!, ['pip', 'install', '--preview-features', 'pylock', '--python', venvPython, '-r', lockFile]);
        const installed = (await run(venvPython, ['-c', INSTALLED])).trim().split('\n').sort();
        expect(installed, `CPython ${py.version}`).toEqual(ours);
        report.push(`${py.version}: ${installed.join(', ')}`);
      }
      process.stdout.write(
        `${(await run(uv!, ['--version'])).trim()} installed the universal lock on:\n${report.join('\n')}\n`,
      );
    },
    300_000,
  );
});
