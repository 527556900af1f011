import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cli } from './cli.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-tools-cli-'));
});
afterAll(() => rm(work, { recursive: true, force: true }));

it('make-wheel builds every spec of a JSON array and prints each BuiltWheel', async () => {
  const specPath = join(work, 'specs.json');
  await writeFile(
    specPath,
    JSON.stringify([
      { name: 'a', version: '1.0' },
      { name: 'b-c', version: '2.0', modules: { 'b_c.py': '' } },
    ]),
  );
  const lines: string[] = [];
  await cli(['make-wheel', '--spec', specPath, '--out', join(work, 'wheels')], (l) => lines.push(l));
  expect(lines.map((l) => (JSON.parse(l) as { filename: string }).filename)).toEqual([
    'a-1.0-py3-none-any.whl',
    'b_c-2.0-py3-none-any.whl',
  ]);
  expect(await readdir(join(work, 'wheels'))).toEqual(['a-1.0-py3-none-any.whl', 'b_c-2.0-py3-none-any.whl']);
});

it('serve-index prints the URL and serves until stopped', async () => {
  const lines: string[] = [];
  const running = await cli(['serve-index', '--dir', join(work, 'wheels')], (l) => lines.push(l));
  try {
    expect(lines[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/simple\/$/);
    const page = await (await fetch(`${lines[0]}b-c/`)).text();
    expect(page).toContain('b_c-2.0-py3-none-any.whl');
  } finally {
    await running.stop?.();
  }
  await expect(fetch(lines[0]!)).rejects.toThrow();
});

it('write-file-index prints a file:// URL', async () => {
  const lines: string[] = [];
  await cli(['write-file-index', '--dir', join(work, 'wheels'), '--out', join(work, 'static')], (l) => lines.push(l));
  expect(lines).toEqual([expect.stringMatching(/^file:\/\/.*\/static\/simple\/$/)]);
});

it('rejects a bad invocation with CLI_USAGE and the usage text', async () => {
  await expect(cli(['serve-index'], () => {})).rejects.toMatchObject({
    code: 'CLI_USAGE',
    message: expect.stringContaining('--dir is required'),
  });
  await expect(cli(['frobnicate'], () => {})).rejects.toMatchObject({
    code: 'CLI_USAGE',
    message: expect.stringContaining('usage:'),
  });
});
