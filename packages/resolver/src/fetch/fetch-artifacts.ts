import type { IndexConfig } from '../config/index-config.js';
import { defaultCacheDir } from '../cache/dir.js';
import { ResolverError } from '../errors.js';
import { HttpClient, type HttpOptions } from '../http/client.js';
import { IndexClient } from '../index/client.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { Version } from '../pep440/version.js';
import { releasesOf, type Release } from './candidates.js';
import { Downloader } from './downloader.js';
import { mapLimit } from './limit.js';
import type { FetchProgress, LocalArtifact } from './local-artifact.js';
import { parsePin, type Pin } from './pin.js';

export interface FetchOptions {
  requirements: string[];
  index: IndexConfig;
  target: TargetInterpreter;
  cacheDir?: string;
  onProgress?: (p: FetchProgress) => void;
  /** Retries, backoff and timeouts of the HTTP client. */
  http?: HttpOptions;
}

const CONCURRENCY = 8;

/** Everything one fetch run shares: the HTTP client, index client, downloader and progress counters. */
export class FetchSession {
  readonly http: HttpClient;
  readonly index: IndexClient;
  readonly downloader: Downloader;
  readonly pythonVersion: Version;
  private readonly releases = new Map<string, Promise<Release[]>>();
  private pagesDone = 0;
  pagesTotal = 0;
  downloadsDone = 0;
  downloadsTotal = 0;

  constructor(private readonly options: FetchOptions) {
    this.http = new HttpClient(options.http);
    this.index = new IndexClient(this.http, options.index);
    const cacheDir = options.cacheDir ?? defaultCacheDir();
    this.downloader = new Downloader(this.http, cacheDir, (project, bytes) =>
      this.progress({ phase: 'download', project, done: this.downloadsDone, total: this.downloadsTotal, bytes }));
    this.pythonVersion = Version.parse(options.target.version.join('.'));
  }

  progress(p: FetchProgress): void {
    this.options.onProgress?.(p);
  }

  /** The releases of `project` usable by the target, newest first (one index round per project per run). */
  releasesOf(project: string): Promise<Release[]> {
    let pending = this.releases.get(project);
    if (!pending) {
      this.pagesTotal++;
      pending = this.index.projectFiles(project).then((files) => {
        this.pagesDone++;
        this.progress({ phase: 'index', project, done: this.pagesDone, total: this.pagesTotal });
        return releasesOf(files, project, this.options.target.tags, this.pythonVersion);
      });
      this.releases.set(project, pending);
    }
    return pending;
  }

  async download(project: string, release: Release): Promise<LocalArtifact> {
    if (!release.best) throw noWheel(project, release, this);
    const artifact = await this.downloader.fetch(project, release.best);
    this.downloadsDone++;
    this.progress({ phase: 'download', project, done: this.downloadsDone, total: this.downloadsTotal, bytes: artifact.size });
    return artifact;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

export function noWheel(project: string, release: Release, session: FetchSession): ResolverError {
  const where = session.index.describeSources();
  if (release.incompatibleWheels.length) {
    return new ResolverError('NO_COMPATIBLE_WHEEL', `No wheel of ${project} ${release.version} fits the target interpreter (CPython ${session.pythonVersion}). Available wheels: ${release.incompatibleWheels.join(', ')} (from ${where}). Pick another version or target another interpreter/platform.`);
  }
  return new ResolverError('NO_COMPATIBLE_WHEEL', `${project} ${release.version} is only available as a source distribution (from ${where}); building sdists is not supported yet. Pick a version with a wheel, or build a wheel and add its directory to find-links.`);
}

async function fetchPin(session: FetchSession, pin: Pin): Promise<LocalArtifact> {
  const releases = await session.releasesOf(pin.name);
  // PEP 592: an exact pin may select a yanked release.
  const release = releases.find((r) => pin.specifier.contains(r.version, true));
  if (!release) {
    const available = releases.slice(0, 10).map((r) => r.version.toString());
    throw new ResolverError('NO_MATCHING_DISTRIBUTION', `No distribution of ${pin.name} matches ${JSON.stringify(pin.requirement)} on ${session.index.describeSources()}${available.length ? ` (available for CPython ${session.pythonVersion}: ${available.join(', ')})` : ' (no files usable by CPython ' + session.pythonVersion + ')'}. Check the name and version, or the index configuration.`);
  }
  return session.download(pin.name, release);
}

/** Fetch one wheel per requirement (exact pins for now), verified and cached, in input order. */
export async function fetchArtifacts(options: FetchOptions): Promise<LocalArtifact[]> {
  const pins = options.requirements.map(parsePin);
  const session = new FetchSession(options);
  session.downloadsTotal = pins.length;
  try {
    return await mapLimit(pins, CONCURRENCY, (pin) => fetchPin(session, pin));
  } finally {
    await session.close();
  }
}
