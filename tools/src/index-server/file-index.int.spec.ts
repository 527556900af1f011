import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { findPythons } from '../pythons/find-pythons.js';
import { isolatedPipEnv } from '../pythons/pip-env.js';
import { buildWheel } from '../wheel-factory/build-wheel.js';
import type { BuiltWheel } from '../wheel-factory/spec.js';
import { writeFileIndex } from './file-index.js';

const run = promisify(execFile);
let work: string;
let wheel: BuiltWheel;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-file-index-'));
  wheel = await buildWheel(
    { name: 'Static_Pkg', version: '2.0', requiresPython: '>=3.8', modules: { 'static_pkg.py': 'VALUE = 42\n' } },
    join(work, 'wheels'),
  );
});
afterAll(() => rm(work, { recursive: true, force: true }));

it('writes a PEP 503 tree with files and PEP 658 metadata', async () => {
  const index = await writeFileIndex(join(work, 'wheels'), join(work, 'index'));
  expect(index.url).toMatch(/^file:\/\/.*\/index\/simple\/$/);
  expect(fileURLToPath(index.url)).toBe(index.simpleDir + '/');
  expect(await readdir(join(work, 'index', 'simple'))).toEqual(['index.html', 'static-pkg']);
  expect(await readdir(join(work, 'index', 'files'))).toEqual([wheel.filename, `${wheel.filename}.metadata`]);
  const page = await readFile(join(work, 'index', 'simple', 'static-pkg', 'index.html'), 'utf8');
  expect(page).toContain(`href="../../files/${wheel.filename}#sha256=${wheel.sha256}"`);
  expect(page).toContain('data-requires-python="&gt;=3.8"');
});

it('is an index pip installs from over file://', async () => {
  const index = await writeFileIndex(join(work, 'wheels'), join(work, 'index'));
  // The newest Python: pip 23.0 (3.8's) compares the PEP 658 METADATA Name un-normalised and rejects `Static_Pkg`.
  const found = (await findPythons()).found;
  const python = found[found.length - 1]!;
  const target = join(work, 'target');
  await run(
    python.path,
    ['-m', 'pip', 'install', '--no-deps', '--index-url', index.url, '--target', target, 'static-pkg'],
    { env: isolatedPipEnv() },
  );
  const { stdout } = await run(python.path, ['-c', 'import static_pkg; print(static_pkg.VALUE)'], {
    env: { ...process.env, PYTHONPATH: target },
  });
  expect(stdout.trim()).toBe('42');
});
