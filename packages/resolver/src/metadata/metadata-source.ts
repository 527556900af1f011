import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commit, tempPathBeside } from '@nx-pex/common';
import { pathInside } from '../cache/paths.js';
import { isMissing } from '../cache/wheel-cache.js';
import { ResolverError } from '../errors.js';
import { debug } from '../debug.js';
import type { Candidate } from '../fetch/candidates.js';
import type { LocalArtifact } from '../fetch/local-artifact.js';
import type { HttpClient } from '../http/client.js';
import { readBody } from '../http/body.js';
import { describeLimit, SETTINGS } from '../http/settings.js';
import { redactUrl } from '../http/credentials.js';
import { displayUrl } from '../http/urls.js';
import { parseCoreMetadata, type CoreMetadata } from './core-metadata.js';
import { readWheelMetadata } from './wheel-metadata.js';
import { readMetadataByRanges, UnsupportedZip, type ByteRange } from './zip-ranges.js';

/** A metadata file or range answer, at most the page limit (HttpLimits.maxPageBytes). */
function readAll(body: AsyncIterable<Uint8Array>, what: string, maxBytes: number): Promise<Buffer> {
  return readBody(
    body,
    what,
    maxBytes,
    (limit) =>
      new ResolverError(
        'INDEX_ERROR',
        `${what} is larger than ${describeLimit('maxPageBytes', limit)}. The index is wrong or hostile; raise ${SETTINGS.maxPageBytes.env} only if you trust it.`,
      ),
  );
}

/** Where a wheel's metadata came from (for tests and progress). */
export type MetadataOrigin =
  'metadata-cache' | 'range-cache' | 'wheel-cache' | 'local-file' | 'pep658' | 'range' | 'download';

