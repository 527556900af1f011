import { buffer } from 'node:stream/consumers';
import { ZipFile } from 'yazl';
import { describe, expect, it } from 'vitest';
import { zipMembers, type ZipMember } from './zip.js';

/** What the factory wrote with yazl before: its wheels' bytes (and sha256) must not change. */
async function yazlZip(members: ZipMember[]): Promise<Buffer> {
  const zip = new ZipFile();
  const out = buffer(zip.outputStream);
  for (const m of members)
    zip.addBuffer(Buffer.from(m.content), m.path, {
      mtime: new Date(1980, 0, 2),
      forceDosTimestamp: true,
      mode: m.mode,
      compress: true,
    });
  zip.end();
  return out;
}

const text = (value: string): Uint8Array => Buffer.from(value, 'utf8');

describe('factory zip writer', () => {
  it('writes the same bytes as yazl did (names, modes, empty and binary members, UTF-8 names)', async () => {
    const members: ZipMember[] = [
      { path: 'pkg/__init__.py', content: text(''), mode: 0o100644 },
      { path: 'pkg/mod.py', content: text('print("hi")\n'.repeat(200)), mode: 0o100644 },
      { path: 'pkg/données.txt', content: text('é\n'), mode: 0o100644 },
      { path: 'pkg.data/scripts/tool', content: text('#!python\n'), mode: 0o100755 },
      {
        path: 'pkg/blob.bin',
        content: Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251),
        mode: 0o100644,
      },
    ];
    expect(zipMembers(members).equals(await yazlZip(members))).toBe(true);
  });
});
