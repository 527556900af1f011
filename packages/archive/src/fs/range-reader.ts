import { open, type FileHandle } from 'node:fs/promises';

const MIN_WINDOW = 64 * 1024;
export const MAX_WINDOW = 8 * 1024 * 1024;

/**
 * Random-access reads of one file through a read-ahead window: a run of small reads in file order
 * (zip headers, members copied raw) costs one read per window, not one per member. The window grows
 * while reads stay sequential (up to 8 MiB) and shrinks back on a jump. Returned buffers may be views
 * of a window; windows are never reused, so a view stays valid.
 */
export class RangeReader {
  readonly path: string;
  readonly size: number;
  #handle: FileHandle;
  #window: Buffer = Buffer.alloc(0);
  #windowStart = 0;
  #next = MIN_WINDOW;
  /** The window after the current one, read ahead while the caller works on this one (sequential reads only). */
  #ahead: { start: number; length: number; bytes: Promise<Buffer> } | undefined;

  private constructor(path: string, handle: FileHandle, size: number) {
    this.path = path;
    this.#handle = handle;
    this.size = size;
  }

  static async open(path: string): Promise<RangeReader> {
    const handle = await open(path, 'r');
    try {
      return new RangeReader(path, handle, (await handle.stat()).size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** `length` bytes at `start`; a RangeError when the file is shorter. */
  async read(start: number, length: number): Promise<Buffer> {
    if (start < 0 || length < 0 || start + length > this.size) {
      throw new RangeError(`bytes ${start}..${start + length} are past the end of ${this.path} (${this.size} bytes)`);
    }
    const offset = start - this.#windowStart;
    if (offset >= 0 && offset + length <= this.#window.length) return this.#window.subarray(offset, offset + length);
    if (length > MAX_WINDOW) return this.#readExact(start, length);
    const sequential = offset >= 0 && offset <= this.#window.length;
    this.#next = sequential ? Math.min(this.#next * 2, MAX_WINDOW) : MIN_WINDOW;
    const ahead = this.#ahead;
    this.#ahead = undefined;
    if (ahead && ahead.start <= start && start + length <= ahead.start + ahead.length) {
      this.#window = await ahead.bytes;
      this.#windowStart = ahead.start;
    } else {
      await ahead?.bytes.catch(() => undefined); // never leave a read running on a handle we may close
      this.#window = await this.#readExact(start, Math.min(Math.max(this.#next, length), this.size - start));
      this.#windowStart = start;
    }
    const end = this.#windowStart + this.#window.length;
    if (sequential && this.#next === MAX_WINDOW && end < this.size) {
      const aheadLength = Math.min(MAX_WINDOW, this.size - end);
      const bytes = this.#readExact(end, aheadLength);
      bytes.catch(() => undefined); // reported when (if) it is used
      this.#ahead = { start: end, length: aheadLength, bytes };
    }
    return this.#window.subarray(start - this.#windowStart, start - this.#windowStart + length);
  }

  /** `length` bytes at `start` in pieces of at most `MAX_WINDOW` bytes (bounded memory for big members). */
  async *chunks(start: number, length: number): AsyncGenerator<Buffer> {
    for (let done = 0; done < length;) {
      const piece = Math.min(MAX_WINDOW, length - done);
      yield await this.read(start + done, piece);
      done += piece;
    }
  }

  async close(): Promise<void> {
    this.#window = Buffer.alloc(0);
    await this.#ahead?.bytes.catch(() => undefined);
    this.#ahead = undefined;
    await this.#handle.close();
  }

  async #readExact(start: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafeSlow(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await this.#handle.read(buffer, read, length - read, start + read);
      if (bytesRead === 0) throw new RangeError(`unexpected end of ${this.path} at byte ${start + read}`);
      read += bytesRead;
    }
    return buffer;
  }
}
