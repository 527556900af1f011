import { execFile } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buffer } from 'node:stream/consumers';
import { findPythons } from '@nx-pex/tools';
import yauzl from 'yauzl';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileSink } from './sink.js';
import { deflatedEntry, ZipWriter } from './writer.js';

const exec = promisify(execFile);
const found = (await findPythons()).found;
const python = found.at(-1)?.path;
const python312 = found.find((each) => each.version === '3.12')?.path;
let usedZip64 = false;
const COUNT = 70_000;
let work: string;
let path: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-zip64-'));
  path = join(work, 'many.pex');
  const handle = await open(path, 'w');
  try {
    const sink = new FileSink(handle);
    await sink.write(Buffer.from('#!/usr/bin/env python3\n'));
    const writer = new ZipWriter(sink);
    await writer.add(deflatedEntry('__main__.py', Buffer.from('import sys; print("zip64 ok"); sys.exit(0)\n'), 0o644));
    for (let index = 0; index < COUNT; index++) {
      await writer.add(deflatedEntry(`f/${index}`, Buffer.from(String(index)), 0o644));
    }
    await writer.finish();
    usedZip64 = writer.zip64;
  } finally {
    await handle.close();
  }
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

it('writes ZIP64 end records past 65535 entries that yauzl reads', async () => {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  expect(zip.entryCount).toBe(COUNT + 1);
  let last: yauzl.Entry | undefined;
  for await (const entry of zip.eachEntry()) last = entry;
  expect(last?.fileName).toBe(`f/${COUNT - 1}`);
  expect((await buffer(await zip.openReadStreamPromise(last!))).toString()).toBe(String(COUNT - 1));
  zip.close();
});

it.skipIf(!python)('writes ZIP64 archives that python -m zipfile -t accepts and python can run', async () => {
  const tested = await exec(python!, ['-m', 'zipfile', '-t', path]);
  expect(tested.stdout).toContain('Done testing');
  expect((await exec(python!, [path])).stdout).toBe('zip64 ok\n');
});

it('reports that it used ZIP64 (buildPex warns from this when CPython < 3.13 is allowed)', () => {
  expect(usedZip64).toBe(true);
});

it.skipIf(!python312)('the warning is real: CPython 3.12 zipimport cannot run a ZIP64 zipapp', async () => {
  await expect(exec(python312!, [path])).rejects.toMatchObject({ code: expect.any(Number) });
});
