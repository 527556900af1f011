import { createHash } from 'node:crypto';
import { writeFileAtomic } from '@nx-pex/common';
import { FileSink } from '../zip/sink.js';
import { writeEntries, ZipWriter, type ZipEntry } from '../zip/writer.js';

export interface WrittenZip {
  size: number;
  sha256: string;
  zip64: boolean;
}

/** Write `entries` (already sorted) as a zip at `path`, optionally behind a first line, through a temp file. */
export async function writeZipFile(
  path: string,
  mode: number,
  entries: ZipEntry[],
  options: { preamble?: Buffer; onEntry?: (done: number) => void } = {},
): Promise<WrittenZip> {
  const hash = createHash('sha256');
  let size = 0;
  let zip64 = false;
  await writeFileAtomic(path, mode, async (handle) => {
    const sink = new FileSink(handle, hash);
    if (options.preamble) await sink.write(options.preamble);
    const writer = new ZipWriter(sink);
    await writeEntries(writer, entries, options.onEntry);
    size = sink.position;
    zip64 = writer.zip64;
  });
  return { size, sha256: hash.digest('hex'), zip64 };
}
