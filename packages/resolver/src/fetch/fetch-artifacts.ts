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
import type { Candidate, Release } from './candidates.js';
import { releasesOf } from './releases.js';
import { SdistBuilder, type BuildRequirementsFetcher } from '../build/sdist-builder.js';
import { sdistNeedsPython } from '../build/messages.js';
import { BuildInterpreter } from '../build/built-cache.js';
import { inspectInterpreter } from '../interpreter/inspect.js';
import { parseWheelFilename } from '../filename/wheel.js';
import { readWheelMetadata } from '../metadata/wheel-metadata.js';
import { Downloader } from './downloader.js';
import type { CoreMetadata } from '../metadata/core-metadata.js';
import { MetadataSource } from '../metadata/metadata-source.js';
import { mapLimit } from '@nx-pex/common';
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
   * Build a release that has no compatible wheel from its sdist (PEP 517, isolated; see
   * `build/sdist-builder.ts`) with the target's own interpreter (`target.python`). A target without
   * one (a foreign platform) cannot build: such a release is SDIST_NEEDS_PYTHON, naming the package.
   * Unset/false: such releases are NO_COMPATIBLE_WHEEL. Build requirements must have wheels.
   */
  buildSdists?: boolean;
  /** The interpreter to build sdists with instead of `target.python` (implies `buildSdists`); it must fit the target. */
  sdistPython?: string;
  /** Warnings (a release ignored because its metadata is invalid, as pip ≥ 24.1); default: `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

/** The interpreter sdists are built with for these options, if any. */
export function sdistPythonOf(
  options: Pick<FetchOptions, 'buildSdists' | 'sdistPython' | 'target'>,
): string | undefined {
  return options.sdistPython ?? (options.buildSdists ? options.target.python : undefined);
}

/** An sdist builder for `python` whose build requirements come from `options.index` (one inspection of `python`). */
export function sdistBuilder(
  python: string,
  options: { index: IndexConfig; cacheDir: string; http?: HttpOptions | undefined },
): SdistBuilder {
  const interpreter = new BuildInterpreter(python);
  return new SdistBuilder(
    interpreter,
    options.cacheDir,
    buildRequirementsFetcher(python, options, () => interpreter.target()),
  );
}

/**
 * Fetches build requirements as wheels for the build interpreter `python` (inspected once; no nested
 * sdist builds), from the same index and cache as the build itself.
 */
export function buildRequirementsFetcher(
  python: string,
  options: { index: IndexConfig; cacheDir: string; http?: HttpOptions | undefined },
  inspected: () => Promise<TargetInterpreter> = () => inspectInterpreter(python),
): BuildRequirementsFetcher {
  let buildTarget: Promise<TargetInterpreter> | undefined;
  return async (requirements) => {
    if (requirements.length === 0) return [];
    buildTarget ??= inspected();
    const wheels = await fetchArtifacts({
      requirements,
      index: options.index,
      target: await buildTarget,
      cacheDir: options.cacheDir,
      ...(options.http ? { http: options.http } : {}),
    });
    return wheels.map((w) => w.path);
  };
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
  private metadataDone = 0;
  private metadataTotal = 0;

  constructor(private readonly options: FetchOptions) {
    const cacheDir = options.cacheDir ?? defaultCacheDir();
    this.http = new HttpClient(httpOptions(options.http, options.index));
    this.index = new IndexClient(this.http, options.index, new PageCache(join(cacheDir, 'http')));
    this.downloader = new Downloader(this.http, cacheDir, (project, bytes) => {
      this.fetching.add(project);
      this.progress({ phase: 'download', project, done: this.downloadsDone, total: this.downloadsTotal, bytes });
    });
    this.pythonVersion = Version.parse(options.target.version.join('.'));
    this.metadataSource = new MetadataSource(this.http, cacheDir, (c) => this.downloader.cachedPath(c));
    const python = sdistPythonOf(options);
    if (python) this.builder = sdistBuilder(python, { index: options.index, cacheDir, http: options.http });
    this.sdistsWanted = options.buildSdists === true || python !== undefined;
  }

  /** True when sdists should be built (even if the target has no interpreter to build them with). */
  readonly sdistsWanted: boolean;

  /** Where warnings go (undefined: the solver's default). */
  get onWarning(): ((message: string) => void) | undefined {
    return this.options.onWarning;
  }

  /** The target, for messages. */
  get target(): TargetInterpreter {
    return this.options.target;
  }

  private readonly builder: SdistBuilder | undefined;

  readonly metadataSource: MetadataSource;

  /** Core metadata of a release's best wheel without downloading it when the index or server allows. */
  metadata(project: string, release: Release): Promise<CoreMetadata> {
    // The solver asks again for what its speculative prefetch read: one read, counted once.
    const key = `${project}\u0000${release.version.toString()}`;
    let read = this.metadataReads.get(key);
    if (!read) {
      this.metadataTotal++;
      read = this.readMetadata(project, release);
      const done = () =>
        this.progress({
          phase: 'metadata',
          project: `${project} ${release.version.toString()}`,
          done: ++this.metadataDone,
          total: this.metadataTotal,
        });
      read.then(done, done);
      this.metadataReads.set(key, read);
    }
    return this.track(read);
  }

  private readonly metadataReads = new Map<string, Promise<CoreMetadata>>();

  private async readMetadata(project: string, release: Release): Promise<CoreMetadata> {
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
      this.releases.set(project, this.track(pending));
    }
    return pending;
  }

  /** Work this session started (pages, metadata, downloads, prefetches included), until it settles. */
  private readonly inflight = new Set<Promise<unknown>>();

  private track<T>(work: Promise<T>): Promise<T> {
    this.inflight.add(work);
    const done = () => void this.inflight.delete(work);
    work.then(done, done);
    return work;
  }

  private readonly downloaded = new Set<string>();
  /** Projects with bytes fetched since their last finished download (the downloader reports none for a cache hit). */
  private readonly fetching = new Set<string>();

  download(project: string, release: Release): Promise<LocalArtifact> {
    return this.track(this.fetchRelease(project, release));
  }

  private async fetchRelease(project: string, release: Release): Promise<LocalArtifact> {
    if (!release.best) throw noWheel(project, release, this);
    const artifact = release.best.build
      ? await this.built(project, release.best)
      : await this.downloader.fetch(project, release.best);
    this.metadataSource.confirm(artifact.sha256);
    if (this.downloaded.has(artifact.url)) return artifact;
    this.downloaded.add(artifact.url);
    this.downloadsDone++;
    this.downloadsTotal = Math.max(this.downloadsTotal, this.pagesTotal, this.downloadsDone);
    this.progress({
      phase: 'download',
      project,
      done: this.downloadsDone,
      total: this.downloadsTotal,
      bytes: artifact.size,
      cached: !this.fetching.delete(project),
    });
    return artifact;
  }

  private readonly builds = new Map<string, Promise<LocalArtifact>>();

  /** The verified sdist of a candidate in the download cache (its sha256 and size as recorded in a lock). */
  sdistFile(project: string, sdist: Candidate): Promise<{ path: string; size: number; sha256: string }> {
    return this.downloader.stored(project, sdist);
  }

  /** The wheel built from an sdist candidate (once per run; cached on disk by the sdist's sha256). */
  private built(project: string, sdist: Candidate): Promise<LocalArtifact> {
    let pending = this.builds.get(sdist.file.url);
    if (!pending) {
      pending = (async () => {
        const stored = await this.sdistFile(project, sdist);
        const artifact = await this.builder!.artifact({
          name: project,
          version: sdist.version.toString(),
          path: stored.path,
          filename: sdist.file.filename,
          sha256: stored.sha256,
          url: sdist.file.url,
          ...(sdist.file.requiresPython ? { requiresPython: sdist.file.requiresPython } : {}),
        });
        const parsed = parseWheelFilename(artifact.filename);
        if (!parsed.tags.some((t) => this.options.target.tags.includes(t))) {
          throw new ResolverError(
            'SDIST_BUILD_ERROR',
            `The wheel built from ${sdist.file.filename} (${artifact.filename}) with ${this.builder!.python} does not fit the target (CPython ${this.pythonVersion}): build with the target's own interpreter.`,
          );
        }
        return artifact;
      })();
      this.builds.set(sdist.file.url, pending);
    }
    return pending;
  }

  /**
   * Wait for every request and cache write the session started — speculative prefetches too, whose
   * results nobody awaits — then close the connections: once a resolve settles, nothing of it still
   * writes to the cache.
   */
  async close(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
    await this.metadataSource.settled();
    await this.http.close();
  }
}

