import { crc32, inflateRawSync } from 'node:zlib';
import { ArchiveError } from '../errors.js';
import type { RangeReader } from '../fs/range-reader.js';
import type { TreeEntry } from './installed-wheel-tree.js';

/** The decompressed bytes of one installed-tree entry, read from its raw range in the wheel and CRC-checked. */
export async function readTreeEntry(wheel: RangeReader, entry: TreeEntry, wheelName: string): Promise<Buffer> {
  let content: Buffer | undefined;
  try {
    const raw = await wheel.read(entry.dataStart, entry.compressedSize);
    content = entry.method === 8 ? inflateRawSync(raw, { maxOutputLength: Math.max(entry.size, 1) }) : raw;
  } catch {
    content = undefined;
  }
  if (content === undefined || content.length !== entry.size || crc32(content) >>> 0 !== entry.crc32 >>> 0) {
    throw new ArchiveError(
      'HASH_MISMATCH',
      `member '${entry.member}' of ${wheelName} no longer matches the wheel it was verified from (CRC or size); the wheel file changed on disk. Fetch it again.`,
    );
  }
  return content;
}
