import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { recordHash } from '@nx-pex/tools';
import { FileSink } from '../zip/sink.js';
import { deflatedEntry, ZipWriter } from '../zip/writer.js';

/**
 * Write a plain zip of `members` in the given order (test helper for malformed or hostile wheels
 * that a correct wheel factory refuses to make). Returns the file's sha256.
 */
export async function writeZip(path: string, members: [name: string, content: string | Buffer][]): Promise<string> {
  const handle = await open(path, 'w');
  const hash = createHash('sha256');
  try {
    const writer = new ZipWriter(new FileSink(handle, hash));
    for (const [name, content] of members) await writer.add(deflatedEntry(name, Buffer.from(content), 0o644));
    await writer.finish();
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

/** A RECORD for `members` (paths and contents), with RECORD itself listed last without a hash. */
export function recordFor(members: [name: string, content: string | Buffer][], recordPath: string): string {
  const rows = members.map(
    ([name, content]) => `${name},${recordHash(Buffer.from(content))},${Buffer.from(content).length}`,
  );
  return [...rows, `${recordPath},,`, ''].join('\n');
}
