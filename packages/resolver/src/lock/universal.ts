import { debug } from '../debug.js';
import { ResolverError } from '../errors.js';
import { pythonAllowed, type Release } from '../fetch/candidates.js';
import { filesByVersion, releasesOf } from '../fetch/releases.js';
import { FetchSession, markerEnvironment, parseRequirement, type FetchOptions } from '../fetch/fetch-artifacts.js';
import type { IndexFile } from '../index/types.js';
import type { CoreMetadata } from '../metadata/core-metadata.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { Version } from '../pep440/version.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import type { Requirement } from '../pep508/requirement.js';
import { abbreviatedPlatform, environmentPlatform } from '../platform/environments.js';
import type { ResolveLockOptions } from './resolve-lock.js';
import {
  requirementSets,
  resolvedFrom,
  resolveTarget,
  rootsIn,
  sessionOptions,
  type RequirementSet,
  type Resolved,
} from './resolve-target.js';

/**
 * Universal locks: one resolution for many environments (see docs/locks.md, "Universal locks").
 *
 * Environments are taken in order. Each first tries the forks made so far: a fork is reused when
 * its versions are a valid, installable resolution for the environment — every requirement that
 * applies there (markers evaluated for it) is satisfied by the fork's version, each needed release
 * has a wheel for the environment's tags and admits its Python, and that wheel declares the same
 * Requires-Dist. Only when no fork fits is the environment solved (the existing solver), preferring
 * the versions earlier environments chose; the result is a new fork. So the resolution forks exactly
 * where markers, requires-python or wheel availability make environments differ, and packages keep
 * one version wherever that version installs.
 */

/**
 * Index pages and wheel metadata read once for every environment, through one session (one HTTP
 * client, so connections are reused): each environment classifies the same files by its own tags,
 * and a wheel's metadata (a pure-Python wheel serves every environment) is read once.
 */
class SharedReads {
  private readonly session: FetchSession;
  private readonly files = new Map<string, Promise<IndexFile[]>>();
  private readonly metadata = new Map<string, Promise<CoreMetadata>>();
  private readonly versions = new Map<string, Promise<Map<string, IndexFile[]>>>();
  private readonly prefetching: (() => Promise<unknown>)[] = [];
  private running = 0;
  private done = 0;

  constructor(
    private readonly options: ResolveLockOptions,
    first: TargetInterpreter,
  ) {
    this.session = new FetchSession(sessionOptions({ ...options, buildSdists: false }, first));
  }

  pages(project: string): Promise<IndexFile[]> {
    let pending = this.files.get(project);
    if (!pending) {
      pending = this.session.index.projectFiles(project).then((files) => {
        this.done++;
        this.options.onProgress?.({ phase: 'index', project, done: this.done, total: this.files.size });
        return files;
      });
      this.files.set(project, pending);
    }
    return pending;
  }

  /**
   * One release of a project classified for a target: only that release's files (grouped by version
   * once per project), not the whole page, which reused forks and read-ahead would otherwise
   * classify per environment (botocore's page lists thousands of files).
   */
  async releaseAt(project: string, version: string, tags: string[], python: Version): Promise<Release | undefined> {
    let pending = this.versions.get(project);
    if (!pending) {
      pending = this.pages(project).then((files) => filesByVersion(files, project));
      this.versions.set(project, pending);
    }
    const files = (await pending).get(version);
    return files ? releasesOf(files, project, tags, python)[0] : undefined;
  }

  /** Core metadata of a release's best wheel for some environment (the read does not depend on the environment). */
  wheelMetadata(project: string, release: Release): Promise<CoreMetadata> {
    const url = release.best!.file.url;
    let pending = this.metadata.get(url);
    if (!pending) {
      pending = this.session.metadata(project, release);
      this.metadata.set(url, pending);
      pending.catch(() => this.metadata.delete(url));
    }
    return pending;
  }

