/**
 * Rewriting a zip from a previous write of it: when the first entries are the same as last time
 * (same headers at the same offsets, same data), the previous file is copied by the kernel (a
 * reflink where the filesystem has them), cut after the last such entry, and only the rest and the
 * central directory are written. The result is the bytes a full write gives; so is its sha256,
 * which is computed over the kept bytes as they are read back from the copy (while the kernel
 * copies: the read follows the copy's size), and only when the whole copy has the recorded sha256.
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
  // Judged on the previous file first (no copy when little would stay), then again on the copy.
  const judged = await keptEntries(previous.path, entries, offsets, previous);
  if (typeof judged === 'string') return { fallback: judged };
  const { kept, size } = judged;
  const keep = offsets[kept]!;
  const temp = tempPathBeside(path);
  const handle = await open(temp, 'wx+', mode);
  // The kernel copies (a reflink where the filesystem has them) while the bytes it has copied are hashed.
  let copyDone = false;
  const copied = copyFile(previous.path, temp, constants.COPYFILE_FICLONE).then(
    () => undefined,
    (error: unknown) => error,
  );
  void copied.then(() => (copyDone = true));
  let raced = false;
  const copiedUpTo = async (end: number): Promise<boolean> => {
    for (;;) {
      if ((await handle.stat()).size >= end) {
        raced ||= !copyDone;
        return true;
      }
      if (copyDone) return false;
      await Promise.race([copied, new Promise((resolve) => setTimeout(resolve, 2))]);
    }
  };
  const fallback = async (why: string): Promise<ReusedZip> => {
    await copied;
    await handle.close();
    await removeTemp(temp);
    return { fallback: why };
  };
  try {
    const recorded = previous.sha256.toLowerCase();
    const pass = () =>
      hashKeptPrefix(handle, size, copiedUpTo, keep, expectedBytes(preamble, entries, headers, offsets, kept));
    let hash = await pass();
    if (raced && (typeof hash === 'string' || hash.whole !== recorded)) {
      // Read while the kernel copied: a filesystem that sizes the file before filling it would show
      // bytes not copied yet, so read the finished copy once more before judging it.
      await copied;
      hash = await pass();
    }
    const copyError = await copied;
    if (copyError !== undefined) return await fallback(`the previous zip cannot be copied (${String(copyError)})`);
    if (typeof hash === 'string') return await fallback(hash);
    if (hash.whole !== recorded || (await handle.stat()).size !== size)
      return await fallback('the previous zip changed since it was written (its sha256 differs from the recorded one)');
    // What is kept is judged on the copy, whose bytes were just hashed.
    const again = await keptEntries(temp, entries, offsets, previous);
    if (typeof again === 'string' || again.kept !== kept)
      return await fallback('the previous zip changed while it was copied');
    await handle.truncate(keep);
    const sink = new FileSink(handle, hash.kept, keep);
    const writer = new ZipWriter(sink);
    await writeEntries(writer, entries, options.onEntry, offsets.slice(0, kept));
    await handle.chmod(mode);
    await handle.close();
    await commit(temp, path);
    return { written: { size: sink.position, sha256: hash.kept.digest('hex'), zip64: writer.zip64 }, keptBytes: keep };
  } catch (error) {
    await copied;
    await handle.close().catch(() => undefined);
    await removeTemp(temp);
    throw error;
  }
}

/** How many leading entries of the zip at `path` can stay (at least MIN_KEPT bytes' worth) and its size, or why none. */
async function keptEntries(
  path: string,
  entries: ZipEntry[],
  offsets: number[],
  previous: PreviousZip,
): Promise<{ kept: number; size: number } | string> {
  let opened: { reader: RangeReader; directory: CentralEntry[] };
  try {
    opened = await readDirectory(path);
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
    const matching = matchingPrefix(entries, offsets, directory);
    // A raw copy stays only when the caller vouches for its data; headers and in-memory data are compared later.
    const sameData = matching > 0 ? await previous.sameData(readStored) : () => false;
    let kept = 0;
    while (kept < matching && (entries[kept]!.data.kind === 'bytes' || sameData(entries[kept]!))) kept++;
    if (offsets[kept]! < MIN_KEPT) return `less than ${MIN_KEPT} bytes of the previous zip would be kept`;
    return { kept, size: reader.size };
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
 * Read the whole copy once, as the kernel writes it (`copiedUpTo`): the sha256 of all of it (which
 * must be the recorded one: nothing changed it since it was written) and of its first `keep` bytes
 * (forked there: the new file's hash continues it), comparing the expected bytes on the way. Reads
 * are double-buffered into two reused buffers.
 */
async function hashKeptPrefix(
  handle: FileHandle,
  size: number,
  copiedUpTo: (end: number) => Promise<boolean>,
  keep: number,
  expected: Expected,
): Promise<{ whole: string; kept: Hash } | string> {
  const whole = createHash('sha256');
  let forked: Hash | undefined;
  const buffers = [Buffer.allocUnsafeSlow(MAX_WINDOW), Buffer.allocUnsafeSlow(MAX_WINDOW)];
  const readAt = async (buffer: Buffer, at: number): Promise<Buffer | undefined> => {
    const length = Math.min(buffer.length, size - at);
    if (!(await copiedUpTo(at + length))) return undefined;
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, at + done);
      if (bytesRead === 0) return undefined;
      done += bytesRead;
    }
    return buffer.subarray(0, length);
  };
  const shorter = 'the previous zip changed since it was written (its copy is shorter)';
  let next = 0;
  let pending = size > 0 ? readAt(buffers[0]!, 0) : undefined;
  let turn = 0;
  while (pending !== undefined) {
    const chunk = await pending;
    if (chunk === undefined) return shorter;
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
  if (forked === undefined) return shorter;
  return { whole: whole.digest('hex'), kept: forked };
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
