import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolsError } from '../errors.js';
import { describeMissing, findPythons, type FoundPython } from '../pythons/find-pythons.js';
import { isolatedPipEnv } from '../pythons/pip-env.js';
import { buildWheel } from './build-wheel.js';
import { wheelFromInstalled } from './from-installed.js';

const run = promisify(execFile);

const LIST_WHEEL = `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
dist_info = [n for n in z.namelist() if n.endswith('.dist-info/METADATA')][0].rsplit('/', 1)[0]
print(json.dumps({'names': sorted(z.namelist()), 'metadata': z.read(dist_info + '/METADATA').decode(),
  'entry_points': z.read(dist_info + '/entry_points.txt').decode() if dist_info + '/entry_points.txt' in z.namelist() else ''}))
`;

let pythons: FoundPython[] = [];
let work: string;

async function listWheel(
  python: string,
  wheel: string,
): Promise<{ names: string[]; metadata: string; entry_points: string }> {
  return JSON.parse((await run(python, ['-c', LIST_WHEEL, wheel])).stdout) as {
    names: string[];
    metadata: string;
    entry_points: string;
  };
}

/** Install `wheel` into a --target dir with pip, then a shell wrapper running `python` with it on PYTHONPATH. */
async function installedInto(
  python: string,
  wheel: string,
  name: string,
): Promise<{ target: string; wrapper: string }> {
  const target = join(work, `target-${name}`);
  await run(python, ['-m', 'pip', 'install', '--no-deps', '--no-index', '--target', target, wheel], {
    env: isolatedPipEnv(),
  });
  const wrapper = join(work, `python-${name}`);
  await writeFile(wrapper, `#!/bin/sh\nPYTHONPATH='${target}' exec '${python}' "$@"\n`);
  await chmod(wrapper, 0o755);
  return { target, wrapper };
}

beforeAll(async () => {
  const found = await findPythons();
  if (found.missing.length > 0) console.warn(describeMissing(found));
  pythons = found.found.length > 1 ? [found.found[0]!, found.found[found.found.length - 1]!] : found.found;
  work = await mkdtemp(join(tmpdir(), 'nx-pex-from-installed-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

describe('wheelFromInstalled with a real pip', () => {
  it('finds two Pythons', () => {
    expect(pythons.length, describeMissing({ missing: ['any two of 3.8-3.13'] })).toBe(2);
  });

  it('round-trips a factory wheel installed by pip: packages, modules, metadata, console scripts; no bytecode or bin/', async () => {
    const python = pythons[0]!.path;
    const original = await buildWheel(
      {
        name: 'Round.Trip',
        version: '2.0.1',
        modules: {
          'roundtrip/__init__.py': 'def hi():\n    return "hi"\n',
          'roundtrip/data.txt': 'x\n',
          'rt_single.py': 'Y = 2\n',
        },
        requiresDist: ['iniconfig>=1; python_version >= "3.8"', 'extra-thing; extra == "fancy"'],
        requiresPython: '>=3.8',
        providesExtra: ['fancy'],
        consoleScripts: { 'round-trip': 'roundtrip:hi' },
        scripts: { 'rt-raw': '#!python\nprint(1)\n' },
      },
      join(work, 'orig'),
    );
    const { wrapper } = await installedInto(python, original.path, 'roundtrip');
    // pip compiled the modules: RECORD lists __pycache__/*.pyc and bin/ files, which must be left out.
    const rebuilt = await wheelFromInstalled(wrapper, 'round-trip', join(work, 'rebuilt'));
    expect(rebuilt.filename).toBe('round_trip-2.0.1-py3-none-any.whl');
    const listing = await listWheel(python, rebuilt.path);
    expect(listing.names).toEqual([
      'round_trip-2.0.1.dist-info/METADATA',
      'round_trip-2.0.1.dist-info/RECORD',
      'round_trip-2.0.1.dist-info/WHEEL',
      'round_trip-2.0.1.dist-info/entry_points.txt',
      'roundtrip/__init__.py',
      'roundtrip/data.txt',
      'rt_single.py',
    ]);
    expect(listing.metadata).toContain('Name: Round.Trip\n');
    expect(listing.metadata).toContain('Requires-Python: >=3.8\n');
    expect(listing.metadata).toContain('Requires-Dist: iniconfig>=1; python_version >= "3.8"\n');
    expect(listing.metadata).toContain('Requires-Dist: extra-thing; extra == "fancy"\n');
    expect(listing.metadata).toContain('Provides-Extra: fancy\n');
    expect(listing.entry_points).toBe('[console_scripts]\nround-trip = roundtrip:hi\n');
  });

  it('rebuilds pip from one Python and a second Python pip-installs and imports the result', async () => {
    const [from, to] = [pythons[pythons.length - 1]!, pythons[0]!];
    // pip is pure Python, installed with every pyenv CPython; only its version varies.
    const wheel = await wheelFromInstalled(from.path, 'pip', join(work, 'pip-wheel'));
    expect(wheel.filename).toMatch(/^pip-[\d.]+-py3-none-any\.whl$/);
    const version = /^pip-([\d.]+)-/.exec(wheel.filename)![1]!;
    const target = join(work, 'target-pip');
    await run(
      to.path,
      ['-m', 'pip', 'install', '--no-deps', '--no-index', '--ignore-requires-python', '--target', target, wheel.path],
      { env: isolatedPipEnv() },
    );
    // -S: no site-packages, so `pip` can only come from the target dir.
    const { stdout } = await run(
      from.path,
      ['-S', '-c', 'import pip, pip._internal.cli.main; print(pip.__version__, pip.__file__)'],
      {
        env: { ...process.env, PYTHONPATH: target },
      },
    );
    const [v, file] = stdout.trim().split(' ');
    expect(v).toBe(version);
    expect(file!.startsWith(target)).toBe(true);
    const listing = await listWheel(from.path, wheel.path);
    expect(listing.names.some((n) => n.endsWith('.pyc') || n.includes('__pycache__'))).toBe(false);
    expect(listing.entry_points).toMatch(/^pip = pip\._internal\.cli\.main:main$/m);
  });

  it('refuses a distribution with compiled extension modules, naming it', async () => {
    const python = pythons[0]!.path;
    const fake = await buildWheel(
      {
        name: 'speedy',
        version: '1.0',
        modules: {
          'speedy/__init__.py': '',
          'speedy/_ext.cpython-311-x86_64-linux-gnu.so': new Uint8Array([0x7f, 0x45, 0x4c, 0x46]),
        },
      },
      join(work, 'speedy'),
    );
    const { wrapper } = await installedInto(python, fake.path, 'speedy');
    const err = await wheelFromInstalled(wrapper, 'speedy', join(work, 'never')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolsError);
    expect((err as ToolsError).code).toBe('INVALID_WHEEL_SPEC');
    expect((err as ToolsError).message).toMatch(
      /speedy 1\.0.*compiled extension modules \(speedy\/_ext\.cpython-311-x86_64-linux-gnu\.so\)/,
    );
  });

  it('says when the distribution is not installed', async () => {
    const err = await wheelFromInstalled(pythons[0]!.path, 'surely-not-installed-nx-pex', join(work, 'never')).catch(
      (e: unknown) => e,
    );
    expect((err as ToolsError).code).toBe('DISTRIBUTION_NOT_FOUND');
    expect((err as ToolsError).message).toContain('surely-not-installed-nx-pex');
  });
});