/**
 * A wheel's core metadata for resolution, as cheaply as possible:
 * 1. the metadata cache (`<cache>/metadata/sha256/<aa>/<wheel sha256>.metadata`),
 * 2. the wheel itself when it is local (file://), the PEP 658 metadata cache (keyed by the metadata
 *    file's own advertised sha256), or the wheel when already in the wheel cache,
 * 3. PEP 658 / PEP 714 `<url>.metadata` when the index advertises it (hash-checked),
 * 4. METADATA read from the wheel by HTTP range requests on its central directory (cached per wheel
 *    URL and advertised sha256, see `rangePath`),
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
  private readonly unconfirmed = new Map<string, string>();

  constructor(
    private readonly http: HttpClient,
    private readonly cacheRoot: string,
    private readonly cachedWheel: (candidate: Candidate) => Promise<string | undefined>,
  ) {}

  get(project: string, candidate: Candidate, download: () => Promise<LocalArtifact>): Promise<CoreMetadata> {
    const key = candidate.file.url;
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.load(project, candidate, download);
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private cachePath(sha256: string): string {
    return pathInside(this.cacheRoot, ['metadata', 'sha256', sha256.slice(0, 2), `${sha256}.metadata`]);
  }

  /**
   * PEP 658 metadata files content-addressed by their own sha256 (the one the index advertises for
   * `<url>.metadata`): `<cache>/pep658-metadata/sha256/<aa>/<sha256>.metadata`. An entry is only used
   * when its bytes still hash to its name, so it never vouches for anything but itself: warm
   * resolutions reuse metadata without downloading wheels and without trusting the wheel hash.
   */
  private pep658Path(sha256: string): string {
    return pathInside(this.cacheRoot, ['pep658-metadata', 'sha256', sha256.slice(0, 2), `${sha256}.metadata`]);
  }

  /** Whether each cache area existed when this source first looked (see `readCached`). */
  private readonly areas = new Map<string, Promise<boolean>>();

  /**
   * A cache entry's bytes, or undefined. An area (`metadata`, `pep658-metadata`, `range-metadata`)
   * missing when first looked at is not read again: with a cold cache every metadata read would
   * otherwise fail to open two or three files first. What this source writes meanwhile it also
   * holds in memory (by URL), and another process's new entries only save a request.
   */
  private async readCached(area: string, path: string): Promise<Buffer | undefined> {
    let present = this.areas.get(area);
    if (!present) {
      present = stat(join(this.cacheRoot, area)).then(
        (s) => s.isDirectory(),
        () => false,
      );
      this.areas.set(area, present);
    }
    if (!(await present)) return undefined;
    return readFile(path).catch(() => undefined);
  }

  private async readPep658(sha256: string): Promise<string | undefined> {
    const data = await this.readCached('pep658-metadata', this.pep658Path(sha256));
    if (!data || createHash('sha256').update(data).digest('hex') !== sha256) return undefined;
    return data.toString('utf8');
  }

  /**
   * METADATA read by range requests, for indexes without PEP 658: nothing vouches for those bytes but
   * the index that served them, so an entry is keyed by what that index said — the wheel's URL
   * (without credentials; it names the index's origin) and the sha256 it advertised — and is used only
   * when a later page says the same thing about the same file:
   * `<cache>/range-metadata/<aa>/<sha256 of [url, wheel sha256]>.json`. A lying index can only mislead
   * itself (as its live answers could); the entry is never taken as metadata of a verified wheel (the
   * sha256-keyed cache above is written only by `confirm`). The entry holds the metadata's own sha256,
   * so a damaged file is a miss.
   */
  private rangePath(url: string, sha256: string): string {
    const key = createHash('sha256')
      .update(JSON.stringify([redactUrl(url), sha256]))
      .digest('hex');
    return pathInside(this.cacheRoot, ['range-metadata', key.slice(0, 2), `${key}.json`]);
  }

  private async readRanged(url: string, sha256: string): Promise<string | undefined> {
    const data = (await this.readCached('range-metadata', this.rangePath(url, sha256)))?.toString('utf8');
    if (data === undefined) return undefined;
    try {
      const entry = JSON.parse(data) as {
        url?: unknown;
        sha256?: unknown;
        metadataSha256?: unknown;
        metadata?: unknown;
      };
      if (entry.url !== redactUrl(url) || entry.sha256 !== sha256 || typeof entry.metadata !== 'string')
        return undefined;
      return createHash('sha256').update(entry.metadata).digest('hex') === entry.metadataSha256
        ? entry.metadata
        : undefined;
    } catch {
      return undefined;
    }
  }

  private async load(
    project: string,
    candidate: Candidate,
    download: () => Promise<LocalArtifact>,
  ): Promise<CoreMetadata> {
    const { file } = candidate;
    const sha256 = file.hashes.sha256;
    const cached = sha256 ? (await this.readCached('metadata', this.cachePath(sha256)))?.toString('utf8') : undefined;
    if (cached !== undefined) return this.found(file.filename, 'metadata-cache', parseCoreMetadata(cached));
    if (file.url.startsWith('file:'))
      return this.found(
        file.filename,
        'local-file',
        await readWheelMetadata(fileURLToPath(file.url), project, file.filename),
      );
    const metadataSha256 = file.coreMetadata ? file.coreMetadata.hashes.sha256 : undefined;
    const stored = metadataSha256 ? await this.readPep658(metadataSha256) : undefined;
    if (stored !== undefined) {
      if (sha256) this.unconfirmed.set(sha256, stored);
      return this.found(file.filename, 'metadata-cache', parseCoreMetadata(stored));
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
    let text: string | undefined;
    let origin: MetadataOrigin = 'pep658';
    if (file.coreMetadata) {
      text = await this.pep658(file.url, file.coreMetadata.hashes, describe);
      if (metadataSha256) this.keep(this.pep658Path(metadataSha256), text);
    } else {
      const ranged = sha256 ? await this.readRanged(file.url, sha256) : undefined;
      if (ranged !== undefined) {
        origin = 'range-cache';
        text = ranged;
      } else if (!this.noRangeOrigins.has(new URL(file.url).origin)) {
        origin = 'range';
        text = await this.byRanges(file.url, project, describe);
        if (text !== undefined && sha256) {
          const entry = {
            url: redactUrl(file.url),
            sha256,
            metadataSha256: createHash('sha256').update(text).digest('hex'),
            metadata: text,
          };
          this.keep(this.rangePath(file.url, sha256), JSON.stringify(entry));
        }
      }
    }
    if (text === undefined) {
      const artifact = await download();
      return this.found(file.filename, 'download', {
        requiresDist: artifact.requiresDist,
        providesExtra: [],
        ...(artifact.requiresPython ? { requiresPython: artifact.requiresPython } : {}),
      });
    }
    if (sha256) this.unconfirmed.set(sha256, text);
    return this.found(file.filename, origin, parseCoreMetadata(text));
  }

  /** Where each release's metadata came from, for `NODE_DEBUG=nx-pex` (why a resolve made the requests it made). */
  private found(filename: string, origin: MetadataOrigin, metadata: CoreMetadata): CoreMetadata {
    debug('metadata of %s: %s', filename, origin);
    return metadata;
  }

  /** PEP 658: the metadata file is the distribution's URL plus `.metadata`; its hash is advertised. */
  private async pep658(url: string, hashes: Record<string, string>, describe: string): Promise<string> {
    const max = this.http.limits.maxPageBytes;
    const data = await this.http.get(
      `${url}.metadata`,
      '*/*',
      `the metadata of ${describe}`,
      (res) => readAll(res.body, `the metadata of ${describe}`, max),
      { kind: 'page' },
    );
    const expected = hashes.sha256;
    if (expected) {
      const actual = createHash('sha256').update(data).digest('hex');
      if (actual !== expected) {
        throw new ResolverError(
          'HASH_MISMATCH',
          `Hash mismatch for the PEP 658 metadata of ${describe}: the index says sha256=${expected} but it has sha256=${actual}. The index may be corrupted or tampered with; report it to the index owner.`,
        );
      }
    }
    return data.toString('utf8');
  }

  /** METADATA by range requests; undefined (→ full download) when Range is ignored or the archive is unusual. */
  private async byRanges(url: string, project: string, describe: string): Promise<string | undefined> {
    const fetchRange = (start: number, end?: number): Promise<ByteRange | undefined> =>
      this.http.get(
        url,
        '*/*',
        `part of ${describe}`,
        async (res) => {
          const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.contentRange ?? '');
          if (res.statusCode !== 206 || !range) {
            await res.discard();
            return undefined;
          }
          return {
            start: Number(range[1]),
            data: await readAll(res.body, `part of ${describe}`, this.http.limits.maxPageBytes),
            total: Number(range[3]),
          };
        },
        { headers: { range: start < 0 ? `bytes=${start}` : `bytes=${start}-${end ?? ''}` }, kind: 'page' },
      );
    try {
      const text = await readMetadataByRanges(fetchRange, project);
      if (text === undefined) this.noRangeOrigins.add(new URL(url).origin);
      return text;
    } catch (err) {
      if (err instanceof UnsupportedZip || (err instanceof ResolverError && err.code === 'INDEX_ERROR'))
        return undefined;
      throw err;
    }
  }

  /** A wheel with this sha256 was downloaded and verified: its metadata read earlier may now be cached. */
  async confirm(sha256: string): Promise<void> {
    const text = this.unconfirmed.get(sha256);
    if (text === undefined) return;
    this.unconfirmed.delete(sha256);
    await this.store(this.cachePath(sha256), text);
  }

  /** Cache writes under way (see `keep`). */
  private readonly writes = new Set<Promise<void>>();
  /** Directories this source created or found: a cold backtracking walk stores hundreds of entries. */
  private readonly dirs = new Set<string>();

  /**
   * Store an entry without making the caller wait (the metadata is already in hand); `settled`
   * waits for these writes, so a session that closes leaves nothing still writing to the cache.
   */
  private keep(path: string, text: string): void {
    const write = this.store(path, text);
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  /** Every cache write started so far has finished. */
  async settled(): Promise<void> {
    while (this.writes.size) await Promise.allSettled([...this.writes]);
  }

  private async store(path: string, text: string): Promise<void> {
    const dir = dirname(path);
    try {
      if (!this.dirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        this.dirs.add(dir);
      }
      const temp = tempPathBeside(path);
      await writeFile(temp, text);
      await commit(temp, path);
    } catch {
      // The metadata cache is an optimisation: a read-only cache only costs another request next time.
      this.dirs.delete(dir); // removed meanwhile (a cache cleaned during a build): create it again next time
    }
  }
}
