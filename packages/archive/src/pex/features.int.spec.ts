import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWheel, describeMissing, findPythons, type FoundPython } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPex, readPexInfo, type BuildPexOptions, type WheelInput } from '../index.js';
import { APP_SOURCES, greetWheel, shoutWheel, writeSources } from '../test-support/fixtures.js';
import { run } from '../test-support/run.js';

// Runtime behaviour of the pex features (layouts, scripts, injection, PEX_* variables, multi-platform
// builds, interpreter selection, tools, cache repair) under every CPython found. Pexes are built once.
const pythons = await findPythons();
if (pythons.missing.length > 0) console.warn(describeMissing(pythons));
const newest = pythons.found.at(-1);

const FEATURE_SOURCES: Record<string, string> = {
  ...APP_SOURCES,
  'app/show.py': [
    'import os, sys',
    'print("argv", sys.argv[1:])',
    'print("env", os.environ.get("APP_MODE"), os.environ.get("PEX_PROBE"))',
    'print("native", __import__("native").KIND)',
    '',
  ].join('\n'),
  'app/echo.py': [
    'import sys',
    'def main():',
    '    data = sys.stdin.read()',
    '    sys.stdout.write(data.upper())',
    '    return int(sys.argv[1]) if len(sys.argv) > 1 else 0',
    '',
  ].join('\n'),
  'app/sleeper.py': [
    'import signal, sys, time',
    'def main():',
    '    signal.signal(signal.SIGTERM, lambda *_: (print("got SIGTERM", flush=True), sys.exit(42)))',
    '    sys.stdout.write("ready\\n")',
    '    sys.stdout.flush()',
    '    time.sleep(60)',
    '',
  ].join('\n'),
};

let work: string;
let wheels: WheelInput[];
let greetSha256: string;
const pex: Record<string, string> = {};
/** What `native` says it is, per Python minor ('3.11' → 'cp311'), when its own build ranks first. */
const nativeKinds = new Map<string, string>();

async function nativeWheels(dir: string): Promise<WheelInput[]> {
  const built: WheelInput[] = [];
  const make = async (kind: string, pythonTag: string, abiTag: string, platformTag: string): Promise<void> => {
    const wheel = await buildWheel(
      {
        name: 'native',
        version: '1.0',
        pythonTag,
        abiTag,
        platformTag,
        modules: { 'native/__init__.py': `KIND = "${kind}"\n` },
      },
      dir,
    );
    built.push(wheel);
  };
  await make('generic', 'py3', 'none', 'any');
  await make('macos', 'cp311', 'cp311', 'macosx_11_0_arm64');
  for (const python of pythons.found) {
    // The platform this interpreter ranks first, from pip's vendored packaging (the reference).
    const best = await run(python.path, [
      '-c',
      'from pip._vendor.packaging.tags import sys_tags; print(next(iter(sys_tags())).platform)',
    ]);
    const tag = `cp${python.version.replace('.', '')}`;
    await make(tag, tag, tag, best.stdout.trim());
    nativeKinds.set(python.version, tag);
  }
  return built;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-features-'));
  const wheelDir = join(work, 'wheels');
  wheels = [await greetWheel(wheelDir), await shoutWheel(wheelDir)];
  greetSha256 = wheels[0]!.sha256;
  const natives = await nativeWheels(join(work, 'native-wheels'));
  const sources = await writeSources(join(work, 'src'), FEATURE_SOURCES);
  const base = { wheels, sources, cacheDir: join(work, 'cache') };
  const build = async (name: string, options: Partial<BuildPexOptions>): Promise<void> => {
    pex[name] = (await buildPex({ ...base, outputPath: join(work, 'dist', name), ...options })).path;
  };
  const showOptions: Partial<BuildPexOptions> = {
    wheels: [...wheels, ...natives],
    entryPoint: 'app.show',
    injectArgs: ['--injected'],
    injectEnv: { APP_MODE: 'injected' },
  };
  await Promise.all([
    build('show.pex', showOptions),
    build('show-packed', { ...showOptions, layout: 'packed' }),
    build('show-loose', { ...showOptions, layout: 'loose' }),
    build('show-keep-env.pex', { ...showOptions, stripPexEnv: false }),
    build('script.pex', { script: 'greet-cli' }),
    build('echo.pex', { entryPoint: 'app.echo:main' }),
    build('sleeper.pex', { entryPoint: 'app.sleeper:main' }),
    build('no-shout.pex', { entryPoint: 'app.main', excluded: ['shout'] }),
    build('shout-only.pex', { wheels: [wheels[1]!] }),
    build('interp.pex', {}),
    build('unsatisfiable.pex', { wheels: [natives[1]!, await windowsWheel()] }),
  ]);
  if (newest) {
    const oldest = pythons.found[0]!;
    await build('oldest-only.pex', {
      entryPoint: 'app.fn:main',
      interpreterConstraints: [`CPython==${oldest.version}.*`],
    });
  }
});

