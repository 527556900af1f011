import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import yauzl from 'yauzl';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FileSink } from './sink.js';
import { deflatedEntry, ZipWriter, type ZipEntry } from './writer.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-zip-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeEntries(path: string, prefix: string, entries: ZipEntry[]): Promise<void> {
  const handle = await open(path, 'w');
  try {
    const sink = new FileSink(handle);
    await sink.write(Buffer.from(prefix));
    const writer = new ZipWriter(sink);
    for (const entry of entries) await writer.add(entry);
    await writer.finish();
  } finally {
    await handle.close();
  }
}

async function readAll(path: string): Promise<Map<string, { entry: yauzl.Entry; content: Buffer }>> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  const read = new Map<string, { entry: yauzl.Entry; content: Buffer }>();
  for await (const entry of zip.eachEntry()) {
    read.set(entry.fileName, { entry, content: await buffer(await zip.openReadStreamPromise(entry)) });
  }
  zip.close();
  return read;
}

it('writes a zip behind a shebang that yauzl reads back, with fixed times and normalised modes', async () => {
  const path = join(work, 'basic.zip');
  const text = Buffer.from('print("hello")\n'.repeat(50));
  await writeEntries(path, '#!/usr/bin/env python3\n', [
    deflatedEntry('a/text.py', text, 0o644),
    deflatedEntry('bin/tool', Buffer.from('#!python\n'), 0o755),
    deflatedEntry('naïve/ünïcode.txt', Buffer.from('x'), 0o644),
    deflatedEntry('empty', Buffer.alloc(0), 0o644),
  ]);
  const read = await readAll(path);
  expect([...read.keys()]).toEqual(['a/text.py', 'bin/tool', 'naïve/ünïcode.txt', 'empty']);
  expect(read.get('a/text.py')?.content.equals(text)).toBe(true);
  expect(read.get('a/text.py')?.entry.compressionMethod).toBe(8);
  expect(read.get('bin/tool')?.entry.compressionMethod).toBe(0); // deflating 9 bytes does not pay
  expect(read.get('empty')?.content.length).toBe(0);
  for (const { entry } of read.values()) {
    expect([entry.lastModFileDate, entry.lastModFileTime]).toEqual([0x21, 0]);
  }
  expect((read.get('bin/tool')?.entry.externalFileAttributes ?? 0) >>> 16).toBe(0o100755);
  expect((read.get('a/text.py')?.entry.externalFileAttributes ?? 0) >>> 16).toBe(0o100644);
});

it('copies a raw range of another file without touching the compressed bytes', async () => {
  const source = join(work, 'source.zip');
  const entry = deflatedEntry('m.py', Buffer.from('x = 1\n'.repeat(100)), 0o644);
  await writeEntries(source, '', [entry]);
  const zip = await yauzl.openPromise(source, { lazyEntries: true, autoClose: false });
  let member: yauzl.Entry | undefined;
  for await (const entry of zip.eachEntry()) member = entry;
  const { fileDataStart } = await zip.readLocalFileHeaderPromise(member!, { minimal: true });
  zip.close();
  const copy = join(work, 'copy.zip');
  await writeEntries(copy, '', [
    { ...entry, name: 'copied.py', data: { kind: 'file-range', path: source, start: fileDataStart } },
  ]);
  expect((await readAll(copy)).get('copied.py')?.content.toString()).toBe('x = 1\n'.repeat(100));
});
