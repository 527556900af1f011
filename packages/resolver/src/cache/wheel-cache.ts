import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, type BigIntStats } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { commit, removeTemp, sha256File, tempPathBeside } from '@nx-pex/common';
import { ResolverError } from '../errors.js';
import { pathInside } from './paths.js';

/** The most bytes a download may have, and why (for the message when it goes on past them). */
export interface DownloadLimit {
  bytes: number;
  why: string;
}

/** Content-addressed wheel cache: `<root>/wheels/sha256/<aa>/<sha256>/<filename>`. */
export class WheelCache {
  constructor(readonly root: string) {}

  /** The entry's path; the filename (from an index or a lock) must stay one component inside the cache. */
  pathFor(sha256: string, filename: string): string {
    return pathInside(this.root, ['wheels', 'sha256', sha256.slice(0, 2), sha256, filename]);
  }

  /** Where the verification stamp of an entry is (a tree of its own: `wheels/` holds only wheels). */
  stampPathFor(sha256: string, filename: string): string {
    return pathInside(this.root, ['verified', 'wheels', sha256.slice(0, 2), sha256, `${filename}.json`]);
  }

  /**
   * The cached file when present and intact. A corrupt entry (content no longer hashes to its
   * address) is deleted, so the caller downloads it again instead of trusting it forever; one
   * deleted meanwhile (another process cleaning the cache) is a miss. The content is re-hashed
   * unless its verification stamp still holds (see verifiedStampHolds).
   */
  async lookup(sha256: string, filename: string): Promise<{ path: string; size: number } | undefined> {
    const path = this.pathFor(sha256, filename);
    const info = await stat(path, { bigint: true }).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const stamp = this.stampPathFor(sha256, filename);
    if (await verifiedStampHolds(path, stamp, sha256, info)) return { path, size: Number(info.size) };
    const actual = await sha256File(path).catch((err: unknown) => {
      if (isMissing(err)) return undefined;
      throw err;
    });
    if (actual === undefined) return undefined;
    if (actual !== sha256) {
      await rm(path, { force: true });
      return undefined;
    }
    // The stat taken before hashing: a change made while hashing makes the stamp miss next time.
    await writeVerifiedStamp(stamp, sha256, info);
    return { path, size: Number(info.size) };
  }

  /**
   * Stream `body` into the cache, hashing as it goes. With `expectedSha256`, a mismatch throws
   * HASH_MISMATCH and keeps nothing; more than `limit.bytes` stops the download (INDEX_ERROR, saying
   * `limit.why`: what sets the limit). The temp file is removed on every failure. Returns the final
   * path, digest and size.
   */
  async store(
    filename: string,
    body: AsyncIterable<Uint8Array>,
    expectedSha256: string | undefined,
    onBytes: (n: number) => void,
    describe: string,
    limit: DownloadLimit = { bytes: Infinity, why: '' },
  ): Promise<{ path: string; sha256: string; size: number }> {
    const maxBytes = limit.bytes;
    const staging = pathInside(this.root, ['wheels', 'sha256', 'tmp', filename]);
    const besideFinal = expectedSha256 ? this.pathFor(expectedSha256, filename) : staging;
    const temp = tempPathBeside(besideFinal);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await mkdir(dirname(besideFinal), { recursive: true });
    } catch (err) {
      throw cacheError(this.root, err, besideFinal);
    }
    const out = createWriteStream(temp);
    // An open or write failure (ENOSPC, EACCES, the directory removed) is kept and thrown below, not left unhandled.
    let writeError: unknown;
    out.on('error', (err) => {
      writeError ??= err;
    });
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
        if (size > maxBytes) {
          throw new ResolverError(
            'INDEX_ERROR',
            `The download of ${describe} goes on past ${maxBytes} bytes, ${limit.why}. Nothing was kept.`,
          );
        }
        onBytes(size);
        if (writeError) throw writeError;
        // once() removes its listeners either way: a large download waits for drain thousands of times.
        if (!out.write(chunk)) await once(out, 'drain');
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      if (writeError) throw writeError;
    } catch (err) {
      // Wait for the close: a stream destroyed before its file was opened still creates it afterwards.
      if (!out.closed) {
        await new Promise<void>((resolve) => {
          out.once('close', () => resolve());
          out.destroy();
        });
      }
      await removeTemp(temp);
      if (err instanceof ResolverError) throw err;
      if (!reading.failed) throw cacheError(this.root, err, temp);
      const reason = err instanceof Error ? err.message : String(err);
      throw new ResolverError(
        'INDEX_ERROR',
        `The download of ${describe} broke off after ${size} bytes (${reason}). Nothing was kept; retry, and check the index or proxy if it persists.`,
        { cause: err },
      );
    }
    const sha256 = hash.digest('hex');
    if (expectedSha256 && sha256 !== expectedSha256) {
      await removeTemp(temp);
      throw new ResolverError(
        'HASH_MISMATCH',
        `Hash mismatch for ${describe}: the index says sha256=${expectedSha256} but the downloaded file has sha256=${sha256}. Nothing was kept. The file or the index may have been tampered with or corrupted in transit; retry, and report it to the index owner if it persists.`,
      );
    }
    const finalPath = this.pathFor(sha256, filename);
    try {
      await mkdir(dirname(finalPath), { recursive: true });
      await commit(temp, finalPath);
    } catch (err) {
      await removeTemp(temp);
      throw cacheError(this.root, err, finalPath);
    }
    return { path: finalPath, sha256, size };
  }
}

