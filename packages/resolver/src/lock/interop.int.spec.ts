import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { buildWheel, findPythons, isolatedPipEnv, startFixtureIndex, type FixtureIndex } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexConfig } from '../config/index-config.js';
import { inspectInterpreter, type TargetInterpreter } from '../interpreter/inspect.js';
import { isLockCurrent } from './current.js';
import { fetchLocked } from './fetch-locked.js';
import { formatLock } from './format.js';
import { importUvLock, isUvLockCurrent } from './import.js';
import type { Lock } from './model.js';
import { parseLock } from './parse.js';
import { resolveLock } from './resolve-lock.js';
import { selectFromLock, type LockSelection } from './select.js';

// Opt-in (NX_PEX_INTEROP=1): our pylock.toml installed by `uv pip install -r`, `pip install -r` and
// `pex --pylock`, and locks written by `pip lock`, `uv export --format pylock.toml` and
// `pex3 lock export --format pep-751` read by nx-pex — all against the fixture index on 127.0.0.1.
// The tools are taken from NX_PEX_INTEROP_BIN (a directory holding pip, uv, pex, pex3, e.g. a venv's
// bin made with `pip install pex uv`), else from PATH. NX_PEX_INTEROP_REPORT: write the matrix as JSON.
const ENABLED = process.env.NX_PEX_INTEROP === '1';
const run = promisify(execFile);

