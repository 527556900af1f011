import { crc32, deflateRawSync } from 'node:zlib';
import {
  centralDirectoryHeader,
  endOfCentralDirectory,
  needsZip64End,
  ZIP32_LIMIT,
  localFileHeader,
  type CompressionMethod,
  type EntryHeaderFields,
} from './records.js';
import { RangeReader } from '../fs/range-reader.js';
import type { FileSink } from './sink.js';

/** Where an entry's (already compressed) bytes come from. */
export type ZipEntryData =
  | { kind: 'bytes'; bytes: Buffer }
  /** `compressedSize` raw bytes at `start` of `path`: a member copied out of a wheel without re-compressing. */
  | { kind: 'file-range'; path: string; start: number };

export interface ZipEntry {
  name: string;
  mode: number;
  method: CompressionMethod;
  crc32: number;
  compressedSize: number;
  size: number;
  data: ZipEntryData;
}

/** Below this size deflating cannot pay for the zlib setup (and would rarely shrink the bytes). */
const STORE_BELOW = 64;

/** A ZIP entry for our own content: deflated (zlib raw deflate, level 9) unless that does not pay. */
export function deflatedEntry(name: string, content: Buffer, mode: number): ZipEntry {
  const deflated = content.length < STORE_BELOW ? content : deflateRawSync(content, { level: 9 });
  const stored = deflated.length >= content.length;
  return {
    name,
    mode,
    method: stored ? 0 : 8,
    crc32: crc32(content),
    compressedSize: stored ? content.length : deflated.length,
    size: content.length,
    data: { kind: 'bytes', bytes: stored ? content : deflated },
  };
}

/** A ZIP entry stored as it is (method 0): read without zlib. */
export function storedEntry(name: string, content: Buffer, mode: number): ZipEntry {
  return {
    name,
    mode,
    method: 0,
    crc32: crc32(content),
    compressedSize: content.length,
    size: content.length,
    data: { kind: 'bytes', bytes: content },
  };
}

/** The fields of an entry's local and central headers. */
export function headerFields(entry: ZipEntry): EntryHeaderFields {
  return {
    name: Buffer.from(entry.name, 'utf8'),
    method: entry.method,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    size: entry.size,
    mode: entry.mode,
  };
}

/**
 * Writes entries in the order given (callers sort them), then the central directory and end
 * records; ZIP64 records appear only where a value overflows (APPNOTE 4.4.1.4).
 */
export class ZipWriter {
  #sink: FileSink;
  #central: Buffer[] = [];
  #count = 0;
  #zip64 = false;
  /** Entries are sorted, so one wheel's members are contiguous: keep only the current source open. */
  #source: RangeReader | undefined;

  constructor(sink: FileSink) {
    this.#sink = sink;
  }

  async add(entry: ZipEntry): Promise<void> {
    const fields = headerFields(entry);
    this.#record(fields, this.#sink.position);
    await this.#sink.write(localFileHeader(fields));
    if (entry.data.kind === 'bytes') {
      await this.#sink.write(entry.data.bytes);
    } else {
      await this.#sink.copyRange(await this.#openSource(entry.data.path), entry.data.start, entry.compressedSize);
    }
  }

  /**
   * Count `entry` as already in the file at `offset` (its local header and data, as add() writes
   * them, kept from an earlier write of the same zip): only its central directory header is written.
   */
  addWritten(entry: ZipEntry, offset: number): void {
    this.#record(headerFields(entry), offset);
  }

  #record(fields: EntryHeaderFields, offset: number): void {
    if (offset >= ZIP32_LIMIT || fields.size >= ZIP32_LIMIT || fields.compressedSize >= ZIP32_LIMIT) this.#zip64 = true;
    this.#central.push(centralDirectoryHeader(fields, offset));
    this.#count += 1;
  }

  async finish(): Promise<void> {
    try {
      const offset = this.#sink.position;
      let size = 0;
      for (const header of this.#central) {
        await this.#sink.write(header);
        size += header.length;
      }
      const location = { entryCount: this.#count, size, offset };
      if (needsZip64End(location)) this.#zip64 = true;
      await this.#sink.write(endOfCentralDirectory(location));
      await this.#sink.drain();
    } finally {
      await this.close();
    }
  }

  /** Whether any ZIP64 record was (or, before finish(), will be) needed so far. */
  get zip64(): boolean {
    return this.#zip64;
  }

  /** Close the source file opened for raw copies (also on failure). */
  async close(): Promise<void> {
    const source = this.#source;
    this.#source = undefined;
    await source?.close();
  }

  async #openSource(path: string): Promise<RangeReader> {
    if (this.#source?.path === path) return this.#source;
    await this.close();
    this.#source = await RangeReader.open(path);
    return this.#source;
  }
}

const PROGRESS_EVERY = 1000;

/**
 * Add `entries` and finish the zip, calling `onEntry` every 1000 entries; the first `keptOffsets.length`
 * entries are already in the file at those offsets (a kept prefix), so only their central headers are written.
 */
export async function writeEntries(
  writer: ZipWriter,
  entries: ZipEntry[],
  onEntry?: (done: number) => void,
  keptOffsets: readonly number[] = [],
): Promise<void> {
  try {
    for (const [index, entry] of entries.entries()) {
      if (index < keptOffsets.length) writer.addWritten(entry, keptOffsets[index]!);
      else await writer.add(entry);
      if ((index + 1) % PROGRESS_EVERY === 0) onEntry?.(index + 1);
    }
    await writer.finish();
  } finally {
    await writer.close();
  }
}