/**
 * Verification stamps. Re-hashing every wheel on every cache hit costs a no-op build the time of
 * reading all its wheels (seconds for torch). Instead, when a hit has been re-hashed and found
 * intact, the file's identity is recorded in `<cache>/verified/wheels/`: size,
 * mtime and ctime in nanoseconds, inode and device. A hit whose file still has that identity is the
 * same file, unchanged since it was verified: any write to it or replacement of it changes the
 * ctime (which user space cannot set back) or the inode. The stamp is trusted only when the wheel,
 * the stamp and their directories belong to this user and are writable by nobody else, so no other
 * account can swap a wheel and its stamp; otherwise (and on systems without uids) the wheel is
 * re-hashed as before. What a stamp cannot see is storage corrupting bytes without any write.
 */
interface VerifiedStamp {
  sha256: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
  dev: string;
}

function identity(sha256: string, st: BigIntStats): VerifiedStamp {
  return {
    sha256,
    size: String(st.size),
    mtimeNs: String(st.mtimeNs),
    ctimeNs: String(st.ctimeNs),
    ino: String(st.ino),
    dev: String(st.dev),
  };
}

/** Owned by this user, writable by no one else (group/other write bits clear). */
function privateToUser(st: BigIntStats): boolean {
  return typeof process.getuid === 'function' && st.uid === BigInt(process.getuid()) && (st.mode & 0o022n) === 0n;
}

async function verifiedStampHolds(path: string, stamp: string, sha256: string, info: BigIntStats): Promise<boolean> {
  if (!privateToUser(info)) return false;
  try {
    const others = await Promise.all([stamp, dirname(stamp), dirname(path)].map((p) => stat(p, { bigint: true })));
    if (!others.every(privateToUser)) return false;
    const recorded = JSON.parse(await readFile(stamp, 'utf8')) as Partial<VerifiedStamp>;
    const now = identity(sha256, info);
    return (Object.keys(now) as (keyof VerifiedStamp)[]).every((k) => recorded[k] === now[k]);
  } catch {
    return false; // no stamp, unreadable or not JSON: re-hash
  }
}

/** Best effort: a stamp that cannot be written only means the next hit re-hashes. */
async function writeVerifiedStamp(target: string, sha256: string, info: BigIntStats): Promise<void> {
  const temp = tempPathBeside(target);
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(temp, JSON.stringify(identity(sha256, info)), { mode: 0o600 });
    await commit(temp, target);
  } catch {
    await removeTemp(temp);
  }
}

/** The file or a directory on its path is gone (e.g. the cache was cleaned while a build ran). */
export function isMissing(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 'ENOENT') return true;
  }
  return false;
}

/**
 * A storage failure as a one-line CACHE_ERROR naming the file, the cache and the setting that moves
 * it (ENOSPC, EACCES, EROFS…). The cause keeps the raw error.
 */
export function cacheError(root: string, err: unknown, file?: string): ResolverError {
  if (err instanceof ResolverError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const reason =
    typeof code === 'string' ? (HINTS[code] ?? code) : err instanceof Error ? err.message.split('\n')[0] : String(err);
  const where = file ? `${file} in the artifact cache ${root}` : `the artifact cache ${root}`;
  return new ResolverError(
    'CACHE_ERROR',
    `Could not write ${where}: ${reason}. Free space or fix permissions, or point NX_PEX_CACHE_DIR (or the cacheDir option) at another directory.`,
    { cause: err },
  );
}

const HINTS: Record<string, string> = {
  ENOSPC: 'no space left on the device (ENOSPC)',
  EDQUOT: 'disk quota exceeded (EDQUOT)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  EROFS: 'read-only file system (EROFS)',
  ENOTDIR: 'a part of the path is a file, not a directory (ENOTDIR)',
  EEXIST: 'a part of the path exists and is not a directory (EEXIST)',
  ENOENT: 'the directory disappeared while writing (ENOENT)',
};
