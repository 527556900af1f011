import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeMissing, findPythons, SUPPORTED_PYTHONS } from './find-pythons.js';

const run = promisify(execFile);

it('finds one CPython per supported minor, each really that version, and names the missing ones', async () => {
  const { found, missing } = await findPythons();
  expect([...found.map((p) => p.version), ...missing].sort()).toEqual([...SUPPORTED_PYTHONS].sort());
  if (missing.length > 0) console.warn(describeMissing({ missing }));
  for (const python of found) {
    const { stdout } = await run(python.path, [
      '-c',
      'import platform, sys; print(sys.implementation.name, platform.python_version())',
    ]);
    expect(stdout.trim()).toBe(`cpython ${python.full}`);
    expect(python.full.startsWith(`${python.version}.`)).toBe(true);
  }
});

it('describes missing Pythons by name, and nothing when none are missing', () => {
  expect(describeMissing({ missing: [] })).toBe('');
  expect(describeMissing({ missing: ['3.8', '3.9'] })).toMatch(/^CPython 3\.8, 3\.9 not found .* skipped/);
});

describe('with a made-up pyenv root and PATH', () => {
  let work: string;
  const saved = { PYENV_ROOT: process.env.PYENV_ROOT, PATH: process.env.PATH };
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'nx-pex-pythons-'));
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  async function fakeInterpreter(path: string, real: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await symlink(real, path);
  }

  it('takes the newest final CPython patch per minor and ignores other builds; falls back to python3.X on PATH', async () => {
    const real = await findPythons();
    const py311 = real.found.find((p) => p.version === '3.11');
    const py312 = real.found.find((p) => p.version === '3.12');
    if (!py311 || !py312) return expect.fail(describeMissing({ missing: ['3.11', '3.12'] }));
    const root = join(work, 'pyenv');
    for (const dir of ['3.11.2', '3.11.10', '3.11.9', '3.13.0t', '3.12-dev', 'pypy3.10-7.3.15', '3.13.0rc1'])
      await fakeInterpreter(join(root, 'versions', dir, 'bin', 'python3'), py311.path);
    await mkdir(join(root, 'versions', '3.10.1')); // no bin/python3: not a usable install
    const bin = join(work, 'bin');
    await fakeInterpreter(join(bin, 'python3.12'), py312.path);
    process.env.PYENV_ROOT = root;
    process.env.PATH = bin;

    const { found, missing } = await findPythons();
    expect(found).toEqual([
      { version: '3.11', full: '3.11.10', path: join(root, 'versions', '3.11.10', 'bin', 'python3') },
      { version: '3.12', full: py312.full, path: join(bin, 'python3.12') },
    ]);
    expect(missing).toEqual(['3.8', '3.9', '3.10', '3.13']);
  });
});
