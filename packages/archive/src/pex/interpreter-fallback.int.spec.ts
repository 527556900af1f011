// Issue 12 item 4: a pex built for several interpreters, run by one it has no build for, re-executes
// an interpreter it can run on — PEX_PYTHON, else PEX_PYTHON_PATH, then PATH, as pex does and as the
// runtime already does for interpreter constraints — and only then fails, listing what it tried.
// Real interpreters: the pex is built for the two oldest CPythons found and run by the newest.
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWheel, describeMissing, findPythons, type FoundPython } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPex } from './build.js';
import { writeSources } from '../test-support/fixtures.js';
import { run } from '../test-support/run.js';

const pythons = await findPythons();
if (pythons.missing.length > 0) console.warn(describeMissing(pythons));
const [first, second] = pythons.found;
const third = pythons.found.at(-1);
const enough = pythons.found.length >= 3;

let work: string;
let twoPythons: string;
let oneForeign: string;
let constrained: string;
/** Directories for PATH / PEX_PYTHON_PATH holding `python3.X` links to chosen interpreters only. */
const dirs: Record<string, string> = {};

async function pathOf(name: string, found: FoundPython[]): Promise<string> {
  const dir = join(work, 'path', name);
  await mkdir(dir, { recursive: true });
  for (const python of found) await symlink(python.path, join(dir, `python${python.version}`));
  return dir;
}

/** A CPython-specific build of `native` (cpXY-cpXY-<the interpreter's best platform>), saying which it is. */
async function nativeFor(python: FoundPython, dir: string): Promise<{ path: string; sha256: string }> {
  const best = await run(python.path, [
    '-c',
    'from pip._vendor.packaging.tags import sys_tags; print(next(iter(sys_tags())).platform)',
  ]);
  const tag = `cp${python.version.replace('.', '')}`;
  return buildWheel(
    {
      name: 'native',
      version: '1.0',
      pythonTag: tag,
      abiTag: tag,
      platformTag: best.stdout.trim(),
      modules: { 'native/__init__.py': `KIND = "${tag}"\n` },
    },
    dir,
  );
}

beforeAll(async () => {
  if (!enough) return;
  work = await mkdtemp(join(tmpdir(), 'nx-pex-fallback-'));
  const sources = await writeSources(join(work, 'src'), {
    'app/__init__.py': '',
    'app/main.py': 'import sys, native\nprint("%d.%d" % sys.version_info[:2], native.KIND, sys.argv[1:])\n',
  });
  const wheelDir = join(work, 'wheels');
  const natives = [await nativeFor(first!, wheelDir), await nativeFor(second!, wheelDir)];
  const base = { sources, entryPoint: 'app.main', cacheDir: join(work, 'cache') };
  twoPythons = (await buildPex({ ...base, outputPath: join(work, 'two.pex'), wheels: natives })).path;
  oneForeign = (await buildPex({ ...base, outputPath: join(work, 'one.pex'), wheels: [natives[0]!] })).path;
  constrained = (
    await buildPex({
      ...base,
      outputPath: join(work, 'constrained.pex'),
      wheels: natives,
      interpreterConstraints: [`CPython!=${third!.version}.*`],
    })
  ).path;
  dirs['both'] = await pathOf('both', [first!, second!, third!]);
  dirs['middle-first'] = await pathOf('middle-first', [first!, ...pythons.found.slice(2, -1)]);
  dirs['none'] = await pathOf('none', pythons.found.slice(2));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

const cp = (python: FoundPython): string => `cp${python.version.replace('.', '')}`;

describe.skipIf(!enough)(`a pex built for two CPythons, run by a third`, () => {
  const env = (extra: Record<string, string>) => ({
    env: {
      PEX_ROOT: join(work, 'root'),
      PEX_VERBOSE: '1',
      PEX_PYTHON_PATH: undefined,
      PEX_PYTHON: undefined,
      ...extra,
    },
  });

  it('re-executes the first interpreter on PATH that has a build of every project', async () => {
    const result = await run(third!.path, [twoPythons, 'a'], env({ PATH: dirs['both']! }));
    expect([result.code, result.stdout]).toEqual([0, `${second!.version} ${cp(second!)} ['a']\n`]);
    expect(result.stderr).toContain(`re-executing with ${join(dirs['both']!, `python${second!.version}`)}`);
  });

  it('prefers PEX_PYTHON_PATH to PATH, and PEX_PYTHON to both', async () => {
    const viaPythonPath = await run(
      third!.path,
      [twoPythons, 'b'],
      env({ PATH: dirs['both']!, PEX_PYTHON_PATH: first!.path }),
    );
    expect([viaPythonPath.code, viaPythonPath.stdout]).toEqual([0, `${first!.version} ${cp(first!)} ['b']\n`]);
    const viaPexPython = await run(
      third!.path,
      [twoPythons, 'c'],
      env({ PATH: dirs['both']!, PEX_PYTHON: `python${first!.version}` }),
    );
    expect([viaPexPython.code, viaPexPython.stdout]).toEqual([0, `${first!.version} ${cp(first!)} ['c']\n`]);
  });

  it('checks a single build whose ABI names another CPython (cpXY-cpXY) and re-executes that CPython', async () => {
    const result = await run(third!.path, [oneForeign, 'd'], env({ PATH: dirs['both']! }));
    expect([result.code, result.stdout]).toEqual([0, `${first!.version} ${cp(first!)} ['d']\n`]);
  });

  it.skipIf(pythons.found.length < 4)(
    're-executes for interpreter constraints only an interpreter that also has the builds',
    async () => {
      const middle = pythons.found.at(-2)!;
      const result = await run(third!.path, [constrained, 'e'], env({ PATH: dirs['middle-first']! }));
      expect([result.code, result.stdout]).toEqual([0, `${first!.version} ${cp(first!)} ['e']\n`]);
      expect(result.stderr).toContain(`re-executing with ${join(dirs['middle-first']!, `python${first!.version}`)}`);
      expect(result.stderr).not.toContain(
        `re-executing with ${join(dirs['middle-first']!, `python${middle.version}`)}`,
      );
    },
  );

  it('fails when no interpreter has a build, listing each one tried and why', async () => {
    const result = await run(third!.path, [twoPythons], env({ PATH: dirs['none']! }));
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('Traceback');
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `${twoPythons} has no build compatible with cp ${third!.full} for: native (builds: native-1.0-${cp(first!)}-${cp(first!)}-`,
    );
    expect(lines[0]).toContain(`tried: ${third!.path} (CPython ${third!.full}, running: no build of native)`);
    for (const python of pythons.found.slice(2, -1)) {
      expect(lines[0]).toContain(
        `${join(dirs['none']!, `python${python.version}`)} (CPython ${python.full}: no build of native)`,
      );
    }
    expect(lines[0]).toContain(
      'point PEX_PYTHON or PEX_PYTHON_PATH at an interpreter it was built for, or set PEX_IGNORE_ERRORS=1',
    );
  });

  it('does not search further (nor re-execute) when PEX_PYTHON names an interpreter without a build', async () => {
    const result = await run(first!.path, [twoPythons], env({ PATH: dirs['both']!, PEX_PYTHON: third!.path }));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `nx-pex: error: this pex cannot run under PEX_PYTHON=${third!.path}; tried: ${first!.path} (CPython ${first!.full}, running); ${third!.path} (CPython ${third!.full}: no build of native). Unset PEX_PYTHON or point it at an interpreter the pex was built for\n`,
    );
  });
});
