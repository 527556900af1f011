import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

const BUFFER_LIMIT = 1 << 20;
const COPY_CHUNK = 4 << 20;

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
  async copyRange(source: FileHandle, start: number, length: number): Promise<void> {
    let copied = 0;
    while (copied < length) {
      const chunk = Buffer.allocUnsafe(Math.min(COPY_CHUNK, length - copied));
      const { bytesRead } = await source.read(chunk, 0, chunk.length, start + copied);
      if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + copied}`);
      await this.write(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
      copied += bytesRead;
    }
  }

  async flush(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const chunks = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#handle.writev(chunks);
  }
}
