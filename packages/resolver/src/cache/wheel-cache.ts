import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ResolverError } from '../errors.js';
import { commit, tempPathFor } from './atomic.js';

/** Content-addressed wheel cache: `<root>/wheels/sha256/<aa>/<sha256>/<filename>`. */
export class WheelCache {
  constructor(readonly root: string) {}

  pathFor(sha256: string, filename: string): string {
    return join(this.root, 'wheels', 'sha256', sha256.slice(0, 2), sha256, filename);
  }

  /**
   * The cached file when present and intact. A corrupt entry (content no longer hashes to its
   * address) is deleted, so the caller downloads it again instead of trusting it forever.
   */
  async lookup(sha256: string, filename: string): Promise<{ path: string; size: number } | undefined> {
    const path = this.pathFor(sha256, filename);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    if ((await sha256File(path)) !== sha256) {
      await rm(path, { force: true });
      return undefined;
    }
    return { path, size: info.size };
  }

  /**
   * Stream `body` into the cache, hashing as it goes. With `expectedSha256`, a mismatch throws
   * HASH_MISMATCH and keeps nothing. Returns the final path, digest and size.
   */
  async store(
    filename: string,
    body: AsyncIterable<Uint8Array>,
    expectedSha256: string | undefined,
    onBytes: (n: number) => void,
    describe: string,
  ): Promise<{ path: string; sha256: string; size: number }> {
    const staging = join(this.root, 'wheels', 'sha256', 'tmp', filename);
    const besideFinal = expectedSha256 ? this.pathFor(expectedSha256, filename) : staging;
    await mkdir(join(besideFinal, '..'), { recursive: true });
    const temp = tempPathFor(besideFinal);
    const hash = createHash('sha256');
    let size = 0;
    const out = createWriteStream(temp);
    // A body that breaks off (truncated, reset) is a download failure, not a cache failure: say so.
    const reading = { failed: false };
    async function* read(): AsyncIterable<Uint8Array> {
      try {
        yield* body;
      } catch (err) {
        reading.failed = true;
        throw err;
      }
    }
    try {
      for await (const chunk of read()) {
        hash.update(chunk);
        size += chunk.length;
        onBytes(size);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', r));
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      out.on('error', () => undefined); // writes still queued fail with ERR_STREAM_DESTROYED: expected, not a crash
      // Wait for the close: a stream destroyed before its file was opened still creates it afterwards.
      if (!out.closed) {
        await new Promise<void>((resolve) => {
          out.once('close', () => resolve());
          out.destroy();
        });
      }
      await rm(temp, { force: true });
      if (!reading.failed || err instanceof ResolverError) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      throw new ResolverError('INDEX_ERROR', `The download of ${describe} broke off after ${size} bytes (${reason}). Nothing was kept; retry, and check the index or proxy if it persists.`, { cause: err });
    }
    const sha256 = hash.digest('hex');
    if (expectedSha256 && sha256 !== expectedSha256) {
      await rm(temp, { force: true });
      throw new ResolverError('HASH_MISMATCH', `Hash mismatch for ${describe}: the index says sha256=${expectedSha256} but the downloaded file has sha256=${sha256}. Nothing was kept. The file or the index may have been tampered with or corrupted in transit; retry, and report it to the index owner if it persists.`);
    }
    const finalPath = this.pathFor(sha256, filename);
    await mkdir(join(finalPath, '..'), { recursive: true });
    await commit(temp, finalPath);
    return { path: finalPath, sha256, size };
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Wrap a storage failure in an actionable error. */
export function cacheError(root: string, err: unknown): ResolverError {
  const reason = err instanceof Error ? err.message : String(err);
  return new ResolverError('CACHE_ERROR', `Could not write to the artifact cache at ${root} (${reason}). Check permissions and free space, or set NX_PEX_CACHE_DIR to another directory.`, { cause: err });
}
