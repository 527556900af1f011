import { defaultCacheDir } from '../cache/dir.js';
import type { IndexConfig } from '../config/index-config.js';
import { Downloader } from '../fetch/downloader.js';
import { mapLimit } from '../fetch/limit.js';
import type { FetchProgress, LocalArtifact } from '../fetch/local-artifact.js';
import { parseWheelFilename } from '../filename/wheel.js';
import { HttpClient, httpOptionsFor, type HttpOptions } from '../http/client.js';
import { Version } from '../pep440/version.js';
import type { LockedArtifact } from './model.js';

export interface FetchLockedOptions {
  /** Only for credentials: URLs on the origin of an index or find-links URL with userinfo get them. */
  index?: IndexConfig;
  cacheDir?: string;
  onProgress?: (p: FetchProgress) => void;
  http?: HttpOptions;
}

const CONCURRENCY = 8;

/**
 * Make the locked wheels local: a verified cache hit (by sha256) needs no network; otherwise the
 * wheel is downloaded from its locked URL and its sha256 checked (HASH_MISMATCH keeps nothing).
 * Results keep the input order.
 */
export async function fetchLocked(artifacts: LockedArtifact[], options: FetchLockedOptions = {}): Promise<LocalArtifact[]> {
  const http = new HttpClient(httpOptionsFor(options.http, options.index));
  const { index } = options;
  if (index) for (const url of [index.indexUrl, ...index.extraIndexUrls, ...index.findLinks]) http.credentials.register(url);
  let done = 0;
  const total = artifacts.length;
  const downloader = new Downloader(http, options.cacheDir ?? defaultCacheDir(), (project, bytes) =>
    options.onProgress?.({ phase: 'download', project, done, total, bytes }));
  try {
    return await mapLimit(artifacts, CONCURRENCY, async (a) => {
      const local = await downloader.fetch(a.name, {
        // The lock's size bounds the download (a source that never ends is cut off).
        file: { filename: a.filename, url: http.credentials.register(a.url), hashes: { sha256: a.sha256 }, yanked: false, coreMetadata: false, source: 'the lock', ...(a.size !== undefined ? { size: a.size } : {}) },
        version: Version.parse(a.version),
        wheel: parseWheelFilename(a.filename),
      });
      options.onProgress?.({ phase: 'download', project: a.name, done: ++done, total, bytes: local.size });
      return local;
    });
  } finally {
    await http.close();
  }
}
