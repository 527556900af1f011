import type { FileHandle } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';
import { ArchiveError } from '../errors.js';
import type { TreeEntry } from './installed-wheel-tree.js';

/** The decompressed bytes of one installed-tree entry, read from its raw range in the wheel and CRC-checked. */
export async function readTreeEntry(wheel: FileHandle, entry: TreeEntry, wheelName: string): Promise<Buffer> {
  const raw = Buffer.allocUnsafe(entry.compressedSize);
  let read = 0;
  while (read < raw.length) {
    const { bytesRead } = await wheel.read(raw, read, raw.length - read, entry.dataStart + read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  let content: Buffer | undefined;
  try {
    content = read === raw.length ? (entry.method === 8 ? inflateRawSync(raw) : raw) : undefined;
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