export function noWheel(project: string, release: Release, session: FetchSession): ResolverError {
  const where = session.index.describeSources();
  if (release.incompatibleWheels.length) {
    return new ResolverError(
      'NO_COMPATIBLE_WHEEL',
      `No wheel of ${project} ${release.version} fits the target interpreter (CPython ${session.pythonVersion}). Available wheels: ${release.incompatibleWheels.join(', ')} (from ${where}). Pick another version or target another interpreter/platform.`,
    );
  }
  if (session.sdistsWanted) return sdistNeedsPython(`${project} ${release.version}`, session.target, where);
  return new ResolverError(
    'NO_COMPATIBLE_WHEEL',
    `${project} ${release.version} is only available as a source distribution (from ${where}), and building sdists is turned off for this resolve. Turn sdist builds on, pick a version with a wheel, or build a wheel and add its directory to find-links.`,
  );
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

/** `text` as a Requirement (kept by text: `Requirement.parse`), any failure an INVALID_REQUIREMENT error. */
export function parseRequirement(text: string): Requirement {
  try {
    return Requirement.parse(text);
  } catch (err) {
    if (err instanceof ResolverError) throw err;
    throw new ResolverError(
      'INVALID_REQUIREMENT',
      `Invalid requirement ${JSON.stringify(text)}: ${(err as Error).message}`,
      { cause: err },
    );
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
  const solver = new Solver(
    {
      releases: (name) => session.releasesOf(name),
      prefetch: (name) => void session.releasesOf(name).catch(() => undefined),
      metadata: (name, release) => session.metadata(name, release),
      prefetchMetadata: (name, release) =>
        release.best && !release.best.build ? session.metadata(name, release) : undefined,
      noWheel: (name, release) => noWheel(name, release, session),
      describeSources: () => session.index.describeSources(),
      ...(preference ? { preference } : {}),
    },
    env,
    constraints.map(parseRequirement),
    session.onWarning ? { onWarning: session.onWarning } : {},
  );
  return solver.resolve(roots, labels);
}

/** Download (or find in the cache) the chosen wheel of every project in `names`, in that order. */
export function downloadAll(
  session: FetchSession,
  decisions: Map<string, Release>,
  names: string[],
): Promise<LocalArtifact[]> {
  session.downloadsTotal = names.length;
  return mapLimit(names, CONCURRENCY, (name) => session.download(name, decisions.get(name)!));
}
