import { fileURLToPath } from 'node:url';
import { isMissing } from '../cache/wheel-cache.js';
import { debug } from '../debug.js';
import type { Candidate } from '../fetch/candidates.js';
import type { LocalArtifact } from '../fetch/local-artifact.js';
import type { HttpClient } from '../http/client.js';
import { displayUrl } from '../http/urls.js';
import { parseCoreMetadata, type CoreMetadata } from './core-metadata.js';
import { MetadataPacks, type Headers } from './metadata-packs.js';
import { readByRanges, readPep658, type RemoteMetadata } from './remote-metadata.js';
import { readWheelMetadata } from './wheel-metadata.js';

/** Where a wheel's metadata came from (for tests and progress). */
export type MetadataOrigin =
  'metadata-cache' | 'range-cache' | 'wheel-cache' | 'local-file' | 'pep658' | 'range' | 'download';

/**
 * A wheel's core metadata for resolution, as cheaply as possible (the caches are the project's
 * metadata pack, see metadata-packs.ts):
 * 1. the metadata of a verified wheel with that sha256,
 * 2. the wheel itself when it is local (file://), cached PEP 658 metadata (keyed by the metadata
 *    file's own advertised sha256), or the wheel when already in the wheel cache,
 * 3. PEP 658 / PEP 714 `<url>.metadata` when the index advertises it (hash-checked),
 * 4. METADATA read from the wheel by HTTP range requests on its central directory (cached per wheel
 *    URL and advertised sha256),
 * 5. a full download, when the server ignores Range (remembered per origin) or the archive is odd.
 */
export class MetadataSource {
  private readonly inFlight = new Map<string, Promise<CoreMetadata>>();
  private readonly noRangeOrigins = new Set<string>();
  /**
   * Metadata read from the index (PEP 658 or ranges) waits here, keyed by the wheel sha256 the index
   * advertised, until a wheel with that sha256 is verified: only then is it cached on disk, so an index
   * that lies about a hash cannot leave metadata under a sha256 the wheel does not have.
   */
  private readonly unconfirmed = new Map<string, { project: string; headers: Headers }>();
  private readonly packs: MetadataPacks;

  constructor(
    private readonly http: HttpClient,
    cacheRoot: string,
    private readonly cachedWheel: (candidate: Candidate) => Promise<string | undefined>,
  ) {
    this.packs = new MetadataPacks(cacheRoot);
  }

  get(project: string, candidate: Candidate, download: () => Promise<LocalArtifact>): Promise<CoreMetadata> {
    const key = candidate.file.url;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.load(project, candidate, download);
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async load(
    project: string,
    candidate: Candidate,
    download: () => Promise<LocalArtifact>,
  ): Promise<CoreMetadata> {
    const { file } = candidate;
    const sha256 = file.hashes.sha256;
    const cached = sha256 ? await this.packs.verified(project, sha256) : undefined;
    if (cached !== undefined) return this.found(file.filename, 'metadata-cache', parseCoreMetadata(cached.headers));
    if (file.url.startsWith('file:'))
      return this.found(
        file.filename,
        'local-file',
        await readWheelMetadata(fileURLToPath(file.url), project, file.filename),
      );
    const metadataSha256 = file.coreMetadata ? file.coreMetadata.hashes.sha256 : undefined;
    const stored = metadataSha256 ? await this.packs.pep658(project, metadataSha256) : undefined;
    if (stored !== undefined) {
      if (sha256) this.unconfirmed.set(sha256, { project, headers: stored });
      return this.found(file.filename, 'metadata-cache', parseCoreMetadata(stored.headers));
    }
    const local = await this.cachedWheel(candidate);
    // A cached wheel deleted meanwhile (the cache cleaned during a build) is a miss, not an error.
    const fromCache = local
      ? await readWheelMetadata(local, project, file.filename).catch((err: unknown) => {
          if (isMissing(err)) return undefined;
          throw err;
        })
      : undefined;
    if (fromCache) return this.found(file.filename, 'wheel-cache', fromCache);
    const describe = `${file.filename} (${project}) from ${displayUrl(file.url)}`;
    let read: RemoteMetadata | undefined;
    let origin: MetadataOrigin = 'pep658';
    if (file.coreMetadata) {
      read = await readPep658(this.http, file.url, metadataSha256, describe);
      if (metadataSha256) this.packs.addPep658(project, metadataSha256, read);
    } else {
      const ranged = sha256 ? await this.packs.ranged(project, file.url, sha256) : undefined;
      if (ranged !== undefined) {
        origin = 'range-cache';
        read = { ...ranged, metadata: parseCoreMetadata(ranged.headers) };
      } else if (!this.noRangeOrigins.has(new URL(file.url).origin)) {
        origin = 'range';
        const answer = await readByRanges(this.http, file.url, project, describe);
        if ('metadata' in answer) {
          read = answer;
          if (sha256) this.packs.addRanged(project, file.url, sha256, read);
        } else if (answer.fallback === 'no-range') this.noRangeOrigins.add(new URL(file.url).origin);
      }
    }
    if (read === undefined) {
      const artifact = await download();
      return this.found(file.filename, 'download', {
        requiresDist: artifact.requiresDist,
        providesExtra: [],
        ...(artifact.requiresPython ? { requiresPython: artifact.requiresPython } : {}),
      });
    }
    if (sha256) this.unconfirmed.set(sha256, { project, headers: { headers: read.headers, digest: read.digest } });
    return this.found(file.filename, origin, read.metadata);
  }

  /** Where each release's metadata came from, for `NODE_DEBUG=nx-pex` (why a resolve made the requests it made). */
  private found(filename: string, origin: MetadataOrigin, metadata: CoreMetadata): CoreMetadata {
    debug('metadata of %s: %s', filename, origin);
    return metadata;
  }

  /** A wheel with this sha256 was downloaded and verified: its metadata read earlier may now be cached. */
  confirm(sha256: string): void {
    const read = this.unconfirmed.get(sha256);
    if (read === undefined) return;
    this.unconfirmed.delete(sha256);
    this.packs.addVerified(read.project, sha256, read.headers);
  }

  /** Write what this session added to the cache (see `MetadataPacks.flush`). */
  settled(): Promise<void> {
    return this.packs.flush();
  }
}
