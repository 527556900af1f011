import { defaultCacheDir } from '../cache/dir.js';
import type { IndexConfig } from '../config/index-config.js';
import { Downloader } from '../fetch/downloader.js';
import { mapLimit } from '@nx-pex/common';
import type { FetchProgress, LocalArtifact } from '../fetch/local-artifact.js';
import { parseSdistFilename, sdistFilenameProblem } from '../filename/sdist.js';
import { parseWheelFilename } from '../filename/wheel.js';
import { ResolverError } from '../errors.js';
import type { SdistBuilder } from '../build/sdist-builder.js';
import { sdistNeedsPython } from '../build/messages.js';
import { sdistBuilder } from '../fetch/fetch-artifacts.js';
import { HttpClient, httpOptionsFor, type HttpOptions } from '../http/client.js';
import { Version } from '../pep440/version.js';
import type { IndexFile } from '../index/types.js';
import type { LockedArtifact } from './model.js';

export interface FetchLockedOptions {
  /**
   * Credentials: URLs on the origin of an index or find-links URL with userinfo get them. With
   * `sdistPython`, also where build requirements of locked sdists come from.
   */
  index?: IndexConfig;
  /**
   * The target's own interpreter, to build locked sdists (PEP 751 `sdist` entries, selected when no
   * wheel fits) with; the wheel is cached by the sdist's sha256, so only the first build runs the
   * backend. Unset: a locked sdist is SDIST_NEEDS_PYTHON naming the package.
   */
  sdistPython?: string;
  cacheDir?: string;
  onProgress?: (p: FetchProgress) => void;
  http?: HttpOptions;
}

const CONCURRENCY = 8;

/**
 * Make the locked wheels local: a verified cache hit (by sha256) needs no network; otherwise the
 * wheel is downloaded from its locked URL and its sha256 checked (HASH_MISMATCH keeps nothing).
 * A locked sdist (a `.tar.gz` artifact) is fetched and verified the same way, then built with
 * `sdistPython` (or taken from the built-wheel cache). Results keep the input order.
 */
export async function fetchLocked(
  artifacts: LockedArtifact[],
  options: FetchLockedOptions = {},
): Promise<LocalArtifact[]> {
  const http = new HttpClient(httpOptionsFor(options.http, options.index));
  const { index } = options;
  if (index)
    for (const url of [index.indexUrl, ...index.extraIndexUrls, ...index.findLinks]) http.credentials.register(url);
  let builder: SdistBuilder | undefined;
  const buildLocked = async (a: LockedArtifact, file: IndexFile): Promise<LocalArtifact> => {
    if (!options.sdistPython) throw sdistNeedsPython(`${a.name} ${a.version} (${a.filename} in the lock)`, undefined);
    if (!index)
      throw new ResolverError(
        'INVALID_CONFIG',
        `fetchLocked needs the index configuration (index) to fetch the build requirements of ${a.filename}.`,
      );
    const stored = await downloader.stored(a.name, { file, version: Version.parse(a.version) });
    builder ??= sdistBuilder(options.sdistPython, { index, cacheDir, http: options.http });
    return builder.artifact({
      name: a.name,
      version: a.version,
      path: stored.path,
      filename: a.filename,
      sha256: stored.sha256,
      url: a.url,
    });
  };
  let done = 0;
  const total = artifacts.length;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  // The downloader reports bytes only for what it fetches: a project absent here came from the cache.
  const fetched = new Set<string>();
  const downloader = new Downloader(http, cacheDir, (project, bytes) => {
    fetched.add(project);
    options.onProgress?.({ phase: 'download', project, done, total, bytes });
  });
  try {
    return await mapLimit(artifacts, CONCURRENCY, async (a) => {
      // The lock's size bounds the download (a source that never ends is cut off).
      const file: IndexFile = {
        filename: a.filename,
        url: http.credentials.register(a.url),
        hashes: { sha256: a.sha256 },
        yanked: false,
        coreMetadata: false,
        source: 'the lock',
        ...(a.size !== undefined ? { size: a.size } : {}),
      };
      // A locked sdist is built; anything else must be a wheel filename (INVALID_FILENAME otherwise).
      const local =
        !sdistFilenameProblem(a.filename) && parseSdistFilename(a.filename, a.name)
          ? await buildLocked(a, file)
          : await downloader.fetch(a.name, {
              file,
              version: Version.parse(a.version),
              wheel: parseWheelFilename(a.filename),
            });
      const cached = !fetched.has(a.name);
      options.onProgress?.({ phase: 'download', project: a.name, done: ++done, total, bytes: local.size, cached });
      return local;
    });
  } finally {
    await http.close();
  }
}
