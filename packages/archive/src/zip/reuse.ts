/**
 * Rewriting a zip from a previous write of it: when the first entries are the same as last time
 * (same headers at the same offsets, same data), the previous file is copied by the kernel (a
 * reflink where the filesystem has them), cut after the last such entry, and only the rest and the
 * central directory are written. The result is the bytes a full write gives; so is its sha256,
 * which is computed over the kept bytes as they are read back from the copy.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, open, type FileHandle } from 'node:fs/promises';
import { commit, removeTemp, tempPathBeside } from '@nx-pex/common';
import { RangeReader, MAX_WINDOW } from '../fs/range-reader.js';
import { dataStart, readCentralDirectory, type CentralEntry } from './central-directory.js';
import { localFileHeader } from './records.js';
import { FileSink } from './sink.js';
import { headerFields, writeEntries, ZipWriter, type ZipEntry } from './writer.js';

/** A zip this writer wrote earlier to be rewritten, as its caller recorded it. */
export interface PreviousZip {
  path: string;
  /** The sha256 of the file as written: the copy must still have it, or nothing of it is kept. */
  sha256: string;
  /**
   * Which raw-copied (`file-range`) entries hold the same bytes in the previous zip as they would now.
   * Headers and in-memory data are compared byte for byte; a raw copy's data is not re-read from its
   * source, so the caller vouches for it, e.g. by the sha256 of the source the previous zip names.
   * `readStored` gives a stored entry of the previous zip (undefined when it has none).
   */
  sameData: (readStored: (name: string) => Promise<Buffer | undefined>) => Promise<(entry: ZipEntry) => boolean>;
}

export interface ZipWriteOptions {
  preamble?: Buffer;
  onEntry?: (done: number) => void;
}

/** What a rewrite kept of the previous zip, or why it kept nothing (and the zip is to be written in full). */
export type ZipReuse = { keptBytes: number } | { fallback: string };

export type ReusedZip =
  { keptBytes: number; written: { size: number; sha256: string; zip64: boolean } } | { fallback: string };

/** Below this many kept bytes a copy of the previous file costs more than it saves. */
const MIN_KEPT = 1 << 20;

/** Each entry's local header, where each entry starts (the preamble first), and where the central directory would. */
function plan(entries: ZipEntry[], preambleLength: number): { headers: Buffer[]; offsets: number[] } {
  const headers = entries.map((entry) => localFileHeader(headerFields(entry)));
  const offsets = [preambleLength];
  entries.forEach((entry, index) => offsets.push(offsets[index]! + headers[index]!.length + entry.compressedSize));
  return { headers, offsets };
}

const S_IFREG = 0o100000;

/** How many leading entries the previous central directory has with the same fields at the same offsets. */
function matchingPrefix(entries: ZipEntry[], offsets: number[], previous: CentralEntry[]): number {
  let count = 0;
  for (; count < entries.length && count < previous.length; count++) {
    const planned = entries[count]!;
    const found = previous[count]!;
    const same =
      found.name === planned.name &&
      found.method === planned.method &&
      found.crc32 === planned.crc32 >>> 0 &&
      found.compressedSize === planned.compressedSize &&
      found.size === planned.size &&
      found.externalAttributes === ((S_IFREG | planned.mode) << 16) >>> 0 &&
      found.localHeaderOffset === offsets[count];
    if (!same) break;
  }
  return count;
}

async function readDirectory(path: string): Promise<{ reader: RangeReader; directory: CentralEntry[] }> {
  const reader = await RangeReader.open(path);
  try {
    return { reader, directory: await readCentralDirectory(reader) };
  } catch (error) {
    await reader.close();
    throw error;
  }
}

/**
 * Write `entries` (sorted, as writeZipFile takes them) to `path` through a temp file, keeping the
 * leading entries of `previous` that are identical to them. `fallback` (with why) when nothing worth
 * keeping can be kept: the previous file is missing, unreadable, changed since it was written, or
 * starts differently; the caller then writes the zip in full. Errors of the write itself are thrown,
 * and the temp file is removed: `path` is replaced whole or not at all.
 */
