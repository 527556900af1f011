import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { describeMissing, findPythons, SUPPORTED_PYTHONS } from './find-pythons.js';

const run = promisify(execFile);

it('finds one CPython per supported minor, each really that version, and names the missing ones', async () => {
  const { found, missing } = await findPythons();
  expect([...found.map((p) => p.version), ...missing].sort()).toEqual([...SUPPORTED_PYTHONS].sort());
  if (missing.length > 0) console.warn(describeMissing({ missing }));
  for (const python of found) {
    const { stdout } = await run(python.path, ['-c', 'import platform, sys; print(sys.implementation.name, platform.python_version())']);
    expect(stdout.trim()).toBe(`cpython ${python.full}`);
    expect(python.full.startsWith(`${python.version}.`)).toBe(true);
  }
});

it('describes missing Pythons by name, and nothing when none are missing', () => {
  expect(describeMissing({ missing: [] })).toBe('');
  expect(describeMissing({ missing: ['3.8', '3.9'] })).toMatch(/^CPython 3\.8, 3\.9 not found .* skipped/);
});