  /**
   * Read ahead, a few at a time, the metadata of the wheels the later environments will check when
   * they try `fork` (environments are decided one after another; their reads need not be).
   */
  prefetch(fork: Map<string, Resolved>, targets: readonly TargetInterpreter[]): void {
    for (const target of targets) {
      const python = Version.parse(target.version.join('.'));
      for (const [name, { artifact }] of fork) {
        this.prefetching.push(async () => {
          const release = await this.releaseAt(name, artifact.version, target.tags, python);
          if (release?.best && !release.best.build) await this.wheelMetadata(name, release);
        });
      }
    }
    this.pump();
  }

  private pump(): void {
    while (this.running < PREFETCH && this.prefetching.length) {
      const next = this.prefetching.shift()!;
      this.running++;
      // A failed read ahead is retried (and reported) when the environment reads it for real.
      void next()
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  close(): Promise<void> {
    this.prefetching.length = 0;
    return this.session.close();
  }
}

const PREFETCH = 16;

/** A fetch session for one environment whose index pages and metadata come from the shared reads. */
class EnvironmentSession extends FetchSession {
  private readonly classified = new Map<string, Promise<Release[]>>();

  constructor(
    options: FetchOptions,
    private readonly shared: SharedReads,
  ) {
    super(options);
  }

  override metadata(project: string, release: Release): Promise<CoreMetadata> {
    return release.best && !release.best.build
      ? this.shared.wheelMetadata(project, release)
      : super.metadata(project, release);
  }

  /** The release of `project` at `version` for this environment (see SharedReads.releaseAt). */
  releaseAt(project: string, version: string): Promise<Release | undefined> {
    return this.shared.releaseAt(project, version, this.target.tags, this.pythonVersion);
  }

  override releasesOf(project: string): Promise<Release[]> {
    let pending = this.classified.get(project);
    if (!pending) {
      pending = this.shared
        .pages(project)
        .then((files) => releasesOf(files, project, this.target.tags, this.pythonVersion));
      this.classified.set(project, pending);
    }
    return pending;
  }
}

/** The packages `sets` reach in `env` through a fork's Requires-Dist, with the extras requested of each; undefined when a requirement is not met by the fork. */
function walkFork(
  fork: Map<string, Resolved>,
  requiresDist: Map<string, Requirement[]>,
  sets: readonly RequirementSet[],
  env: MarkerEnvironment,
  constraints: readonly Requirement[],
): { names: string[]; extras: Map<string, Set<string>> } | undefined {
  const queue = [...rootsIn(sets, env).roots];
  const seen = new Map<string, Set<string>>();
  const extras = new Map<string, Set<string>>();
  while (queue.length) {
    const r = queue.shift()!;
    const chosen = fork.get(r.key);
    if (!chosen || !r.specifier.contains(chosen.artifact.version, true)) return undefined;
    let done = seen.get(r.key);
    if (!done) {
      done = new Set();
      seen.set(r.key, done);
      for (const c of constraints)
        if (c.key === r.key && c.appliesTo(env) && !c.specifier.contains(chosen.artifact.version, true))
          return undefined;
    }
    if (r.normalizedExtras.length) {
      const requested = extras.get(r.key) ?? new Set<string>();
      for (const e of r.normalizedExtras) requested.add(e);
      extras.set(r.key, requested);
    }
    const fresh = ['', ...r.normalizedExtras].filter((e) => !done.has(e));
    if (!fresh.length) continue;
    for (const e of fresh) done.add(e);
    for (const d of requiresDist.get(r.key)!) if (d.appliesTo(env, fresh)) queue.push(d);
  }
  return { names: [...seen.keys()], extras };
}

interface Fork {
  /** The key of the environments that may share it (see UniversalResolver.keyOf). */
  key: string;
  resolved: Map<string, Resolved>;
  requiresDist: Map<string, Requirement[]>;
}

function forkOf(key: string, resolved: Map<string, Resolved>): Fork {
  return {
    key,
    resolved,
    requiresDist: new Map([...resolved].map(([name, r]) => [name, r.artifact.requiresDist.map(parseRequirement)])),
  };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A fork's versions as the environment's resolution, or undefined when they are not valid and installable there. */
async function reuse(
  fork: Fork,
  session: EnvironmentSession,
  env: MarkerEnvironment,
  sets: readonly RequirementSet[],
  constraints: readonly Requirement[],
): Promise<Map<string, Resolved> | undefined> {
  const walk = walkFork(fork.resolved, fork.requiresDist, sets, env, constraints);
  if (!walk) return undefined;
  const decisions = new Map<string, Release>();
  for (const name of walk.names) {
    const version = fork.resolved.get(name)!.artifact.version;
    const release = await session.releaseAt(name, version);
    if (!release?.best || release.best.build || release.yanked) return undefined;
    decisions.set(name, release);
  }
  const resolved = await resolvedFrom(session, env, sets, decisions, walk.extras);
  for (const [name, r] of resolved) {
    if (!sameList(r.artifact.requiresDist, fork.resolved.get(name)!.artifact.requiresDist)) return undefined;
    if (r.artifact.requiresPython !== undefined && !pythonAllowed(r.artifact.requiresPython, session.pythonVersion))
      return undefined;
  }
  return resolved;
}

// Failures that mean "no wheel-only resolution for this environment" (not index or cache trouble).
// Invalid metadata of an old release is met when an environment without a solution is searched exhaustively.
const SKIPPABLE = new Set([
  'NO_COMPATIBLE_WHEEL',
  'RESOLUTION_CONFLICT',
  'NO_MATCHING_DISTRIBUTION',
  'SDIST_NEEDS_PYTHON',
  'INVALID_REQUIREMENT',
  'METADATA_ERROR',
]);

/** One line on why an environment did not resolve: the solver's last "has no wheel" step, else the message's first line. */
/** Whether a resolution failed for want of a wheel (not for a conflict between versions). */
function lacksWheels(err: ResolverError): boolean {
  return err.code === 'NO_COMPATIBLE_WHEEL' || / has no wheel for the target/.test(err.message);
}

function briefReason(err: ResolverError): string {
  const lines = err.message.split('\n').map((l) => l.replace(/^\s*\(\d+\)\s*/, '').trim());
  const noWheel = lines.filter((l) => / has no wheel for the target/.test(l)).at(-1);
  const text = noWheel
    ? noWheel.replace(/^Because .* and (\S+ \S+ has no wheel) for the target.*$/, '$1')
    : lines[0]!.replace(/^No wheel of (\S+ \S+) fits the target.*$/, '$1 has no wheel');
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** Resolves environments one after another, reusing forks (see the module comment). */
export class UniversalResolver {
  private shared: SharedReads | undefined;
  private readonly forks: Fork[] = [];
  private readonly sets: RequirementSet[];
  private readonly constraints: Requirement[];
  /** How many environments were solved (the rest reused a fork), for progress and tests. */
  solved = 0;

  /** Environments named exactly (abbreviated platforms): they must resolve. */
  private readonly exact: Set<string>;
  /** Versions chosen so far, per sharing key: the preferences of the next solve with that key. */
  private readonly chosen = new Map<string, Map<string, string>>();

  constructor(private readonly options: ResolveLockOptions) {
    this.exact = new Set((options.environments ?? []).map((e) => e.trim()));
    this.sets = requirementSets(options);
    this.constraints = (options.constraints ?? []).map(parseRequirement);
  }

  /** Environments left out of the lock, each `<abbreviated platform>: <why>`. */
  readonly skipped: string[] = [];
  private readonly failures = new Map<TargetInterpreter, ResolverError>();
  /** Environments left out only for want of wheels (not a conflict of versions). */
  private readonly lackingWheels = new Set<TargetInterpreter>();

  /**
   * The environment's resolution; undefined when it has none with wheels and was not named exactly
   * (the newest CPython often lacks binary wheels for months: the defaults must not fail for it).
   */
  /**
   * Which environments share forks and preferences. uv's default fork strategy (`requires-python`):
   * the newest versions for each Python minor, shared across its platforms; `fewest`: one version
   * across Pythons too, wherever it installs (older Pythons decide first).
   */
  private keyOf(target: TargetInterpreter): string {
    return this.options.forkStrategy === 'fewest' ? '' : `${target.version[0]}.${target.version[1]}`;
  }

  async resolve(
    target: TargetInterpreter,
    locked: (name: string) => string | undefined,
    later: readonly TargetInterpreter[] = [],
  ): Promise<Map<string, Resolved> | undefined> {
    this.shared ??= new SharedReads(this.options, target);
    const key = this.keyOf(target);
    const chosen = this.chosen.get(key) ?? new Map<string, string>();
    this.chosen.set(key, chosen);
    const preference = (name: string) => chosen.get(name) ?? locked(name);
    // Synthetic environments have no interpreter to build with: universal locks take wheels only.
    const session = new EnvironmentSession(
      sessionOptions({ ...this.options, buildSdists: false }, target),
      this.shared,
    );
    const env = markerEnvironment(target);
    const where = abbreviatedPlatform(environmentPlatform(target), [target.version[0], target.version[1]]);
    const started = performance.now();
    try {
      for (const [i, fork] of this.forks.entries()) {
        if (fork.key !== key) continue;
        const reused = await reuse(fork, session, env, this.sets, this.constraints);
        if (reused) {
          debug('universal lock: %s reuses fork %d (%d ms)', where, i, Math.round(performance.now() - started));
          return reused;
        }
      }
      this.solved++;
      const resolved = await resolveTarget(this.options, target, preference, session);
      this.forks.push(forkOf(key, resolved));
      for (const [name, { artifact }] of resolved) if (!chosen.has(name)) chosen.set(name, artifact.version);
      this.shared.prefetch(
        resolved,
        later.filter((t) => this.keyOf(t) === key),
      );
      debug(
        'universal lock: %s solved as fork %d (%d ms)',
        where,
        this.forks.length - 1,
        Math.round(performance.now() - started),
      );
      return resolved;
    } catch (err) {
      if (!(err instanceof ResolverError) || !SKIPPABLE.has(err.code)) throw err;
      const failure = new ResolverError(
        err.code,
        `Universal lock, environment ${where}: ${err.message}\nA universal lock needs a wheel of every package for each environment: leave this one out (environments, or requires-python) or require versions that ship its wheels.`,
        { cause: err },
      );
      if (this.exact.has(where)) throw failure;
      this.failures.set(target, failure);
      if (lacksWheels(err)) this.lackingWheels.add(target);
      this.skipped.push(`${where}: ${briefReason(err)}`);
      debug(
        'universal lock: %s left out (%d ms): %s',
        where,
        Math.round(performance.now() - started),
        this.skipped.at(-1),
      );
      return undefined;
    } finally {
      await session.close();
    }
  }

  /**
   * Every environment's resolution (undefined: left out), in the order of `targets`. Environments
   * that share forks (one Python minor; all with `fewest`) are decided one after another; such
   * groups share nothing but cached reads, so they run at the same time.
   */
  async resolveAll(
    targets: readonly TargetInterpreter[],
    locked: (name: string) => string | undefined,
  ): Promise<(Map<string, Resolved> | undefined)[]> {
    const groups = new Map<string, TargetInterpreter[]>();
    for (const t of targets) groups.set(this.keyOf(t), [...(groups.get(this.keyOf(t)) ?? []), t]);
    const results = new Map<TargetInterpreter, Map<string, Resolved> | undefined>();
    await Promise.all(
      [...groups.values()].map(async (group) => {
        for (const [i, target] of group.entries())
          results.set(target, await this.resolve(target, locked, group.slice(i + 1)));
      }),
    );
    // Left-out environments in target order, whatever order the groups finished in.
    const order = new Map(
      targets.map((t, i) => [abbreviatedPlatform(environmentPlatform(t), [t.version[0], t.version[1]]), i]),
    );
    this.skipped.sort((a, b) => order.get(a.split(':')[0]!)! - order.get(b.split(':')[0]!)!);
    return targets.map((t) => results.get(t));
  }

  /**
   * A platform none of whose Pythons resolved is an error (the first one's), not a silent gap — except
   * with the default environments when every failure there is for want of wheels: then the platform is
   * left out like a single Python (recorded in `skipped`, with the reason), so a package without, say,
   * Linux aarch64 wheels does not make a lock for the other platforms impossible. A conflict of versions,
   * a platform the user listed (a marker or a platform tag in `environments`), and a lock with no
   * environment left are errors.
   */
  checkPlatformsLeft(
    targets: readonly TargetInterpreter[],
    results: readonly (Map<string, Resolved> | undefined)[],
  ): void {
    const defaults = !(this.options.environments ?? []).length;
    if (results.every((r) => r === undefined) && targets.length) throw this.failures.get(targets[0]!)!;
    for (const platform of new Set(targets.map(environmentPlatform))) {
      const mine = targets.filter((t, i) => environmentPlatform(t) === platform && results[i] === undefined);
      if (mine.length < targets.filter((t) => environmentPlatform(t) === platform).length) continue;
      if (defaults && mine.every((t) => this.lackingWheels.has(t))) continue;
      throw this.failures.get(mine[0]!)!;
    }
  }

  async close(): Promise<void> {
    await this.shared?.close();
  }
}

/** The marker facts that tell platforms apart (`sys_platform`, `platform_machine`). */
function platformKey(env: MarkerEnvironment): string {
  return `${env.sys_platform ?? ''}\u0000${env.platform_machine ?? ''}`;
}

function platformClause(key: string): string {
  const [sys, machine] = key.split('\u0000') as [string, string];
  return `sys_platform == '${sys}' and platform_machine == '${machine}'`;
}

/** `python_version` runs of `minors` within the covered `all` (sorted), open-ended at the ends of `all`. */
function pythonPart(minors: ReadonlySet<number>, all: readonly number[]): string {
  if (all.every((m) => minors.has(m))) return '';
  const runs: [number, number][] = [];
  for (const m of all) {
    if (!minors.has(m)) continue;
    const last = runs.at(-1);
    if (last && all.indexOf(last[1]) === all.indexOf(m) - 1) last[1] = m;
    else runs.push([m, m]);
  }
  const clauses = runs.map(([a, b]) => {
    const lower = a === all[0] ? undefined : `python_version >= '3.${a}'`;
    const upper = b === all.at(-1) ? undefined : `python_version < '3.${b + 1}'`;
    if (lower && upper && a === b) return `python_version == '3.${a}'`;
    return [lower, upper].filter(Boolean).join(' and ');
  });
  return clauses.length === 1 ? clauses[0]! : clauses.map((c) => `(${c})`).join(' or ');
}

const paren = (m: string) => (m.includes(' or ') ? `(${m})` : m);

/**
 * PEP 508 markers over the environments of a universal lock: `select(indices)` is the shortest
 * marker this builds that holds for exactly those environments among the covered ones, e.g.
 * `sys_platform == 'win32'` or `python_version >= '3.12'` ('' for all of them). Python runs are
 * open-ended at the oldest and newest covered minor, so markers of one package's entries never
 * overlap, not even outside the covered range.
 */
export class EnvironmentMarkers {
  private readonly keys: string[];
  private readonly minors: number[];
  private readonly covered = new Map<string, Set<number>>();

  /** `requested`: every environment asked for, including those left out (their Python minors bound the `environments` markers). */
  constructor(
    private readonly targets: readonly TargetInterpreter[],
    requested: readonly TargetInterpreter[] = targets,
  ) {
    const envs = targets.map(markerEnvironment);
    this.keys = [...new Set(envs.map(platformKey))];
    this.minors = [...new Set(requested.map((t) => t.version[1]))].sort((a, b) => a - b);
    envs.forEach((env, i) => {
      const key = platformKey(env);
      this.covered.set(key, (this.covered.get(key) ?? new Set()).add(targets[i]!.version[1]));
    });
  }

  /** The per-platform marker of the environments `indices`. */
  select(indices: readonly number[]): string {
    const want = new Map<string, Set<number>>();
    for (const i of indices) {
      const key = platformKey(markerEnvironment(this.targets[i]!));
      want.set(key, (want.get(key) ?? new Set()).add(this.targets[i]!.version[1]));
    }
    // Group platforms that need the same Python runs; name a whole sys_platform when all of its covered machines are in.
    const byPython = new Map<string, string[]>();
    for (const key of this.keys) {
      const minors = want.get(key);
      if (!minors) continue;
      const python = pythonPart(
        minors,
        [...this.covered.get(key)!].sort((a, b) => a - b),
      );
      byPython.set(python, [...(byPython.get(python) ?? []), key]);
    }
    const clauses = [...byPython].map(([python, keys]) => {
      const platform = keys.length === this.keys.length ? '' : this.platformsPart(keys);
      return [platform, python]
        .filter(Boolean)
        .map((p) => (platform && python ? paren(p) : p))
        .join(' and ');
    });
    if (clauses.includes('')) return '';
    return clauses.length === 1 ? clauses[0]! : clauses.map((c) => `(${c})`).join(' or ');
  }

  private platformsPart(keys: readonly string[]): string {
    const bySys = new Map<string, string[]>();
    for (const key of keys) {
      const sys = key.split('\u0000')[0]!;
      bySys.set(sys, [...(bySys.get(sys) ?? []), key]);
    }
    const parts = [...bySys].flatMap(([sys, mine]) => {
      const all = this.keys.filter((k) => k.split('\u0000')[0] === sys);
      return all.length === mine.length ? [`sys_platform == '${sys}'`] : mine.map(platformClause);
    });
    return parts.length === 1 ? parts[0]! : parts.map((p) => (p.includes(' and ') ? `(${p})` : p)).join(' or ');
  }

  /** PEP 751 `environments`: one marker per covered platform (with its Python runs within the covered minors). */
  environments(): string[] {
    return this.keys.map((key) => {
      const python = pythonPart(this.covered.get(key)!, this.minors);
      return python ? `${platformClause(key)} and ${paren(python)}` : platformClause(key);
    });
  }

  /**
   * Environments with the same markers (glibc and musl Linux on one machine type) cannot be told apart
   * by a package marker: they must agree on every version. `versions[i]` is environment i's name → version.
   */
  checkDistinguishable(versions: readonly Map<string, string>[]): void {
    const seen = new Map<string, number>();
    this.targets.forEach((t, i) => {
      const key = `${platformKey(markerEnvironment(t))}\u0000${t.version[1]}`;
      const j = seen.get(key);
      if (j === undefined) {
        seen.set(key, i);
        return;
      }
      for (const [name, version] of versions[i]!) {
        const other = versions[j]!.get(name);
        if (other !== undefined && other !== version) {
          throw new ResolverError(
            'RESOLUTION_CONFLICT',
            `The environments ${environmentPlatform(this.targets[j]!)} and ${environmentPlatform(t)} (CPython 3.${t.version[1]}) have the same markers but need ${name} ${other} and ${version}: a lock cannot tell them apart. Lock them separately or pin ${name} to a version with wheels for both.`,
          );
        }
      }
    });
  }
}