/** A second non-matching build of `native` (beside the macOS one), so the runtime must choose and finds nothing. */
function windowsWheel(): Promise<WheelInput> {
  return buildWheel(
    {
      name: 'native',
      version: '1.0',
      pythonTag: 'cp312',
      abiTag: 'cp312',
      platformTag: 'win_amd64',
      modules: { 'native/__init__.py': 'KIND = "win"\n' },
    },
    join(work, 'win-wheels'),
  );
}

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('build', () => {
  it('writes the packed layout: files at the root, the runtime and each dependency as one zip', async () => {
    const names = (await readdir(pex['show-packed']!, { recursive: true })).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        '.bootstrap',
        'PEX-INFO',
        '__main__.py',
        'pex',
        'app/show.py',
        `.deps/greet-1.0-py3-none-any.whl`,
      ]),
    );
    expect((await stat(join(pex['show-packed']!, '.deps', 'greet-1.0-py3-none-any.whl'))).isFile()).toBe(true);
    expect((await stat(join(pex['show-packed']!, 'pex'))).mode & 0o777).toBe(0o755);
    const info = await readPexInfo(pex['show-packed']!);
    expect(info).toMatchObject({
      entry_point: 'app.show',
      inject_args: ['--injected'],
      inject_env: { APP_MODE: 'injected' },
    });
  });

  it('writes the loose layout exploded, and drops excluded projects', async () => {
    const loose = pex['show-loose']!;
    expect(
      await readFile(join(loose, '.deps', 'greet-1.0-py3-none-any.whl', 'greet', '__init__.py'), 'utf8'),
    ).toContain('def hello');
    expect(await readFile(join(loose, '.bootstrap', 'nx_pex_runtime', 'boot.py'), 'utf8')).toContain('def boot');
    const info = await readPexInfo(pex['no-shout.pex']!);
    expect(Object.keys(info.distributions)).toEqual(['greet-1.0-py3-none-any.whl']);
    expect(info.excluded).toEqual(['shout']);
  });
});

