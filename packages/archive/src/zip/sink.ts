import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { RangeReader } from '../fs/range-reader.js';

const BUFFER_LIMIT = 4 << 20;

/**
 * Sequential, buffered writes to a file handle, tracking the absolute position (ZIP offsets are
 * file positions, including any shebang written before the archive).
 */
export class FileSink {
  #handle: FileHandle;
  #hash: Hash | undefined;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes handed to the file so far (its write position). */
  #written = 0;
  #inFlight: Promise<void> = Promise.resolve();
  position = 0;

  /**
   * `hash`, when given, sees every byte written (the output's sha256 without re-reading it). `start`:
   * the file position of the first write, when the file already holds bytes that stay (a kept prefix).
   */
  constructor(handle: FileHandle, hash?: Hash, start = 0) {
    this.#handle = handle;
    this.#hash = hash;
    this.#written = start;
    this.position = start;
  }

  async write(bytes: Buffer): Promise<void> {
    this.#hash?.update(bytes);
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    this.position += bytes.length;
    if (this.#pendingBytes >= BUFFER_LIMIT) await this.flush();
  }

  /** Copy `length` bytes from `source` at `start` verbatim (the raw copy of pre-compressed data). */
  async copyRange(source: RangeReader, start: number, length: number): Promise<void> {
    for await (const chunk of source.chunks(start, length)) await this.write(chunk);
  }

  /**
   * Hand the pending bytes to the file. One write stays in flight while the caller reads the next
   * bytes (reads and writes overlap); `drain()` waits for it. Positional writes keep the order.
   */
  async flush(): Promise<void> {
    await this.#inFlight;
    if (this.#pendingBytes === 0) return;
    const chunks = this.#pending;
    const at = this.#written;
    this.#written += this.#pendingBytes;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#inFlight = writeAll(this.#handle, chunks, at);
    this.#inFlight.catch(() => undefined); // seen by the next flush()/drain(), not an unhandled rejection
  }

  /** Flush and wait until every byte is written. */
  async drain(): Promise<void> {
    await this.flush();
    await this.#inFlight;
  }
}

/** writev may write less than asked: write the rest until done. */
async function writeAll(handle: FileHandle, chunks: Buffer[], at: number): Promise<void> {
  let position = at;
  let rest = chunks;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest, position);
    position += bytesWritten;
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const chunk of rest) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      next.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
    rest = next;
  }
}
