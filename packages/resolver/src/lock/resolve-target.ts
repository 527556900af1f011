import {
  FetchSession,
  markerEnvironment,
  parseRequirement,
  solveWith,
  type FetchOptions,
} from '../fetch/fetch-artifacts.js';
import type { Release } from '../fetch/candidates.js';
import { mapLimit } from '@nx-pex/common';
import type { LocalArtifact } from '../fetch/local-artifact.js';
import { redactUrl } from '../http/credentials.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import { normalizeName } from '../names.js';
import type { LockFile } from './model.js';
import type { ResolveLockOptions } from './resolve-lock.js';

// One target's part of a lock: resolve (or take given decisions), record each chosen wheel and the
// conditions under which the target needs it. resolve-lock.ts assembles targets into a lock.

/** What the lock records of a chosen wheel (no local path: the wheel need not be downloaded). */
export type LockedWheel = Pick<
  LocalArtifact,
  'version' | 'filename' | 'url' | 'sha256' | 'size' | 'requiresDist' | 'requiresPython'
> & {
  /** Set when the wheel was built from this sdist: the lock records the sdist instead. */
  sdist?: LockFile;
};

/** What one target's resolution contributes to a lock entry. */
export interface Resolved {
  artifact: LockedWheel;
  index?: string;
  /** Names this package depends on in this target (markers and requested extras applied). */
  dependencies: string[];
  /** '' when the runtime roots need it, else the PEP 751 marker of the groups / extras that do. */
  condition: string;
}

/** PEP 503 page URL `<index>/<name>/` → the index base URL; undefined for find-links sources. */
function indexBase(source: string, name: string): string | undefined {
  const suffix = `/${name}/`;
  return source.endsWith(suffix) ? redactUrl(source.slice(0, -suffix.length + 1)) : undefined;
}

/**
 * The lock's record of a chosen wheel. When the index lists both its sha256 and its size (PEP 691 +
 * PEP 700), they are recorded as listed and the wheel is not downloaded (its metadata was already read
 * for the resolution; `fetchLocked` verifies the sha256 when the wheel is fetched); otherwise the wheel
 * is downloaded and measured. A wheel built from an sdist is recorded as that sdist (PEP 751 `sdist`).
 */
export async function lockedWheel(session: FetchSession, name: string, release: Release): Promise<LockedWheel> {
  const best = release.best;
  const sha256 = best?.file.hashes.sha256;
  const size = best?.file.size;
  if (best?.build) {
    const [built, sdist] = await Promise.all([session.download(name, release), session.sdistFile(name, best)]);
    return {
      ...built,
      sdist: { name: best.file.filename, url: best.file.url, size: sdist.size, hashes: { sha256: sdist.sha256 } },
    };
  }
  if (!best || !sha256 || size === undefined) return session.download(name, release);
  const metadata = await session.metadata(name, release);
  const requiresPython = metadata.requiresPython ?? best.file.requiresPython;
  return {
    version: best.version.toString(),
    filename: best.file.filename,
    url: best.file.url,
    sha256,
    size,
    requiresDist: metadata.requiresDist,
    ...(requiresPython ? { requiresPython } : {}),
  };
}

/** A named set of requirements the lock is resolved for: runtime roots, or a group / extra of a project. */
export interface RequirementSet {
  label: string;
  /** '' for runtime roots; else the PEP 751 marker clause that requests this set. */
  condition: string;
  requirements: Requirement[];
}

export function requirementSets(
  options: Pick<ResolveLockOptions, 'roots' | 'dependencyGroups' | 'extras'>,
): RequirementSet[] {
  const sets: RequirementSet[] = [];
  for (const project of Object.keys(options.roots).sort()) {
    sets.push({
      label: `project ${project}`,
      condition: '',
      requirements: options.roots[project]!.map((t) => Requirement.parse(t)),
    });
  }
  for (const [kind, variable, all] of [
    ['group', 'dependency_groups', options.dependencyGroups],
    ['extra', 'extras', options.extras],
  ] as const) {
    for (const project of Object.keys(all ?? {}).sort()) {
      for (const name of Object.keys(all![project]!).sort()) {
        sets.push({
          label: `project ${project} ${kind} ${name}`,
          condition: `'${normalizeName(name)}' in ${variable}`,
          requirements: all![project]![name]!.map((t) => Requirement.parse(t)),
        });
      }
    }
  }
  return sets;
}

