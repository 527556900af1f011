import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMissing, findPythons, type FoundPython } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPex, type WheelInput } from '../index.js';
import { APP_SOURCES, greetWheel, shoutWheel, writeSources } from '../test-support/fixtures.js';
import { run } from '../test-support/run.js';

const pythons = await findPythons();
if (pythons.missing.length > 0) console.warn(describeMissing(pythons));

let work: string;
let greetSha256: string;
const pex: Record<'module' | 'fn' | 'boom' | 'interpreter' | 'future', string> = {
  module: '',
  fn: '',
  boom: '',
  interpreter: '',
  future: '',
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-archive-int-'));
  const wheels: WheelInput[] = await Promise.all([greetWheel(join(work, 'wheels')), shoutWheel(join(work, 'wheels'))]);
  greetSha256 = wheels[0]!.sha256;
  const sources = await writeSources(join(work, 'src'), APP_SOURCES);
  const cacheDir = join(work, 'cache');
  const build = (name: keyof typeof pex, entryPoint?: string, interpreterConstraints?: string[]) =>
    buildPex({
      ...(interpreterConstraints ? { interpreterConstraints } : {}),
      outputPath: join(work, 'dist', `${name}.pex`),
      wheels,
      sources,
      cacheDir,
      requirements: ['greet==1.0', 'shout==2.0'],
      ...(entryPoint ? { entryPoint } : {}),
    });
  pex.module = (await build('module', 'app.main')).path;
  pex.fn = (await build('fn', 'app.fn:main')).path;
  pex.boom = (await build('boom', 'app.boom:main')).path;
  pex.interpreter = (await build('interpreter')).path;
  pex.future = (await build('future', 'app.fn:main', ['CPython>=3.99'])).path;
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

it('is a zip that python -m zipfile can list and test', async () => {
  const python = pythons.found.at(-1)?.path ?? 'python3';
  const listed = await run(python, ['-m', 'zipfile', '-l', pex.module]);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain('PEX-INFO');
  expect(listed.stdout).toContain('.deps/greet-1.0-py3-none-any.whl/bin/greet-script');
  const tested = await run(python, ['-m', 'zipfile', '-t', pex.module]);
  expect(tested.code).toBe(0);
});

describe.each(pythons.found.map((found): [string, FoundPython] => [found.full, found]))(
  'CPython %s',
  (_full, python) => {
    let pexRoot: string;
    beforeAll(async () => {
      pexRoot = join(work, `pex_root-${python.version}`);
    });
    const env = (): Record<string, string> => ({ PEX_ROOT: pexRoot });

    it('runs a module entry point as __main__, with PEX set and args passed', async () => {
      const result = await run(python.path, [pex.module, 'a', 'b'], { env: env() });
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(`HELLO WORLD!\nargv ['a', 'b']\nPEX ${pex.module}\n`);
      expect(result.code).toBe(0);
    });

    it('reuses the extraction on the second run', async () => {
      const fresh = join(work, `pex_root-reuse-${python.version}`);
      const first = await run(python.path, [pex.module], { env: { PEX_ROOT: fresh, PEX_VERBOSE: '1' } });
      expect(first.code).toBe(0);
      expect(first.stderr).toMatch(/extracted .*installed_wheels/);
      expect(first.stderr).toMatch(/extracted .*user_code/);
      expect(first.stderr).toMatch(/extracted .*bootstraps/); // the runtime, byte-compiled for the next start
      const tree = join(fresh, 'installed_wheels', greetSha256, 'greet-1.0-py3-none-any.whl', 'greet', '__init__.py');
      const before = await stat(tree);
      const second = await run(python.path, [pex.module], { env: { PEX_ROOT: fresh, PEX_VERBOSE: '1' } });
      expect(second.code).toBe(0);
      expect(second.stderr).not.toMatch(/extracted/);
      const after = await stat(tree);
      expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    });

    it('survives 16 concurrent first runs racing to extract (losers discard their copy)', async () => {
      const racing = join(work, `pex_root-race-${python.version}`);
      const results = await Promise.all(
        Array.from({ length: 16 }, () => run(python.path, [pex.module], { env: { PEX_ROOT: racing } })),
      );
      for (const result of results)
        expect([result.code, result.stdout.split('\n')[0], result.stderr]).toEqual([0, 'HELLO WORLD!', '']);
      const leftovers = (await readdir(join(racing, 'installed_wheels', greetSha256))).filter(
        (name) => name !== 'greet-1.0-py3-none-any.whl',
      );
      expect(leftovers).toEqual([]);
      // byte-compiled at extraction, for this interpreter
      const cache = await readdir(
        join(racing, 'installed_wheels', greetSha256, 'greet-1.0-py3-none-any.whl', 'greet', '__pycache__'),
      );
      expect(cache).toContain(`__init__.cpython-${python.version.replace('.', '')}.pyc`);
    });

    it('exits with the return value of a function entry point', async () => {
      const result = await run(python.path, [pex.fn], { env: env() });
      expect(result.stdout).toBe('function ran\n');
      expect(result.code).toBe(7);
    });

    it('exits non-zero with the traceback when the entry point raises', async () => {
      const result = await run(python.path, [pex.boom], { env: env() });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('RuntimeError: boom from app');
    });

    it('behaves like the interpreter without an entry point: -c and -m', async () => {
      const c = await run(
        python.path,
        [
          pex.interpreter,
          '-c',
          'import sys, greet, greet_extra, app.fn; print(greet.hello("c"), greet_extra.VALUE, sys.argv)',
          'x',
        ],
        { env: env() },
      );
      expect(c.stdout).toBe("hello c 42 ['-c', 'x']\n");
      expect(c.code).toBe(0);
      const m = await run(python.path, [pex.interpreter, '-m', 'greet.cli', 'y'], { env: env() });
      expect(m.stdout).toBe("greet-cli ran ['y']\n");
      expect(m.code).toBe(3);
    });

    it('runs console scripts and .data/scripts of the distributions with PEX_SCRIPT', async () => {
      const consoleScript = await run(python.path, [pex.interpreter, 'z'], {
        env: { ...env(), PEX_SCRIPT: 'greet-cli' },
      });
      expect(consoleScript.stdout).toBe("greet-cli ran ['z']\n");
      expect(consoleScript.code).toBe(3);
      const script = await run(python.path, [pex.interpreter, 'w'], { env: { ...env(), PEX_SCRIPT: 'greet-script' } });
      expect(script.stdout).toBe("script ran ['w']\n");
      expect(script.code).toBe(0);
    });

    it('refuses to run on an interpreter outside interpreter_constraints, unless told to ignore them', async () => {
      // An empty PATH: nothing to re-exec, so the error lists only the running interpreter.
      const refused = await run(python.path, [pex.future], { env: { ...env(), PATH: join(work, 'empty-path') } });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `this pex needs an interpreter matching 'CPython>=3.99'; tried: ${python.path} (CPython ${python.full}, running)`,
      );
      const ignored = await run(python.path, [pex.future], {
        env: { ...env(), PEX_IGNORE_INTERPRETER_CONSTRAINTS: '1' },
      });
      expect([ignored.code, ignored.stdout]).toEqual([7, 'function ran\n']);
    });

    it('isolates the pex from site-packages, .pth files and the user site', async () => {
      const venv = join(work, `venv-${python.version}`);
      const made = await run(python.path, ['-m', 'venv', '--without-pip', venv]);
      expect(made.code).toBe(0);
      const venvPython = join(venv, 'bin', 'python');
      const sitePackages = (
        await run(venvPython, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'])
      ).stdout.trim();
      const pthDir = join(work, `pth-target-${python.version}`);
      await mkdir(pthDir, { recursive: true });
      await writeFile(join(sitePackages, 'isolated_probe.py'), 'X = 1\n');
      await writeFile(join(pthDir, 'pth_probe.py'), 'X = 1\n');
      await writeFile(join(sitePackages, 'probe.pth'), `${pthDir}\n`);
      const probe =
        'import importlib.util as u; print([u.find_spec(n) is not None for n in ("isolated_probe", "pth_probe", "greet")])';
      // The probes are importable by the interpreter itself, so the assertion below can fail.
      expect((await run(venvPython, ['-c', probe])).stdout).toBe('[True, True, False]\n');
      expect((await run(venvPython, [pex.interpreter, '-c', probe], { env: env() })).stdout).toBe(
        '[False, False, True]\n',
      );

      const userBase = join(work, `userbase-${python.version}`);
      const userSite = (
        await run(python.path, ['-c', 'import site; print(site.getusersitepackages())'], {
          env: { PYTHONUSERBASE: userBase },
        })
      ).stdout.trim();
      await mkdir(userSite, { recursive: true });
      await writeFile(join(userSite, 'user_probe.py'), 'X = 1\n');
      const userProbe = 'import importlib.util as u; print(u.find_spec("user_probe") is not None)';
      expect((await run(python.path, ['-c', userProbe], { env: { PYTHONUSERBASE: userBase } })).stdout).toBe('True\n');
      expect(
        (await run(python.path, [pex.interpreter, '-c', userProbe], { env: { ...env(), PYTHONUSERBASE: userBase } }))
          .stdout,
      ).toBe('False\n');
    });
  },
);
