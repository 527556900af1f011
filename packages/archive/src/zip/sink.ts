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
  position = 0;

  /** `hash`, when given, sees every byte written (the output's sha256 without re-reading it). */
  constructor(handle: FileHandle, hash?: Hash) {
    this.#handle = handle;
    this.#hash = hash;
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

  async flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const chunks = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#handle.writev(chunks);
  }
}
