import type { IndexConfig } from '../config/index-config.js';
import { defaultCacheDir } from '../cache/dir.js';
import { ResolverError } from '../errors.js';
import { HttpClient, httpOptionsFor as httpOptions, type HttpOptions } from '../http/client.js';
import { PageCache } from '../http/page-cache.js';
import { join } from 'node:path';
import { IndexClient } from '../index/client.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { Version } from '../pep440/version.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import { Solver, type Resolution } from '../solver/resolve.js';
import { releasesOf, type Candidate, type Release } from './candidates.js';
import { SdistBuilder } from '../build/sdist-builder.js';
import { inspectInterpreter } from '../interpreter/inspect.js';
import { parseWheelFilename } from '../filename/wheel.js';
import { readWheelMetadata } from '../metadata/wheel-metadata.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Downloader } from './downloader.js';
import type { CoreMetadata } from '../metadata/core-metadata.js';
import { MetadataSource } from '../metadata/metadata-source.js';
import { mapLimit } from './limit.js';
import type { FetchProgress, LocalArtifact } from './local-artifact.js';

export interface FetchOptions {
  requirements: string[];
  index: IndexConfig;
  target: TargetInterpreter;
  cacheDir?: string;
  onProgress?: (p: FetchProgress) => void;
  /** Retries, backoff and timeouts of the HTTP client. */
  http?: HttpOptions;
  /** pip-style constraints (`-c`): they narrow a package when it is required, never add one. */
  constraints?: string[];
  /**
   * A Python to build sdists with (PEP 517, isolated; see `build/sdist-builder.ts`) when a release has
   * no compatible wheel. Unset: such releases are NO_COMPATIBLE_WHEEL. Build requirements must have wheels.
   */
  sdistPython?: string;
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
    const cacheDir = options.cacheDir ?? defaultCacheDir();
    this.http = new HttpClient(httpOptions(options.http, options.index));
    this.index = new IndexClient(this.http, options.index, new PageCache(join(cacheDir, 'http')));
    this.downloader = new Downloader(this.http, cacheDir, (project, bytes) =>
      this.progress({ phase: 'download', project, done: this.downloadsDone, total: this.downloadsTotal, bytes }));
    this.pythonVersion = Version.parse(options.target.version.join('.'));
    this.metadataSource = new MetadataSource(this.http, cacheDir, (c) => this.downloader.cachedPath(c));
    if (options.sdistPython) {
      const python = options.sdistPython;
      let buildTarget: Promise<TargetInterpreter> | undefined;
      this.builder = new SdistBuilder(python, cacheDir, async (requirements) => {
        if (requirements.length === 0) return [];
        buildTarget ??= inspectInterpreter(python);
        // Build requirements as wheels for the build Python (no nested sdist builds).
        const wheels = await fetchArtifacts({ requirements, index: options.index, target: await buildTarget, cacheDir, ...(options.http ? { http: options.http } : {}) });
        return wheels.map((w) => w.path);
      });
    }
  }

  private readonly builder: SdistBuilder | undefined;

  readonly metadataSource: MetadataSource;

  /** Core metadata of a release's best wheel without downloading it when the index or server allows. */
  async metadata(project: string, release: Release): Promise<CoreMetadata> {
    if (!release.best) throw noWheel(project, release, this);
    if (release.best.build) {
      const built = await this.download(project, release);
      return readWheelMetadata(built.path, project, built.filename);
    }
    return this.metadataSource.get(project, release.best, () => this.download(project, release));
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
        const releases = releasesOf(files, project, this.options.target.tags, this.pythonVersion);
        // With a build Python, an sdist stands in for a missing compatible wheel.
        if (!this.builder) return releases;
        return releases.map((r) => (r.best || !r.sdist ? r : { ...r, best: { ...r.sdist, build: true as const } }));
      });
      this.releases.set(project, pending);
    }
    return pending;
  }

  private readonly downloaded = new Set<string>();

  async download(project: string, release: Release): Promise<LocalArtifact> {
    if (!release.best) throw noWheel(project, release, this);
    const artifact = release.best.build ? await this.built(project, release.best) : await this.downloader.fetch(project, release.best);
    await this.metadataSource.confirm(artifact.sha256);
    if (this.downloaded.has(artifact.url)) return artifact;
    this.downloaded.add(artifact.url);
    this.downloadsDone++;
    this.downloadsTotal = Math.max(this.downloadsTotal, this.pagesTotal, this.downloadsDone);
    this.progress({ phase: 'download', project, done: this.downloadsDone, total: this.downloadsTotal, bytes: artifact.size });
    return artifact;
  }

  private readonly builds = new Map<string, Promise<LocalArtifact>>();

  /** The wheel built from an sdist candidate (once per run; cached on disk by the sdist's sha256). */
  private built(project: string, sdist: Candidate): Promise<LocalArtifact> {
    let pending = this.builds.get(sdist.file.url);
    if (!pending) {
      pending = (async () => {
        const stored = await this.downloader.stored(project, sdist);
        const wheel = await this.builder!.build(stored.path, sdist.file.filename, stored.sha256);
        const parsed = parseWheelFilename(wheel.filename);
        if (!parsed.tags.some((t) => this.options.target.tags.includes(t))) {
          throw new ResolverError('SDIST_BUILD_ERROR', `The wheel built from ${sdist.file.filename} (${wheel.filename}) does not fit the target (CPython ${this.pythonVersion}): build with the target's own Python.`);
        }
        const metadata = await readWheelMetadata(wheel.path, project, wheel.filename);
        const info = await stat(wheel.path);
        const requiresPython = metadata.requiresPython ?? sdist.file.requiresPython;
        return {
          name: parsed.name,
          version: sdist.version.toString(),
          filename: wheel.filename,
          path: wheel.path,
          sha256: await sha256File(wheel.path),
          size: info.size,
          url: sdist.file.url,
          requiresDist: metadata.requiresDist,
          ...(requiresPython ? { requiresPython } : {}),
        };
      })();
      this.builds.set(sdist.file.url, pending);
    }
    return pending;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function noWheel(project: string, release: Release, session: FetchSession): ResolverError {
  const where = session.index.describeSources();
  if (release.incompatibleWheels.length) {
    return new ResolverError('NO_COMPATIBLE_WHEEL', `No wheel of ${project} ${release.version} fits the target interpreter (CPython ${session.pythonVersion}). Available wheels: ${release.incompatibleWheels.join(', ')} (from ${where}). Pick another version or target another interpreter/platform.`);
  }
  return new ResolverError('NO_COMPATIBLE_WHEEL', `${project} ${release.version} is only available as a source distribution (from ${where}); sdists are built only when a build Python is given (sdistPython). Pick a version with a wheel, pass sdistPython, or build a wheel and add its directory to find-links.`);
}

/** PEP 508 environment of the target; a hand-built target without markers gets what its version implies. */
export function markerEnvironment(target: TargetInterpreter): MarkerEnvironment {
  const [major, minor, micro] = target.version;
  return {
    python_version: `${major}.${minor}`,
    python_full_version: `${major}.${minor}.${micro}`,
    implementation_name: 'cpython',
    implementation_version: `${major}.${minor}.${micro}`,
    platform_python_implementation: 'CPython',
    ...target.markers,
  };
}

export function parseRequirement(text: string): Requirement {
  try {
    return Requirement.parse(text);
  } catch (err) {
    if (err instanceof ResolverError) throw err;
    throw new ResolverError('INVALID_REQUIREMENT', `Invalid requirement ${JSON.stringify(text)}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Resolve PEP 508 requirements for the target (transitively: Requires-Dist with markers and
 * extras), then return every chosen wheel, verified and cached: the requested projects first in
 * input order, then their dependencies in the order they were first required.
 */
export async function fetchArtifacts(options: FetchOptions): Promise<LocalArtifact[]> {
  const env = markerEnvironment(options.target);
  const roots = options.requirements.map(parseRequirement).filter((r) => r.appliesTo(env));
  const session = new FetchSession(options);
  try {
    const { decisions } = await solveWith(session, env, roots, [], undefined, options.constraints);
    const requested = new Set(roots.map((r) => r.key));
    const names = [...decisions.keys()].sort((a, b) => Number(requested.has(b)) - Number(requested.has(a)));
    return await downloadAll(session, decisions, names);
  } finally {
    await session.close();
  }
}

/** Resolve `roots` for the session's target (index pages and wheels of the session). */
export function solveWith(
  session: FetchSession,
  env: MarkerEnvironment,
  roots: Requirement[],
  labels: (string | undefined)[] = [],
  preference?: (name: string) => string | undefined,
  constraints: string[] = [],
): Promise<Resolution> {
  const solver = new Solver({
    releases: (name) => session.releasesOf(name),
    prefetch: (name) => void session.releasesOf(name).catch(() => undefined),
    metadata: (name, release) => session.metadata(name, release),
    prefetchMetadata: (name, release) => (release.best && !release.best.build ? session.metadata(name, release) : undefined),
    noWheel: (name, release) => noWheel(name, release, session),
    describeSources: () => session.index.describeSources(),
    ...(preference ? { preference } : {}),
  }, env, constraints.map(parseRequirement));
  return solver.resolve(roots, labels);
}

/** Download (or find in the cache) the chosen wheel of every project in `names`, in that order. */
export function downloadAll(session: FetchSession, decisions: Map<string, Release>, names: string[]): Promise<LocalArtifact[]> {
  session.downloadsTotal = names.length;
  return mapLimit(names, CONCURRENCY, (name) => session.download(name, decisions.get(name)!));
}