describe.each(pythons.found.map((found): [string, FoundPython] => [found.full, found]))(
  'CPython %s',
  (_full, python) => {
    const root = (): string => join(work, `root-${python.version}`);
    const env = (extra: Record<string, string | undefined> = {}) => ({ env: { PEX_ROOT: root(), ...extra } });

    it.each(['show.pex', 'show-packed', 'show-loose'])(
      'runs the %s layout with injected args and env, and the best build of native',
      async (name) => {
        const result = await run(python.path, [pex[name]!, 'a'], env({ PEX_PROBE: 'stripped' }));
        expect(result.stderr).toBe('');
        expect(result.stdout).toBe(
          `argv ['--injected', 'a']\nenv injected None\nnative ${nativeKinds.get(python.version)}\n`,
        );
      },
    );

    it('runs a directory pex through its pex launcher and keeps PEX_* when strip_pex_env is false', async () => {
      const launched = await run(python.path, [join(pex['show-packed']!, 'pex')], env({ APP_MODE: 'mine' }));
      expect(launched.stdout).toBe(`argv ['--injected']\nenv mine None\nnative ${nativeKinds.get(python.version)}\n`);
      const kept = await run(python.path, [pex['show-keep-env.pex']!], env({ PEX_PROBE: 'kept' }));
      expect(kept.stdout).toContain('env injected kept\n');
    });

    it('runs a console script given as the pex script, and passes stdin, stdout and exit codes through', async () => {
      const script = await run(python.path, [pex['script.pex']!, 'x'], env());
      expect([script.code, script.stdout]).toEqual([3, "greet-cli ran ['x']\n"]);
      const echo = await run(python.path, [pex['echo.pex']!, '5'], { ...env(), stdin: 'piped in\n' });
      expect([echo.code, echo.stdout]).toEqual([5, 'PIPED IN\n']);
    });

    it('lets signals reach the entry point', async () => {
      const result = await run(python.path, [pex['sleeper.pex']!], {
        ...env(),
        onSpawn: (child) => {
          child.stdout?.once('data', () => child.kill('SIGTERM'));
        },
      });
      expect([result.code, result.stdout]).toEqual([42, 'ready\ngot SIGTERM\n']);
    });

    it('reads programs from a file and from stdin in interpreter mode', async () => {
      const file = join(work, `prog-${python.version}.py`);
      await writeFile(file, 'import sys, greet\nprint(greet.hello(sys.argv[1]))\n');
      const fromFile = await run(python.path, [pex['interp.pex']!, file, 'f'], env());
      expect(fromFile.stdout).toBe('hello f\n');
      const fromStdin = await run(python.path, [pex['interp.pex']!, '-'], {
        ...env(),
        stdin: 'import shout; print(shout.shout("s"))\n',
      });
      expect(fromStdin.stdout).toBe('S!\n');
    });

    it('honours PEX_MODULE, PEX_INTERPRETER, PEX_EXTRA_SYS_PATH and PEX_PATH', async () => {
      const module = await run(python.path, [pex['interp.pex']!, 'm'], env({ PEX_MODULE: 'greet.cli' }));
      expect([module.code, module.stdout]).toEqual([3, "greet-cli ran ['m']\n"]);
      const interpreter = await run(
        python.path,
        [pex['echo.pex']!, '-c', 'print("interp")'],
        env({ PEX_INTERPRETER: '1' }),
      );
      expect(interpreter.stdout).toBe('interp\n');
      const extra = join(work, `extra-${python.version}`);
      await mkdir(extra, { recursive: true });
      await writeFile(join(extra, 'extra_mod.py'), 'X = "extra"\n');
      const withExtra = await run(
        python.path,
        [pex['interp.pex']!, '-c', 'import extra_mod; print(extra_mod.X)'],
        env({ PEX_EXTRA_SYS_PATH: extra }),
      );
      expect(withExtra.stdout).toBe('extra\n');
      const withoutShout = await run(python.path, [pex['no-shout.pex']!], env());
      expect(withoutShout.stderr).toContain("No module named 'shout'");
      const merged = await run(python.path, [pex['no-shout.pex']!], env({ PEX_PATH: pex['shout-only.pex']! }));
      expect([merged.code, merged.stdout.split('\n')[0]]).toEqual([0, 'HELLO WORLD!']);
    });

    it('keeps PYTHONPATH out of sys.path unless inherit_path says otherwise, and leaves it in the environment', async () => {
      const dir = join(work, `pythonpath-${python.version}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'pp_probe.py'), 'X = 1\n');
      const probe =
        'import os, importlib.util as u; print(u.find_spec("pp_probe") is not None, os.environ.get("PYTHONPATH") is not None)';
      const isolated = await run(python.path, [pex['interp.pex']!, '-c', probe], env({ PYTHONPATH: dir }));
      expect(isolated.stdout).toBe('False True\n');
      const inherited = await run(
        python.path,
        [pex['interp.pex']!, '-c', probe],
        env({ PYTHONPATH: dir, PEX_INHERIT_PATH: 'fallback' }),
      );
      expect(inherited.stdout).toBe('True True\n');
    });

    it('refuses a project with no build for this interpreter, unless PEX_IGNORE_ERRORS', async () => {
      const refused = await run(python.path, [pex['unsatisfiable.pex']!, '-c', 'print(1)'], env());
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /has no build compatible with cp .* for: native \(builds: native-1\.0-cp311-cp311-macosx_11_0_arm64\.whl, native-1\.0-cp312-cp312-win_amd64\.whl\)/,
      );
      const ignored = await run(
        python.path,
        [pex['unsatisfiable.pex']!, '-c', 'print(1)'],
        env({ PEX_IGNORE_ERRORS: '1' }),
      );
      expect([ignored.code, ignored.stdout]).toEqual([0, '1\n']);
    });

    it('rebuilds an extraction left without its completion marker', async () => {
      const fresh = join(work, `root-repair-${python.version}`);
      expect((await run(python.path, [pex['echo.pex']!], { env: { PEX_ROOT: fresh } })).code).toBe(0);
      const tree = join(fresh, 'installed_wheels', greetSha256, 'greet-1.0-py3-none-any.whl');
      await rm(join(tree, '.nx-pex-complete'));
      await rm(join(tree, 'greet', '__init__.py'));
      const repaired = await run(python.path, [pex['interp.pex']!, '-c', 'import greet; print(greet.hello("again"))'], {
        env: { PEX_ROOT: fresh },
      });
      expect(repaired.stdout).toBe('hello again\n');
      expect(repaired.stderr).toContain('was incomplete (no completion marker); extracting it again');
      expect(await readdir(join(fresh, 'installed_wheels', greetSha256))).toEqual(['greet-1.0-py3-none-any.whl']);
    });
  },
);

describe.skipIf(!newest || pythons.found.length < 2)('interpreter selection', () => {
  let pathDir: string;
  let newerDir: string;
  beforeAll(async () => {
    // PATHs holding only the pythons found (all, or all but the oldest), so the search is the test's.
    pathDir = join(work, 'path-pythons');
    newerDir = join(work, 'path-newer');
    await mkdir(pathDir, { recursive: true });
    await mkdir(newerDir, { recursive: true });
    for (const [index, python] of pythons.found.entries()) {
      await symlink(python.path, join(pathDir, `python${python.version}`));
      if (index > 0) await symlink(python.path, join(newerDir, `python${python.version}`));
    }
  });

  it('re-executes with a matching interpreter from PATH', async () => {
    const oldest = pythons.found[0]!;
    const result = await run(newest!.path, [pex['oldest-only.pex']!], {
      env: { PEX_ROOT: join(work, 'root-sel'), PATH: pathDir, PEX_VERBOSE: '1' },
    });
    expect([result.code, result.stdout]).toEqual([7, 'function ran\n']);
    expect(result.stderr).toContain(`re-executing with ${join(pathDir, `python${oldest.version}`)}`);
  });

  it('uses PEX_PYTHON_PATH before PATH, and lists what it tried when nothing matches', async () => {
    const oldest = pythons.found[0]!;
    const viaPythonPath = await run(newest!.path, [pex['oldest-only.pex']!], {
      env: {
        PEX_ROOT: join(work, 'root-sel'),
        PATH: join(work, 'nothing'),
        PEX_PYTHON_PATH: oldest.path,
        PEX_VERBOSE: '1',
      },
    });
    expect(viaPythonPath.code).toBe(7);
    expect(viaPythonPath.stderr).toContain(`re-executing with ${oldest.path}`);
    const none = await run(newest!.path, [pex['oldest-only.pex']!], {
      env: { PEX_ROOT: join(work, 'root-sel'), PATH: newerDir },
    });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      `this pex needs an interpreter matching 'CPython==${oldest.version}.*'; tried: ${newest!.path} (CPython ${newest!.full}, running)`,
    );
    for (const python of pythons.found.slice(1, -1)) {
      expect(none.stderr).toContain(
        `${join(newerDir, `python${python.version}`)} (named for ${python.version}, skipped)`,
      );
    }
  });

  it('runs under PEX_PYTHON when it matches, and refuses it when it does not', async () => {
    const oldest = pythons.found[0]!;
    const ok = await run(newest!.path, [pex['interp.pex']!, '-c', 'import sys; print(sys.version_info[:2])'], {
      env: { PEX_ROOT: join(work, 'root-sel'), PEX_PYTHON: oldest.path },
    });
    expect(ok.stdout).toBe(`(${oldest.version.replace('.', ', ')})\n`);
    const refused = await run(oldest.path, [pex['oldest-only.pex']!], {
      env: { PEX_ROOT: join(work, 'root-sel'), PEX_PYTHON: newest!.path },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `tried: ${oldest.path} (CPython ${oldest.full}, running); ${newest!.path} (CPython ${newest!.full})`,
    );
  });
});

describe.each(
  pythons.found
    .filter((_, index, all) => index === 0 || index === all.length - 1)
    .map((found): [string, FoundPython] => [found.full, found]),
)('PEX_TOOLS on CPython %s', (_full, python) => {
  const env = (extra: Record<string, string> = {}) => ({
    env: { PEX_ROOT: join(work, `root-tools-${python.version}`), PEX_TOOLS: '1', ...extra },
  });

  it('prints PEX-INFO with info', async () => {
    const result = await run(python.path, [pex['show.pex']!, 'info'], env());
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(await readPexInfo(pex['show.pex']!));
  });

  it('builds a venv in two layers (deps, then srcs) that runs like the pex', async () => {
    const venv = join(work, `venv-tools-${python.version}`);
    const deps = await run(python.path, [pex['show.pex']!, 'venv', '--scope', 'deps', venv], env());
    expect([deps.code, deps.stderr]).toEqual([0, '']);
    const venvPython = join(venv, 'bin', 'python');
    const depsOnly = await run(venvPython, [
      '-c',
      'import importlib.util as u; print([u.find_spec(n) is not None for n in ("greet", "native", "app")])',
    ]);
    expect(depsOnly.stdout).toBe('[True, True, False]\n');
    const srcs = await run(python.path, [pex['show.pex']!, 'venv', '--scope=srcs', '--compile', venv], env());
    expect([srcs.code, srcs.stderr]).toEqual([0, '']);
    const launched = await run(join(venv, 'pex'), ['a']);
    expect(launched.stdout).toBe(
      `argv ['--injected', 'a']\nenv injected None\nnative ${nativeKinds.get(python.version)}\n`,
    );
    const consoleScript = await run(join(venv, 'bin', 'greet-cli'), ['b']);
    expect([consoleScript.code, consoleScript.stdout]).toEqual([3, "greet-cli ran ['b']\n"]);
    const dataScript = await run(join(venv, 'bin', 'greet-script'), ['c']);
    expect(dataScript.stdout).toBe("script ran ['c']\n");
    expect(await readFile(join(venv, 'share', 'greet', 'greeting.txt'), 'utf8')).toBe('hi\n');
  });

  it('refuses a non-empty directory that is not a venv, and explains its usage', async () => {
    const occupied = join(work, `occupied-${python.version}`);
    await mkdir(occupied, { recursive: true });
    await writeFile(join(occupied, 'keep.txt'), 'x');
    const refused = await run(python.path, [pex['show.pex']!, 'venv', occupied], env());
    expect([refused.code, refused.stderr]).toEqual([
      1,
      expect.stringContaining('is not empty and is not a venv; pass --force'),
    ]);
    const usage = await run(python.path, [pex['show.pex']!, 'frobnicate'], env());
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('usage: PEX_TOOLS=1')]);
  });
});
