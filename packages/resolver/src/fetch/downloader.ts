import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cacheError, WheelCache } from '../cache/wheel-cache.js';
import { ResolverError } from '../errors.js';
import type { HttpClient } from '../http/client.js';
import { readWheelMetadata } from '../metadata/wheel-metadata.js';
import type { Candidate } from './candidates.js';
import type { LocalArtifact } from './local-artifact.js';

/** Downloads wheels into the content-addressed cache (once per URL per run) and reads their metadata. */
export class Downloader {
  private readonly cache: WheelCache;
  private readonly inFlight = new Map<string, Promise<LocalArtifact>>();

  constructor(private readonly http: HttpClient, cacheDir: string, private readonly onBytes: (project: string, bytes: number) => void) {
    this.cache = new WheelCache(cacheDir);
  }

  /** The cached wheel of `candidate` when its sha256 is known and the cache holds it intact. */
  async cachedPath(candidate: Candidate): Promise<string | undefined> {
    const sha256 = candidate.file.hashes.sha256;
    return sha256 ? (await this.cache.lookup(sha256, candidate.file.filename))?.path : undefined;
  }

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
    const { file } = candidate;
    const expected = file.hashes.sha256;
    const describe = `${file.filename} (${project}) from ${file.url}`;
    const hit = expected ? await this.cache.lookup(expected, file.filename) : undefined;
    if (hit && expected) return { path: hit.path, size: hit.size, sha256: expected };
    const store = (body: AsyncIterable<Uint8Array>) =>
      this.cache.store(file.filename, body, expected, (n) => this.onBytes(project, n), describe).catch((err: unknown) => {
        throw err instanceof ResolverError ? err : cacheError(this.cache.root, err);
      });
    const result = file.url.startsWith('file:')
      ? await store(openLocal(file.url, describe))
      : await this.http.get(file.url, '*/*', describe, (res) => store(res.body));
    return { path: result.path, size: result.size, sha256: result.sha256 };
  }

  private async download(project: string, candidate: Candidate): Promise<LocalArtifact> {
    const { file } = candidate;
    const stored = await this.stored(project, candidate);
    const sha256 = stored.sha256;
    const metadata = await readWheelMetadata(stored.path, project, file.filename);
    const requiresPython = metadata.requiresPython ?? file.requiresPython;
    return {
      name: candidate.wheel?.name ?? project,
      version: candidate.version.toString(),
      filename: file.filename,
      path: stored.path,
      sha256,
      size: stored.size,
      url: file.url,
      requiresDist: metadata.requiresDist,
      ...(requiresPython ? { requiresPython } : {}),
    };
  }
}

async function* openLocal(url: string, describe: string): AsyncIterable<Uint8Array> {
  try {
    yield* createReadStream(fileURLToPath(url));
  } catch (err) {
    throw new ResolverError('INDEX_ERROR', `Could not read ${describe}: ${(err as Error).message}. Check the file index / find-links directory.`, { cause: err });
  }
}
