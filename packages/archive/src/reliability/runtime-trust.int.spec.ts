// The runtime trusts no name that becomes a path or code (issue 11), under every CPython found:
// - the fallback PEX_ROOT (used when PEX_ROOT is not writable) is private: created 0700 and owned by
//   the user, refused with one line when it exists with a wider mode, another owner or as a symlink,
//   and warned about once per process;
// - `PEX_TOOLS=1 … venv DIR` skips console/gui scripts whose name is not one safe file name or whose
//   value is not a `module:attr` object reference (a warning naming the distribution and the entry,
//   never a traceback), and writes nothing outside DIR (not even through bin/python);
// - PEX_SCRIPT and PEX-INFO distribution names are checked before they become paths.
// The build side's grammar (entry-points/grammar.ts) is compared with the runtime's (names.py).
import { chmod, chown, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describeMissing, findPythons, type FoundPython } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPex } from '../pex/build.js';
import { isScriptName, parseObjectReference } from '../entry-points/grammar.js';
import { APP_SOURCES, greetWheel, shoutWheel, writeSources } from '../test-support/fixtures.js';
import { run } from '../test-support/run.js';
import { recordFor, writeZip } from '../test-support/zip-file.js';

const pythons = await findPythons();
if (pythons.missing.length > 0) console.warn(describeMissing(pythons));
const uid = process.getuid?.() ?? -1;
const RUNTIME = join(import.meta.dirname, '..', '..', 'runtime');

let work: string;
let app: string;
let evil: string;
let loose: string;

const EVIL_ENTRY_POINTS = [
  '[console_scripts]',
  'good = evil:main',
  '../escape = evil:main',
  'nested/name = evil:main',
  'semi;colon = evil:main',
  '-dash = evil:main',
  'bad-value = evil:main; import os',
  'no-attr = evil',
  'python = evil:main',
  '[gui_scripts]',
  'gui-good = evil.sub:Thing.run',
  '..\\win = evil:main',
  '',
].join('\n');

