import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMissing, WheelCache, type DownloadLimit } from '../cache/wheel-cache.js';
import { debug } from '../debug.js';
import { ResolverError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { describeLimit } from '../http/settings.js';
import { displayUrl } from '../http/urls.js';
import { readWheelMetadata } from '../metadata/wheel-metadata.js';
import type { Candidate } from './candidates.js';
import type { LocalArtifact } from './local-artifact.js';

// Slack over a recorded size before a download is cut off (one read chunk).
const SIZE_MARGIN = 64 * 1024;
// Attempts when cache files keep disappearing under a build.
const MISSING_ATTEMPTS = 3;

/** Downloads wheels into the content-addressed cache (once per URL per run) and reads their metadata. */
export class Downloader {
  private readonly cache: WheelCache;
  private readonly inFlight = new Map<string, Promise<LocalArtifact>>();

  constructor(
    private readonly http: HttpClient,
    cacheDir: string,
    private readonly onBytes: (project: string, bytes: number) => void,
  ) {
    this.cache = new WheelCache(cacheDir);
  }

  /** The cached wheel of `candidate` when its sha256 is known and the cache holds it intact. */
  async cachedPath(candidate: Candidate): Promise<string | undefined> {
    const sha256 = candidate.file.hashes.sha256;
    if (!sha256) return undefined;
    // A resolve asks this for every release whose metadata it reads (hundreds while backtracking):
    // with no wheel cache yet and nothing stored by this run, there is nothing to look up.
    this.cacheExisted ??= stat(join(this.cache.root, 'wheels')).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!this.storing && !(await this.cacheExisted)) return undefined;
    return (await this.cache.lookup(sha256, candidate.file.filename))?.path;
  }

  /** Whether the wheel cache existed when first looked at (see `cachedPath`). */
  private cacheExisted: Promise<boolean> | undefined;
  /** Set once this downloader starts storing a wheel: from then on the cache is always looked up. */
  private storing = false;

  fetch(project: string, candidate: Candidate): Promise<LocalArtifact> {
    const key = candidate.file.url;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.download(project, candidate);
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  /** The file of `candidate` in the cache (downloaded and verified once per run), without reading it. */
  stored(project: string, candidate: Candidate): Promise<{ path: string; size: number; sha256: string }> {
    const key = `raw ${candidate.file.url}`;
    let pending = this.rawInFlight.get(key);
    if (!pending) {
      pending = this.store(project, candidate);
      this.rawInFlight.set(key, pending);
    }
    return pending;
  }

  private readonly rawInFlight = new Map<string, Promise<{ path: string; size: number; sha256: string }>>();

  private async store(project: string, candidate: Candidate): Promise<{ path: string; size: number; sha256: string }> {
    this.storing = true;
    return this.retryMissing(candidate.file.filename, () => this.storeOnce(project, candidate));
  }

  private async storeOnce(
    project: string,
    candidate: Candidate,
  ): Promise<{ path: string; size: number; sha256: string }> {
    const { file } = candidate;
    const expected = file.hashes.sha256;
    const describe = `${file.filename} (${project}) from ${displayUrl(file.url)}`;
    const hit = expected ? await this.cache.lookup(expected, file.filename) : undefined;
    if (hit && expected) return { path: hit.path, size: hit.size, sha256: expected };
    // The recorded (lock) or advertised (PEP 700) size bounds the download, with a little slack so the
    // message says "too large" rather than a bare hash mismatch when an index rounds; without one,
    // the largest file the settings allow.
    const max = this.http.limits.maxFileBytes;
    const limit: DownloadLimit =
      file.size === undefined
        ? {
            bytes: max,
            why: `the most a file may have (${describeLimit('maxFileBytes', max)}); raise it only if the file is really that large`,
          }
        : {
            bytes: file.size + SIZE_MARGIN,
            why: "more than its recorded size allows; the index, the lock's size or the file is wrong",
          };
    const store = (body: AsyncIterable<Uint8Array>, bound: DownloadLimit) =>
      this.cache.store(file.filename, body, expected, (n) => this.onBytes(project, n), describe, bound);
    const result = file.url.startsWith('file:')
      ? await openLocal(file.url, describe).then(({ body, size }) =>
          store(
            body,
            size + SIZE_MARGIN < limit.bytes
              ? { bytes: size + SIZE_MARGIN, why: 'more than the file had when it was opened' }
              : limit,
          ),
        )
      : await this.http.get(file.url, '*/*', describe, async (res) => {
          if (res.contentLength !== undefined && res.contentLength > limit.bytes) {
            await res.discard();
            throw new ResolverError(
              'INDEX_ERROR',
              file.size === undefined
                ? `${describe} is ${res.contentLength} bytes, more than a file may have (${describeLimit('maxFileBytes', max)}). Nothing was downloaded; raise the limit only if the file is really that large.`
                : `${describe} is ${res.contentLength} bytes, but its recorded size is ${file.size}. Nothing was downloaded; the index or the lock is wrong.`,
            );
          }
          return store(res.body, limit);
        });
    return { path: result.path, size: result.size, sha256: result.sha256 };
  }

  /**
   * Run `work` again when a cache file or directory it used was deleted meanwhile (another process
   * cleaning the cache during a build): re-fetch rather than fail with a raw ENOENT.
   */
  private async retryMissing<T>(filename: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        const fromCache =
          !(err instanceof ResolverError) || err.code === 'CACHE_ERROR' || err.code === 'METADATA_ERROR';
        if (!fromCache || !isMissing(err)) throw err;
        if (attempt >= MISSING_ATTEMPTS) {
          throw new ResolverError(
            'CACHE_ERROR',
            `${filename} was deleted from the artifact cache ${this.cache.root} while in use, ${attempt} times in a row. Is another process cleaning the cache (NX_PEX_CACHE_DIR)? Retry when it is done.`,
            { cause: err },
          );
        }
        debug('%s disappeared from the cache while in use; fetching it again', filename);
      }
    }
  }

  private async download(project: string, candidate: Candidate): Promise<LocalArtifact> {
    const { file } = candidate;
    const key = `raw ${file.url}`;
    const { stored, metadata } = await this.retryMissing(file.filename, async () => {
      const stored = await this.stored(project, candidate);
      try {
        return { stored, metadata: await readWheelMetadata(stored.path, project, file.filename) };
      } catch (err) {
        if (isMissing(err)) this.rawInFlight.delete(key); // fetch it again, not the memo of the deleted file
        throw err;
      }
    });
    const requiresPython = metadata.requiresPython ?? file.requiresPython;
    return {
      name: candidate.wheel?.name ?? project,
      version: candidate.version.toString(),
      filename: file.filename,
      path: stored.path,
      sha256: stored.sha256,
      size: stored.size,
      url: file.url,
      requiresDist: metadata.requiresDist,
      ...(requiresPython ? { requiresPython } : {}),
    };
  }
}

/**
 * A file:// distribution as a stream with its size. Only a regular file is read: a FIFO or a device
 * (/dev/zero) named by a lock or a local index would never end.
 */
async function openLocal(url: string, describe: string): Promise<{ body: AsyncIterable<Uint8Array>; size: number }> {
  const path = fileURLToPath(url);
  const info = await stat(path).catch((err: unknown) => {
    throw new ResolverError(
      'INDEX_ERROR',
      `Could not read ${describe}: ${(err as Error).message}. Check the file index / find-links directory or the lock.`,
      { cause: err },
    );
  });
  if (!info.isFile()) {
    throw new ResolverError(
      'INDEX_ERROR',
      `${describe} is not a regular file (a directory, device or pipe). Point the index, find-links or lock at the distribution file itself.`,
    );
  }
  async function* body(): AsyncIterable<Uint8Array> {
    try {
      yield* createReadStream(path);
    } catch (err) {
      throw new ResolverError(
        'INDEX_ERROR',
        `Could not read ${describe}: ${(err as Error).message}. Check the file index / find-links directory.`,
        { cause: err },
      );
    }
  }
  return { body: body(), size: info.size };
}