export async function writeZipReusing(
  path: string,
  mode: number,
  entries: ZipEntry[],
  options: ZipWriteOptions,
  previous: PreviousZip,
): Promise<ReusedZip> {
  const preamble = options.preamble ?? Buffer.alloc(0);
  const { headers, offsets } = plan(entries, preamble.length);
  // A look at the previous central directory first: no copy when little would be kept.
  let estimate: number;
  try {
    const { reader, directory } = await readDirectory(previous.path);
    await reader.close();
    estimate = offsets[matchingPrefix(entries, offsets, directory)]!;
  } catch (error) {
    return { fallback: `the previous zip cannot be read (${String(error)})` };
  }
  if (estimate < MIN_KEPT) return { fallback: `less than ${MIN_KEPT} bytes of the previous zip would be kept` };

  const temp = tempPathBeside(path);
  try {
    await copyFile(previous.path, temp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
  } catch (error) {
    await removeTemp(temp);
    return { fallback: `the previous zip cannot be copied (${String(error)})` };
  }
  let handle: FileHandle | undefined;
  try {
    // From here on only the copy is read: what is kept is what was checked.
    const kept = await keptEntries(temp, entries, offsets, previous);
    if (typeof kept === 'string') {
      await removeTemp(temp);
      return { fallback: kept };
    }
    handle = await open(temp, 'r+');
    const hash = await hashKeptPrefix(
      handle,
      previous.sha256,
      offsets[kept]!,
      expectedBytes(preamble, entries, headers, offsets, kept),
    );
    if (typeof hash === 'string') {
      await handle.close();
      handle = undefined;
      await removeTemp(temp);
      return { fallback: hash };
    }
    await handle.truncate(offsets[kept]!);
    const sink = new FileSink(handle, hash, offsets[kept]!);
    const writer = new ZipWriter(sink);
    await writeEntries(writer, entries, options.onEntry, offsets.slice(0, kept));
    await handle.chmod(mode);
    await handle.close();
    handle = undefined;
    await commit(temp, path);
    return {
      written: { size: sink.position, sha256: hash.digest('hex'), zip64: writer.zip64 },
      keptBytes: offsets[kept]!,
    };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await removeTemp(temp);
    throw error;
  }
}

/** How many leading entries of the copy can stay (at least MIN_KEPT bytes' worth), or why none. */
async function keptEntries(
  copy: string,
  entries: ZipEntry[],
  offsets: number[],
  previous: PreviousZip,
): Promise<number | string> {
  let opened: { reader: RangeReader; directory: CentralEntry[] };
  try {
    opened = await readDirectory(copy);
  } catch (error) {
    return `the previous zip cannot be read (${String(error)})`;
  }
  const { reader, directory } = opened;
  try {
    const readStored = async (name: string): Promise<Buffer | undefined> => {
      const entry = directory.find((candidate) => candidate.name === name);
      if (entry === undefined || entry.method !== 0) return undefined;
      return Buffer.from(await reader.read(await dataStart(reader, entry), entry.compressedSize));
    };
    const sameData = await previous.sameData(readStored);
    const matching = matchingPrefix(entries, offsets, directory);
    let kept = 0;
    while (kept < matching && (entries[kept]!.data.kind === 'bytes' || sameData(entries[kept]!))) kept++;
    return offsets[kept]! < MIN_KEPT ? `less than ${MIN_KEPT} bytes of the previous zip would be kept` : kept;
  } catch (error) {
    return `the previous zip cannot be read (${String(error)})`;
  } finally {
    await reader.close();
  }
}

/** The bytes the kept part must hold where this writer knows them: the preamble, every local header, in-memory data. */
function expectedBytes(
  preamble: Buffer,
  entries: ZipEntry[],
  headers: Buffer[],
  offsets: number[],
  kept: number,
): Expected {
  const expected: Expected = { next: 0, ranges: [{ at: 0, bytes: preamble }] };
  for (let index = 0; index < kept; index++) {
    const entry = entries[index]!;
    const header = headers[index]!;
    expected.ranges.push({ at: offsets[index]!, bytes: header });
    if (entry.data.kind === 'bytes')
      expected.ranges.push({ at: offsets[index]! + header.length, bytes: entry.data.bytes });
  }
  return expected;
}

/**
 * Read the whole copy once: its sha256 must be the recorded one (nothing changed it since it was
 * written), the kept part must hold the expected bytes, and the hash of the kept part (forked at
 * `keep`) starts the new file's. Reads are double-buffered into two reused buffers.
 */
async function hashKeptPrefix(
  handle: FileHandle,
  recorded: string,
  keep: number,
  expected: Expected,
): Promise<Hash | string> {
  const size = (await handle.stat()).size;
  const whole = createHash('sha256');
  let forked: Hash | undefined;
  const buffers = [Buffer.allocUnsafeSlow(MAX_WINDOW), Buffer.allocUnsafeSlow(MAX_WINDOW)];
  const readAt = async (buffer: Buffer, at: number): Promise<Buffer> => {
    const length = Math.min(buffer.length, size - at);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, at + done);
      if (bytesRead === 0) throw new RangeError(`unexpected end of the copied zip at byte ${at + done}`);
      done += bytesRead;
    }
    return buffer.subarray(0, length);
  };
  let next = 0;
  let pending = size > 0 ? readAt(buffers[0]!, 0) : undefined;
  let turn = 0;
  while (pending !== undefined) {
    const chunk = await pending;
    const start = next;
    next += chunk.length;
    turn ^= 1;
    pending = next < size ? readAt(buffers[turn]!, next) : undefined;
    const mismatch = compareExpected(chunk, start, expected);
    if (mismatch !== undefined) {
      await pending?.catch(() => undefined); // no read left running on a handle the caller closes
      return mismatch;
    }
    if (forked === undefined && start <= keep && keep <= next) {
      whole.update(chunk.subarray(0, keep - start));
      forked = whole.copy();
      whole.update(chunk.subarray(keep - start));
    } else {
      whole.update(chunk);
    }
  }
  if (whole.digest('hex') !== recorded.toLowerCase())
    return 'the previous zip changed since it was written (its sha256 differs from the recorded one)';
  if (forked === undefined) return 'the previous zip is shorter than the part to keep';
  return forked;
}

/** Byte ranges the kept part must hold, sorted and disjoint; `next` is the first not yet fully compared. */
interface Expected {
  next: number;
  ranges: { at: number; bytes: Buffer }[];
}

/** Compare the part of each expected range inside `chunk` (which starts at file position `start`). */
function compareExpected(chunk: Buffer, start: number, expected: Expected): string | undefined {
  const end = start + chunk.length;
  for (; expected.next < expected.ranges.length; expected.next++) {
    const { at, bytes } = expected.ranges[expected.next]!;
    if (at >= end) return undefined;
    const from = Math.max(at, start);
    const to = Math.min(at + bytes.length, end);
    if (to > from && !chunk.subarray(from - start, to - start).equals(bytes.subarray(from - at, to - at))) {
      return `the previous zip holds other bytes at offset ${from} than this write would`;
    }
    if (at + bytes.length > end) return undefined;
  }
  return undefined;
}