/** A wheel whose entry_points.txt carries hostile script names and values (the factory refuses to write these). */
async function evilWheel(dir: string): Promise<{ path: string; sha256: string }> {
  const distInfo = 'evil-1.0.dist-info';
  const members: [string, string][] = [
    [
      'evil/__init__.py',
      'import sys\n\ndef main():\n    print("evil main", sys.argv[0].rsplit("/", 1)[-1])\n    return 4\n',
    ],
    ['evil/sub.py', 'class Thing:\n    @staticmethod\n    def run():\n        print("gui ran")\n'],
    [`${distInfo}/METADATA`, 'Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n'],
    [`${distInfo}/WHEEL`, 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n'],
    [`${distInfo}/entry_points.txt`, EVIL_ENTRY_POINTS],
  ];
  members.push([`${distInfo}/RECORD`, recordFor(members, `${distInfo}/RECORD`)]);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'evil-1.0-py3-none-any.whl');
  return { path, sha256: await writeZip(path, members) };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-trust-'));
  const wheels = [await greetWheel(join(work, 'wheels')), await shoutWheel(join(work, 'wheels'))];
  const sources = await writeSources(join(work, 'src'), APP_SOURCES);
  const cacheDir = join(work, 'cache');
  app = (await buildPex({ outputPath: join(work, 'app.pex'), wheels, sources, entryPoint: 'app.main', cacheDir })).path;
  const withEvil = [...wheels, await evilWheel(join(work, 'evil'))];
  evil = (await buildPex({ outputPath: join(work, 'evil.pex'), wheels: withEvil, sources, cacheDir })).path;
  loose = (await buildPex({ outputPath: join(work, 'loose'), wheels, sources, layout: 'loose', cacheDir })).path;
  await writeFile(join(work, 'a-file'), 'PEX_ROOT cannot be created under a regular file\n');
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(pythons.found.map((found): [string, FoundPython] => [found.full, found]))(
  'CPython %s',
  (_full, python) => {
    /** A fresh TMPDIR (the fallback lives under it) and a PEX_ROOT that cannot be created. */
    async function unwritableRoot(name: string): Promise<{ env: Record<string, string>; fallback: string }> {
      const temp = join(work, `tmp-${name}-${python.version}`);
      await mkdir(temp, { recursive: true });
      return { env: { TMPDIR: temp, PEX_ROOT: join(work, 'a-file', 'root') }, fallback: join(temp, `nx-pex-${uid}`) };
    }
    const oneLineError = (stderr: string): string[] => stderr.split('\n').filter((line) => line !== '');

    it('falls back to a private PEX_ROOT (0700, ours) when PEX_ROOT is not writable, warning once per process', async () => {
      const { env, fallback } = await unwritableRoot('ok');
      for (const round of ['cold', 'warm']) {
        const result = await run(python.path, [app, 'x'], { env });
        expect(result.code, `${round}: ${result.stderr}`).toBe(0);
        expect(result.stdout.split('\n').slice(0, 2)).toEqual(['HELLO WORLD!', "argv ['x']"]);
        // Four things are extracted (runtime, two wheels, sources) on the cold run: still one warning.
        expect(oneLineError(result.stderr)).toEqual([
          `nx-pex: warning: PEX_ROOT ${env['PEX_ROOT']} is not writable (Not a directory); using ${join(fallback, 'pex_root')}`,
        ]);
      }
      const made = await stat(fallback);
      expect([made.mode & 0o777, made.uid]).toEqual([0o700, uid]);
      expect(await readdir(join(fallback, 'pex_root'))).toEqual(
        expect.arrayContaining(['bootstraps', 'installed_wheels', 'user_code']),
      );
    });

    it('refuses a fallback that exists with a wider mode (0755), writing nothing into it', async () => {
      const { env, fallback } = await unwritableRoot('wide');
      await mkdir(fallback);
      await chmod(fallback, 0o755);
      const result = await run(python.path, [app], { env });
      expect(result.code).toBe(1);
      expect(oneLineError(result.stderr)).toEqual([
        `nx-pex: error: PEX_ROOT ${env['PEX_ROOT']} is not writable and the fallback ${fallback} is not private (mode 0755, not 0700), so another user could choose what this pex runs; remove it (or make it yours with mode 0700) or set PEX_ROOT to a writable directory`,
      ]);
      expect(await readdir(fallback)).toEqual([]);
    });

    it.skipIf(uid !== 0)('refuses a fallback owned by another user (chown to 65534, needs root)', async () => {
      const { env, fallback } = await unwritableRoot('owner');
      await mkdir(fallback, { mode: 0o700 });
      await chown(fallback, 65534, 65534);
      const result = await run(python.path, [app], { env });
      expect(result.code).toBe(1);
      expect(oneLineError(result.stderr)).toHaveLength(1);
      expect(result.stderr).toContain(`the fallback ${fallback} is not private (owned by uid 65534, not ${uid})`);
      expect(await readdir(fallback)).toEqual([]);
    });

    it('refuses a fallback that is a symbolic link, even to a private directory of ours', async () => {
      const { env, fallback } = await unwritableRoot('link');
      const target = join(work, `link-target-${python.version}`);
      await mkdir(target, { mode: 0o700 });
      await symlink(target, fallback);
      const result = await run(python.path, [app], { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`the fallback ${fallback} is not private (it is a symbolic link)`);
      expect(await readdir(target)).toEqual([]);
    });

    it('venv: skips hostile console/gui script entries with a warning and writes nothing outside DIR', async () => {
      const parent = join(work, `venv-parent-${python.version}`);
      const venv = join(parent, 'venv');
      await mkdir(parent);
      const result = await run(python.path, [evil, 'venv', venv], {
        env: { PEX_TOOLS: '1', PEX_ROOT: join(work, `root-${python.version}`) },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain('Traceback');
      const warnings = oneLineError(result.stderr);
      const badName = 'the name is not one safe file name ([A-Za-z0-9_][A-Za-z0-9._+-]*)';
      const badValue = "the value is not a 'module:attribute' object reference";
      expect(warnings).toEqual([
        `nx-pex: warning: skipping console_scripts entry '../escape' = 'evil:main' of evil-1.0: ${badName}`,
        `nx-pex: warning: skipping console_scripts entry 'nested/name' = 'evil:main' of evil-1.0: ${badName}`,
        `nx-pex: warning: skipping console_scripts entry 'semi;colon' = 'evil:main' of evil-1.0: ${badName}`,
        `nx-pex: warning: skipping console_scripts entry '-dash' = 'evil:main' of evil-1.0: ${badName}`,
        `nx-pex: warning: skipping console_scripts entry 'bad-value' = 'evil:main; import os' of evil-1.0: ${badValue}`,
        `nx-pex: warning: skipping console_scripts entry 'no-attr' = 'evil' of evil-1.0: ${badValue}`,
        `nx-pex: warning: skipping gui_scripts entry '..\\\\win' = 'evil:main' of evil-1.0: ${badName}`,
        expect.stringMatching(
          /^nx-pex: warning: skipping script 'python' of evil-1\.0-py3-none-any\.whl: bin\/python resolves to .*, outside /,
        ),
      ]);
      expect(await readdir(parent)).toEqual(['venv']);
      expect((await lstat(join(venv, 'bin', 'python'))).isSymbolicLink()).toBe(true);
      const good = await run(join(venv, 'bin', 'good'), []);
      expect([good.code, good.stdout]).toEqual([4, 'evil main good\n']);
      const gui = await run(join(venv, 'bin', 'gui-good'), []);
      expect([gui.code, gui.stdout]).toEqual([0, 'gui ran\n']);
      expect(
        (await readdir(join(venv, 'bin'))).filter((name) => /escape|nested|semi|dash|bad-value|no-attr|win/.test(name)),
      ).toEqual([]);
    });

    it('PEX_SCRIPT: an unsafe name is refused in one line; a valid entry of a hostile wheel still runs', async () => {
      const env = { PEX_ROOT: join(work, `root-${python.version}`) };
      const refused = await run(python.path, [evil], { env: { ...env, PEX_SCRIPT: '../escape' } });
      expect([refused.code, oneLineError(refused.stderr)]).toEqual([
        1,
        ["nx-pex: error: script '../escape' is not a script name ([A-Za-z0-9_][A-Za-z0-9._+-]*)"],
      ]);
      const good = await run(python.path, [evil], { env: { ...env, PEX_SCRIPT: 'good' } });
      expect([good.code, good.stdout]).toEqual([4, 'evil main good\n']);
    });

    it('refuses a PEX-INFO whose distribution name is not a wheel file name, before it becomes a path', async () => {
      const copy = join(work, `tampered-${python.version}`);
      await run('cp', ['-R', loose, copy]);
      const infoPath = join(copy, 'PEX-INFO');
      const info = JSON.parse(await readFile(infoPath, 'utf8')) as { distributions: Record<string, string> };
      const [[name, sha]] = Object.entries(info.distributions) as [[string, string]];
      info.distributions = { [`../../../${name}`]: sha };
      await writeFile(infoPath, JSON.stringify(info));
      const result = await run(python.path, [copy, '-c', 'print(1)'], {
        env: { PEX_ROOT: join(work, `root-${python.version}`) },
      });
      expect(result.code).toBe(1);
      expect(oneLineError(result.stderr)).toEqual([
        `nx-pex: error: the PEX-INFO of ${copy} lists distribution '../../../${name}': '${sha}'; expected a wheel file name (PEP 427) and its sha256. Rebuild the pex`,
      ]);
    });
  },
);

describe.skipIf(pythons.found.length === 0)('script names and object references: build side = runtime', () => {
  it('isScriptName and parseObjectReference agree with the runtime names.py on generated inputs', async () => {
    const alphabet = fc.constantFrom(...'aZ_0.-+/\\: ;[],\0\n\t=é$'.split(''), 'ab', 'os', 'class', '..');
    const inputs = fc.sample(
      fc.array(alphabet, { maxLength: 12 }).map((parts) => parts.join('')),
      { numRuns: 3000, seed: 11 },
    );
    inputs.push('good', 'pip3.11', 'py.test', '..', '.', '-x', 'a/b', 'mod.sub:attr.x [extra1, e2]', 'm:class', 'm: a');
    const program = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(RUNTIME)})`,
      'from nx_pex_runtime.names import is_script_name, object_reference',
      'values = json.load(sys.stdin)',
      'print(json.dumps([[is_script_name(v), (lambda r: None if r is None else [r[0], r[1]])(object_reference(v))] for v in values]))',
    ].join('\n');
    const python = pythons.found.at(-1)!;
    const result = await run(python.path, ['-c', program], { stdin: JSON.stringify(inputs) });
    expect(result.stderr).toBe('');
    const runtime = JSON.parse(result.stdout) as [boolean, [string, string[]] | null][];
    const ours = inputs.map((value): [boolean, [string, string[]] | null] => {
      const reference = parseObjectReference(value);
      return [isScriptName(value), reference === undefined ? null : [reference.module, reference.attributes]];
    });
    expect(ours).toEqual(runtime);
    for (const [index, value] of inputs.entries()) {
      if (ours[index]![0]) expect(value).toMatch(/^[A-Za-z0-9_][^/\\\0\s]*$/);
    }
  });
});