/** The packages a set's requirements reach in `env` (each package's extras followed only as requested on that path). */
function reach(
  requirements: readonly Requirement[],
  env: MarkerEnvironment,
  requiresDist: Map<string, Requirement[]>,
): Set<string> {
  const seen = new Map<string, Set<string>>();
  const queue = requirements.filter((r) => r.appliesTo(env)).map((r) => ({ key: r.key, extras: r.normalizedExtras }));
  while (queue.length) {
    const { key, extras } = queue.shift()!;
    const deps = requiresDist.get(key);
    if (!deps) continue;
    const known = seen.get(key) ?? new Set<string>();
    seen.set(key, known);
    const fresh = ['', ...extras].filter((e) => !known.has(e));
    if (!fresh.length) continue;
    for (const e of fresh) known.add(e);
    for (const d of deps) if (d.appliesTo(env, fresh)) queue.push({ key: d.key, extras: d.normalizedExtras });
  }
  return new Set(seen.keys());
}

/** Package → '' when runtime roots reach it, else the `or` of the group / extra clauses that do. */
function packageConditions(
  sets: readonly RequirementSet[],
  env: MarkerEnvironment,
  requiresDist: Map<string, Requirement[]>,
): Map<string, string> {
  const clauses = new Map<string, Set<string>>();
  for (const set of sets) {
    for (const name of reach(set.requirements, env, requiresDist)) {
      const known = clauses.get(name) ?? new Set<string>();
      clauses.set(name, known);
      known.add(set.condition);
    }
  }
  return new Map([...clauses].map(([name, c]) => [name, c.has('') ? '' : [...c].sort().join(' or ')]));
}

/** The roots the requirement sets give in `env` (markers applied), with labels for conflict messages. */
export function rootsIn(
  sets: readonly RequirementSet[],
  env: MarkerEnvironment,
): { roots: Requirement[]; labels: string[] } {
  const roots: Requirement[] = [];
  const labels: string[] = [];
  for (const set of sets) {
    for (const r of set.requirements) {
      if (!r.appliesTo(env)) continue;
      roots.push(r);
      labels.push(set.label);
    }
  }
  return { roots, labels };
}

/** A fetch session for one target of a lock (no requirements of its own: the lock's solver drives it). */
export function lockSession(options: ResolveLockOptions, target: TargetInterpreter): FetchSession {
  return new FetchSession(sessionOptions(options, target));
}

export function sessionOptions(options: ResolveLockOptions, target: TargetInterpreter): FetchOptions {
  return {
    requirements: [],
    index: options.index,
    target,
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.http ? { http: options.http } : {}),
    ...(options.buildSdists ? { buildSdists: true } : {}),
  };
}

/**
 * What one target contributes to the lock, given its chosen releases and the extras requested of
 * each: the lock's record of each wheel, the dependencies in this target, and the group / extra
 * condition under which the target needs it.
 */
export async function resolvedFrom(
  session: FetchSession,
  env: MarkerEnvironment,
  sets: readonly RequirementSet[],
  decisions: Map<string, Release>,
  extras: Map<string, Set<string>>,
): Promise<Map<string, Resolved>> {
  const names = [...decisions.keys()];
  const artifacts = await mapLimit(names, 8, (name) => lockedWheel(session, name, decisions.get(name)!));
  const requiresDist = new Map(names.map((name, i) => [name, artifacts[i]!.requiresDist.map(parseRequirement)]));
  const conditions = packageConditions(sets, env, requiresDist);
  const resolved = new Map<string, Resolved>();
  names.forEach((name, i) => {
    const artifact = artifacts[i]!;
    const requested = ['', ...(extras.get(name) ?? [])];
    const dependencies = requiresDist
      .get(name)!
      .filter((d) => d.appliesTo(env, requested) && decisions.has(d.key))
      .map((d) => d.key);
    const index = indexBase(decisions.get(name)!.best!.file.source, name);
    resolved.set(name, { artifact, dependencies, condition: conditions.get(name) ?? '', ...(index ? { index } : {}) });
  });
  return resolved;
}

/** Resolve every project's roots together for one target: one version per package across the projects. A `given` session stays open. */
export async function resolveTarget(
  options: ResolveLockOptions,
  target: TargetInterpreter,
  preference: (name: string) => string | undefined,
  given?: FetchSession,
): Promise<Map<string, Resolved>> {
  const session = given ?? lockSession(options, target);
  const env = markerEnvironment(target);
  const sets = requirementSets(options);
  const { roots, labels } = rootsIn(sets, env);
  try {
    const { decisions, extras } = await solveWith(session, env, roots, labels, preference, options.constraints);
    return await resolvedFrom(session, env, sets, decisions, extras);
  } finally {
    if (!given) await session.close();
  }
}