function tool(name: string): string | undefined {
  const dirs = [process.env.NX_PEX_INTEROP_BIN, ...(process.env.PATH ?? '').split(delimiter)].filter((d): d is string =>
    Boolean(d),
  );
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

// The project: app-dep (core; colorama on win32; fast[speed] on >= 3.12) and core<2 at run time,
// extra `fancy` = extra-thing, dependency group `test` = pytest-fake (→ iniconfig-fake).
const PROJECT = {
  requirements: ['app-dep>=1', 'core<2'],
  dependencyGroups: { test: ['pytest-fake'] },
  extras: { fancy: ['extra-thing'] },
};
const PYPROJECT = `[project]
name = "svc"
version = "0.1"
requires-python = ">=3.9"
dependencies = ["app-dep>=1", "core<2"]

[project.optional-dependencies]
fancy = ["extra-thing"]

[dependency-groups]
test = ["pytest-fake"]

[tool.uv]
package = false
`;

describe.skipIf(!ENABLED)(
  'pylock.toml interop with pip, uv and pex (set NX_PEX_INTEROP=1 to run; tools from NX_PEX_INTEROP_BIN or PATH)',
  () => {
    let work: string;
    let server: FixtureIndex;
    let index: IndexConfig;
    let python: string;
    let target: TargetInterpreter;
    let ours: Lock;
    let ourFile: string;
    const bin = { pip: tool('pip'), uv: tool('uv'), pex: tool('pex'), pex3: tool('pex3') };
    const versions: Record<string, string> = {};
    const matrix: Record<string, string> = {};

    const sh = async (
      cmd: string,
      args: string[],
      cwd = work,
      env: NodeJS.ProcessEnv = isolatedPipEnv({
        UV_CACHE_DIR: join(work, 'uv-cache'),
        PEX_ROOT: join(work, 'pex-root'),
        UV_NO_CONFIG: '1',
      }),
    ) => {
      try {
        return (await run(cmd, args, { cwd, env, maxBuffer: 64 << 20 })).stdout;
      } catch (err) {
        const e = err as { stderr?: string; stdout?: string; message: string };
        throw new Error(`${cmd} ${args.join(' ')} failed:\n${e.stderr ?? ''}${e.stdout ?? ''}`.slice(0, 4000), {
          cause: err,
        });
      }
    };

    /** Distribution names installed in a fresh venv of `python` by `install(venvPython)`. */
    const installed = async (label: string, install: (venvPython: string) => Promise<unknown>): Promise<string[]> => {
      const venv = join(work, `venv-${label}`);
      await rm(venv, { recursive: true, force: true });
      await sh(python, ['-m', 'venv', '--without-pip', venv]);
      const venvPython = join(venv, 'bin', 'python');
      await install(venvPython);
      const out = await sh(venvPython, [
        '-c',
        'import importlib.metadata as m, json, re; print(json.dumps(sorted(re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower() for d in m.distributions())))',
      ]);
      return JSON.parse(out) as string[];
    };
    const ourNames = (lock: Lock, request: LockSelection = {}) =>
      selectFromLock(lock, 'svc', target, request)
        .map((a) => a.name)
        .sort();

    beforeAll(async () => {
      const missing = Object.entries(bin)
        .filter(([, p]) => !p)
        .map(([n]) => n);
      if (missing.length)
        throw new Error(
          `NX_PEX_INTEROP needs ${missing.join(', ')} (pip install pex uv into a venv and set NX_PEX_INTEROP_BIN to its bin directory).`,
        );
      const py = (await findPythons()).found.find((p) => p.version === '3.11');
      if (!py) throw new Error('NX_PEX_INTEROP needs a CPython 3.11 (pyenv or python3.11 on PATH).');
      python = py.path;
      target = await inspectInterpreter(python);
      work = await mkdtemp(join(tmpdir(), 'nx-pex-interop-'));
      const wheels = join(work, 'wheels');
      await buildWheel(
        {
          name: 'app-dep',
          version: '1.0',
          requiresDist: ['core>=1', 'colorama; sys_platform == "win32"', 'fast[speed]; python_version >= "3.12"'],
        },
        wheels,
      );
      // core 1.0 (the one core<2 picks) needs >=3.9. nx-pex locks for a project range of >=3.8
      // (the other tools lock PYPROJECT's >=3.9): the lock's requires-python is then the narrower
      // >=3.9 it serves, without which pex's default pip refuses core.
      await buildWheel({ name: 'core', version: '1.0', requiresPython: '>=3.9' }, wheels);
      for (const [name, version] of [
        ['core', '2.0'],
        ['colorama', '0.4'],
        ['speedy', '1.0'],
        ['iniconfig-fake', '1.0'],
        ['extra-thing', '1.0'],
      ] as const) {
        await buildWheel({ name, version }, wheels);
      }
      await buildWheel({ name: 'fast', version: '1.0', requiresDist: ['speedy; extra == "speed"'] }, wheels);
      await buildWheel({ name: 'pytest-fake', version: '1.0', requiresDist: ['iniconfig-fake'] }, wheels);
      server = await startFixtureIndex({ wheelsDir: wheels });
      index = { indexUrl: server.url, extraIndexUrls: [], findLinks: [], noIndex: false };
      await mkdir(join(work, 'svc'));
      await writeFile(join(work, 'svc', 'pyproject.toml'), PYPROJECT);
      versions.pip = (await sh(bin.pip!, ['--version'])).split(' ')[1]!;
      versions.uv = (await sh(bin.uv!, ['--version'])).trim().split(' ')[1]!;
      versions.pex = (await sh(bin.pex!, ['--version'])).trim();
      versions.python = target.version.join('.');
      ours = await resolveLock({
        roots: { svc: PROJECT.requirements },
        dependencyGroups: { svc: PROJECT.dependencyGroups },
        extras: { svc: PROJECT.extras },
        index,
        targets: [target],
        requiresPython: '>=3.8',
        cacheDir: join(work, 'cache'),
      });
      ourFile = join(work, 'svc', 'pylock.toml');
      await writeFile(ourFile, formatLock(ours));
      expect(ours.requiresPython).toBe('>=3.9');
    }, 300_000);

    afterAll(async () => {
      // The matrix, for docs/locks.md and the issue's closing note.
      console.log(
        `interop matrix (${JSON.stringify(versions)}):\n${Object.entries(matrix)
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n')}`,
      );
      if (process.env.NX_PEX_INTEROP_REPORT)
        await writeFile(process.env.NX_PEX_INTEROP_REPORT, JSON.stringify({ versions, matrix }, null, 2));
      await server?.close();
      if (work) await rm(work, { recursive: true, force: true });
    });

    const record = (key: string, body: () => Promise<void>) => async () => {
      matrix[key] = 'failed';
      await body();
      matrix[key] = 'ok';
    };

    describe('nx-pex writes, the tools install', () => {
      it(
        'uv pip install -r pylock.toml: the runtime set; --group test adds the test group, not the other way round',
        record('nx-pex → uv pip install', async () => {
          const runtime = ourNames(ours);
          expect(await installed('uv', (p) => sh(bin.uv!, ['pip', 'install', '--python', p, '-r', ourFile]))).toEqual(
            runtime,
          );
          expect(
            await installed('uv-test', (p) =>
              sh(bin.uv!, ['pip', 'install', '--python', p, '-r', ourFile, '--group', 'test']),
            ),
          ).toEqual(ourNames(ours, { dependencyGroups: ['test'] }));
          expect(
            await installed('uv-fancy', (p) =>
              sh(bin.uv!, ['pip', 'install', '--python', p, '-r', ourFile, '--extra', 'fancy']),
            ),
          ).toEqual(ourNames(ours, { extras: ['fancy'] }));
          expect(runtime).not.toContain('pytest-fake');
        }),
        300_000,
      );

      it(
        'pip install -r pylock.toml: the runtime set; pylock.toml[fancy] adds the extra',
        record('nx-pex → pip install', async () => {
          expect(await installed('pip', (p) => sh(bin.pip!, ['--python', p, 'install', '-r', ourFile]))).toEqual(
            ourNames(ours),
          );
          expect(
            await installed('pip-fancy', (p) => sh(bin.pip!, ['--python', p, 'install', '-r', `${ourFile}[fancy]`])),
          ).toEqual(ourNames(ours, { extras: ['fancy'] }));
          expect(
            await installed('pip-test', (p) => sh(bin.pip!, ['--python', p, 'install', '--group', `${ourFile}:test`])),
          ).toEqual(ourNames(ours, { dependencyGroups: ['test'] }));
        }),
        300_000,
      );

      it(
        'pex --pylock: the pex holds the runtime set; --pylock-group test adds the test group',
        record('nx-pex → pex --pylock', async () => {
          const dists = async (out: string, extra: string[]) => {
            await sh(bin.pex!, ['--pylock', ourFile, '--python', python, '-o', out, ...extra]);
            const info = JSON.parse(
              await sh(python, [
                '-c',
                'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("PEX-INFO").decode())',
                out,
              ]),
            ) as { distributions: Record<string, string> };
            return Object.keys(info.distributions)
              .map((f) => f.split('-')[0]!.replace(/_/g, '-').toLowerCase())
              .sort();
          };
          expect(await dists(join(work, 'runtime.pex'), [])).toEqual(ourNames(ours));
          expect(await dists(join(work, 'test.pex'), ['--pylock-group', 'test'])).toEqual(
            ourNames(ours, { dependencyGroups: ['test'] }),
          );
          expect(await dists(join(work, 'fancy.pex'), ['--pylock-extra', 'fancy'])).toEqual(
            ourNames(ours, { extras: ['fancy'] }),
          );
        }),
        300_000,
      );
    });

    describe('the tools write, nx-pex reads', () => {
      const readsAndFetches = async (file: string, request: LockSelection, expected: string[]) => {
        const lock = parseLock(await readFile(file, 'utf8'), file);
        expect(lock.nxPex).toBeUndefined();
        expect(ourNames(lock, request)).toEqual(expected);
        const status = isLockCurrent(lock, { svc: PROJECT.requirements }, undefined, { targets: [target] });
        expect(status.reasons).toEqual([]);
        const local = await fetchLocked(selectFromLock(lock, 'svc', target, request), {
          cacheDir: join(work, 'cache'),
        });
        expect(local.map((l) => l.name).sort()).toEqual(expected);
      };

      it(
        'pip lock',
        record('pip lock → nx-pex', async () => {
          await writeFile(join(work, 'reqs.txt'), PROJECT.requirements.join('\n'));
          await sh(bin.pip!, [
            '--python',
            python,
            'lock',
            '-r',
            join(work, 'reqs.txt'),
            '--index-url',
            server.url,
            '-o',
            join(work, 'pylock.pip.toml'),
          ]);
          await readsAndFetches(join(work, 'pylock.pip.toml'), {}, ['app-dep', 'core']);
        }),
        300_000,
      );

      it(
        'uv export --format pylock.toml (default groups) and uv.lock',
        record('uv export → nx-pex', async () => {
          const svc = join(work, 'svc');
          await sh(bin.uv!, ['lock', '--python', python, '--default-index', server.url], svc);
          await sh(
            bin.uv!,
            [
              'export',
              '--format',
              'pylock.toml',
              '--python',
              python,
              '--default-index',
              server.url,
              '-o',
              'pylock.uv.toml',
            ],
            svc,
          );
          await readsAndFetches(join(svc, 'pylock.uv.toml'), {}, ['app-dep', 'core']);
          // uv.lock itself: pyproject's specifiers are the roots, it is current, and a changed pyproject makes it stale.
          const uvLock = await readFile(join(svc, 'uv.lock'), 'utf8');
          const project = {
            name: 'svc',
            requirements: PROJECT.requirements,
            requiresPython: '>=3.9',
            dependencyGroups: PROJECT.dependencyGroups,
            extras: PROJECT.extras,
          };
          expect(isUvLockCurrent(uvLock, 'uv.lock', project)).toEqual({ current: true, reasons: [], unchecked: [] });
          expect(
            isUvLockCurrent(uvLock, 'uv.lock', { ...project, requirements: ['app-dep>=1', 'core<3'] }).current,
          ).toBe(false);
          const imported = importUvLock(uvLock, 'uv.lock');
          expect(ourNames(imported, { dependencyGroups: ['test'] })).toEqual([
            'app-dep',
            'core',
            'iniconfig-fake',
            'pytest-fake',
          ]);
        }),
        300_000,
      );

      it(
        'pex3 lock export --format pep-751',
        record('pex3 lock export → nx-pex', async () => {
          await writeFile(join(work, 'reqs.txt'), PROJECT.requirements.join('\n'));
          await sh(bin.pex3!, [
            'lock',
            'create',
            '-r',
            join(work, 'reqs.txt'),
            '--no-pypi',
            '--index',
            server.url,
            '--style',
            'universal',
            '--interpreter-constraint',
            '>=3.9',
            '-o',
            join(work, 'pex.lock.json'),
          ]);
          await sh(bin.pex3!, [
            'lock',
            'export',
            '--format',
            'pep-751',
            join(work, 'pex.lock.json'),
            '-o',
            join(work, 'pylock.pex.toml'),
          ]);
          await readsAndFetches(join(work, 'pylock.pex.toml'), { requirements: PROJECT.requirements }, [
            'app-dep',
            'core',
          ]);
        }),
        300_000,
      );
    });
  },
);
