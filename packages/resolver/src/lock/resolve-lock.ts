import type { IndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import type { Release } from '../fetch/candidates.js';
import { FetchSession, markerEnvironment, parseRequirement, solveWith } from '../fetch/fetch-artifacts.js';
import { mapLimit } from '../fetch/limit.js';
import type { FetchProgress, LocalArtifact } from '../fetch/local-artifact.js';
import type { HttpOptions } from '../http/client.js';
import { redactUrl } from '../http/credentials.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Version } from '../pep440/version.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import { normalizeName } from '../names.js';
import type { Lock, LockDependency, LockFile, LockPackage, LockRequirementSets, LockRoots, LockTarget } from './model.js';
import { canonicalRequirement } from './select.js';

export interface ResolveLockOptions {
  /** Project → its requirement strings, e.g. `{ 'my-service': ['requests>=2'], other: ['flask==3.1.0'] }`. */
  roots: LockRoots;
  index: IndexConfig;
  /** The lock holds a compatible wheel of every needed package for each target. */
  targets: TargetInterpreter[];
  /** Recorded as the lock's `requires-python`; every target must satisfy it. */
  requiresPython?: string;
  cacheDir?: string;
  /** Keep versions locked here while they still satisfy (like uv / pip-tools). */
  preferences?: Lock;
  onProgress?: (p: FetchProgress) => void;
  http?: HttpOptions;
  /** pip-style constraints: narrow a package when it is required, never add one. */
  constraints?: string[];
  /**
   * Project → PEP 735 dependency group → its requirements. Resolved together with the roots (one
   * version per package); a package only a group needs gets the PEP 751 marker
   * `'<group>' in dependency_groups`, so no installer puts it into a production install.
   */
  dependencyGroups?: LockRequirementSets;
  /** Project → extra → its requirements; extra-only packages get `'<extra>' in extras`. */
  extras?: LockRequirementSets;
  /**
   * Build a release with no compatible wheel from its sdist with each target's own interpreter
   * (`target.python`; see fetchArtifacts). The lock records the sdist (PEP 751 `sdist`), not the
   * built wheel: `fetchLocked` with `sdistPython` reuses the wheel cached by the sdist's sha256.
   */
  buildSdists?: boolean;
}

// Marker variables that describe the build machine's kernel, not what selects a wheel: a lock records
// neither, so re-locking on another machine of the same platform gives the same bytes.
const MACHINE_SPECIFIC = new Set(['platform_release', 'platform_version']);

/** What the lock records of a chosen wheel (no local path: the wheel need not be downloaded). */
type LockedWheel = Pick<LocalArtifact, 'version' | 'filename' | 'url' | 'sha256' | 'size' | 'requiresDist' | 'requiresPython'> & {
  /** Set when the wheel was built from this sdist: the lock records the sdist instead. */
  sdist?: LockFile;
};

/** What one target's resolution contributes to a lock entry. */
interface Resolved {
  artifact: LockedWheel;
  index?: string;
  /** Names this package depends on in this target (markers and requested extras applied). */
  dependencies: string[];
  /** '' when the runtime roots need it, else the PEP 751 marker of the groups / extras that do. */
  condition: string;
}

/** A lock entry being assembled from one or more targets' resolutions. */
interface Entry {
  name: string;
  version: string;
  requiresDist: string[];
  requiresPython?: string;
  index?: string;
  wheels: Map<string, LockFile>;
  sdist?: LockFile;
  /** Target index → the condition (see Resolved.condition) under which that target needs it. */
  targets: Map<number, string>;
  dependencies: Map<string, LockDependency>;
}

/** The PEP 508 marker that singles out a target (used for `environments` and per-package markers). */
export function targetMarker(env: MarkerEnvironment): string {
  const keys = ['python_version', 'implementation_name', 'sys_platform', 'platform_machine'];
  return keys.filter((k) => env[k] !== undefined).map((k) => `${k} == '${env[k]}'`).join(' and ');
}

/** PEP 503 page URL `<index>/<name>/` → the index base URL; undefined for find-links sources. */
function indexBase(source: string, name: string): string | undefined {
  const suffix = `/${name}/`;
  return source.endsWith(suffix) ? redactUrl(source.slice(0, -suffix.length + 1)) : undefined;
}

function preferredVersions(lock: Lock | undefined): Map<string, string> {
  const preferred = new Map<string, string>();
  for (const pkg of lock?.packages ?? []) {
    if (pkg.version === undefined) continue;
    const known = preferred.get(pkg.name);
    if (!known || Version.parse(pkg.version).compare(Version.parse(known)) > 0) preferred.set(pkg.name, pkg.version);
  }
  return preferred;
}

function compareTargets(a: TargetInterpreter, b: TargetInterpreter): number {
  const v = Version.parse(a.version.join('.')).compare(Version.parse(b.version.join('.')));
  if (v !== 0) return v;
  const ta = a.tags[0] ?? '';
  const tb = b.tags[0] ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

function validateRoots(roots: LockRoots): void {
  for (const [project, list] of Object.entries(roots)) {
    for (const text of list) {
      try {
        parseRequirement(text);
      } catch (err) {
        throw new ResolverError('INVALID_REQUIREMENT', `Project ${project}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}

/**
 * The lock's record of a chosen wheel. When the index lists both its sha256 and its size (PEP 691 +
 * PEP 700), they are recorded as listed and the wheel is not downloaded (its metadata was already read
 * for the resolution; `fetchLocked` verifies the sha256 when the wheel is fetched); otherwise the wheel
 * is downloaded and measured. A wheel built from an sdist is recorded as that sdist (PEP 751 `sdist`).
 */
async function lockedWheel(session: FetchSession, name: string, release: Release): Promise<LockedWheel> {
  const best = release.best;
  const sha256 = best?.file.hashes.sha256;
  const size = best?.file.size;
  if (best?.build) {
    const [built, sdist] = await Promise.all([session.download(name, release), session.sdistFile(name, best)]);
    return { ...built, sdist: { name: best.file.filename, url: best.file.url, size: sdist.size, hashes: { sha256: sdist.sha256 } } };
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

const canonicalList = (list: readonly string[]) => [...new Set(list.map(canonicalRequirement))].sort();

/** Group / extra names normalised (PEP 735 / PEP 685), requirements canonical. */
function canonicalSets(sets: LockRequirementSets | undefined): LockRequirementSets {
  const out: LockRequirementSets = {};
  for (const project of Object.keys(sets ?? {}).sort()) {
    const named: Record<string, string[]> = {};
    for (const [name, list] of Object.entries(sets![project]!)) named[normalizeName(name)] = canonicalList([...(named[normalizeName(name)] ?? []), ...list]);
    out[project] = named;
  }
  return out;
}

/** A named set of requirements the lock is resolved for: runtime roots, or a group / extra of a project. */
interface RequirementSet {
  label: string;
  /** '' for runtime roots; else the PEP 751 marker clause that requests this set. */
  condition: string;
  requirements: Requirement[];
}

function requirementSets(options: ResolveLockOptions): RequirementSet[] {
  const sets: RequirementSet[] = [];
  for (const project of Object.keys(options.roots).sort()) {
    sets.push({ label: `project ${project}`, condition: '', requirements: options.roots[project]!.map((t) => Requirement.parse(t)) });
  }
  for (const [kind, variable, all] of [['group', 'dependency_groups', options.dependencyGroups], ['extra', 'extras', options.extras]] as const) {
    for (const project of Object.keys(all ?? {}).sort()) {
      for (const name of Object.keys(all![project]!).sort()) {
        sets.push({ label: `project ${project} ${kind} ${name}`, condition: `'${normalizeName(name)}' in ${variable}`, requirements: all![project]![name]!.map((t) => Requirement.parse(t)) });
      }
    }
  }
  return sets;
}

/** The packages a set's requirements reach in `env` (each package's extras followed only as requested on that path). */
function reach(requirements: readonly Requirement[], env: MarkerEnvironment, requiresDist: Map<string, Requirement[]>): Set<string> {
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
function packageConditions(sets: readonly RequirementSet[], env: MarkerEnvironment, requiresDist: Map<string, Requirement[]>): Map<string, string> {
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

/**
 * An entry's marker: the targets that need it (all of them → no target clause), each with the
 * groups / extras it is needed for (none → no clause), e.g.
 * `'test' in dependency_groups` or `(python_version == '3.12' and …) and ('dev' in dependency_groups)`.
 */
function entryMarker(byTarget: Map<number, string>, targetMarkers: readonly string[]): string | undefined {
  const byCondition = new Map<string, number[]>();
  for (const [i, condition] of [...byTarget].sort((a, b) => a[0] - b[0])) byCondition.set(condition, [...(byCondition.get(condition) ?? []), i]);
  const wrap = (m: string, many: boolean) => (many ? `(${m})` : m);
  const terms = [...byCondition].sort((a, b) => a[1][0]! - b[1][0]!).map(([condition, indices]) => {
    const all = indices.length === targetMarkers.length;
    const targetPart = all ? '' : indices.map((i) => wrap(targetMarkers[i]!, indices.length > 1)).join(' or ');
    if (!condition) return targetPart;
    if (!targetPart) return condition;
    return `${wrap(targetPart, true)} and (${condition})`;
  });
  if (terms.some((t) => t === '')) return undefined;
  return terms.length === 1 ? terms[0] : terms.map((t) => `(${t})`).join(' or ');
}

/** Resolve every project's roots together for one target: one version per package across the projects. */
async function resolveTarget(
  options: ResolveLockOptions,
  target: TargetInterpreter,
  preference: (name: string) => string | undefined,
): Promise<Map<string, Resolved>> {
  const env = markerEnvironment(target);
  const roots: Requirement[] = [];
  const labels: string[] = [];
  const sets = requirementSets(options);
  for (const set of sets) {
    for (const r of set.requirements) {
      if (!r.appliesTo(env)) continue;
      roots.push(r);
      labels.push(set.label);
    }
  }
  const session = new FetchSession({
    requirements: [],
    index: options.index,
    target,
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.http ? { http: options.http } : {}),
    ...(options.buildSdists ? { buildSdists: true } : {}),
  });
  try {
    const { decisions, extras } = await solveWith(session, env, roots, labels, preference, options.constraints);
    const names = [...decisions.keys()];
    const artifacts = await mapLimit(names, 8, (name) => lockedWheel(session, name, decisions.get(name)!));
    const requiresDist = new Map(names.map((name, i) => [name, artifacts[i]!.requiresDist.map((t) => Requirement.parse(t))]));
    const conditions = packageConditions(sets, env, requiresDist);
    const resolved = new Map<string, Resolved>();
    names.forEach((name, i) => {
      const artifact = artifacts[i]!;
      const requested = ['', ...(extras.get(name) ?? [])];
      const dependencies = artifact.requiresDist.map((t) => Requirement.parse(t))
        .filter((d) => d.appliesTo(env, requested) && decisions.has(d.key)).map((d) => d.key);
      const index = indexBase(decisions.get(name)!.best!.file.source, name);
      resolved.set(name, { artifact, dependencies, condition: conditions.get(name) ?? '', ...(index ? { index } : {}) });
    });
    return resolved;
  } finally {
    await session.close();
  }
}

/**
 * Resolve the roots of every project that shares the lock, for each target, into one PEP 751 lock.
 *
 * Targets are resolved one after another (sorted, so the input order does not matter), each
 * preferring the versions chosen for the targets before it, then the `preferences` lock. Packages
 * are the union; an entry needed by only some targets gets a marker naming them, and a package
 * resolved to different versions on different targets gets one entry per version with such a marker.
 * Each entry holds the best wheel for every target that needs it.
 */
export async function resolveLock(options: ResolveLockOptions): Promise<Lock> {
  if (options.targets.length === 0) {
    throw new ResolverError('INVALID_CONFIG', 'resolveLock needs at least one target interpreter (for example the result of inspectInterpreter("python3")).');
  }
  validateRoots(options.roots);
  for (const [kind, sets] of [['group', options.dependencyGroups], ['extra', options.extras]] as const) {
    for (const [project, named] of Object.entries(sets ?? {})) {
      for (const [name, list] of Object.entries(named)) validateRoots({ [`${project} (${kind} ${name})`]: list });
    }
  }
  const targets = [...options.targets].sort(compareTargets);
  if (options.requiresPython !== undefined) {
    const range = new SpecifierSet(options.requiresPython);
    for (const t of targets) {
      if (!range.contains(t.version.join('.'), true)) {
        throw new ResolverError('INVALID_CONFIG', `Target CPython ${t.version.join('.')} is outside requires-python ${options.requiresPython}. Drop that target or widen requires-python.`);
      }
    }
  }
  const preferred = preferredVersions(options.preferences);
  const chosen = new Map<string, string>();
  const entries = new Map<string, Entry>();
  const perTarget: Map<string, Resolved>[] = [];
  for (const [i, target] of targets.entries()) {
    const resolved = await resolveTarget(options, target, (name) => chosen.get(name) ?? preferred.get(name));
    perTarget.push(resolved);
    for (const [name, { artifact, index, condition }] of resolved) {
      if (!chosen.has(name)) chosen.set(name, artifact.version);
      const key = `${name}@${artifact.version}`;
      let entry = entries.get(key);
      if (!entry) {
        entry = {
          name,
          version: artifact.version,
          requiresDist: artifact.requiresDist,
          ...(artifact.requiresPython !== undefined ? { requiresPython: artifact.requiresPython } : {}),
          ...(index ? { index } : {}),
          wheels: new Map(),
          targets: new Map(),
          dependencies: new Map(),
        };
        entries.set(key, entry);
      }
      entry.targets.set(i, condition);
      if (artifact.sdist) entry.sdist = artifact.sdist;
      else entry.wheels.set(artifact.filename, { name: artifact.filename, url: artifact.url, size: artifact.size, hashes: { sha256: artifact.sha256 } });
    }
  }
  // Informational PEP 751 `dependencies`: the entries each package pulled in, per target.
  for (const resolved of perTarget) {
    for (const [name, { artifact, dependencies }] of resolved) {
      const entry = entries.get(`${name}@${artifact.version}`)!;
      for (const dep of dependencies) {
        const version = resolved.get(dep)!.artifact.version;
        entry.dependencies.set(`${dep}@${version}`, { name: dep, version });
      }
    }
  }
  const envs = targets.map(markerEnvironment);
  const markers = envs.map(targetMarker);
  const packages: LockPackage[] = [...entries.values()].map((e) => {
    const marker = entryMarker(e.targets, markers);
    return {
      name: e.name,
      version: e.version,
      ...(marker ? { marker } : {}),
      ...(e.requiresPython !== undefined ? { requiresPython: e.requiresPython } : {}),
      ...(e.dependencies.size ? { dependencies: [...e.dependencies.values()] } : {}),
      ...(e.index ? { index: e.index } : {}),
      wheels: [...e.wheels.values()],
      ...(e.sdist ? { sdist: e.sdist } : {}),
      nxPex: { requiresDist: e.requiresDist },
    };
  });
  const lockTargets: LockTarget[] = targets.map((t, i) => ({
    python: t.version.join('.'),
    ...(t.tags[0] ? { tag: t.tags[0] } : {}),
    markers: Object.fromEntries(Object.entries(envs[i]!).filter(([k]) => !MACHINE_SPECIFIC.has(k))),
  }));
  const roots: LockRoots = {};
  for (const project of Object.keys(options.roots).sort()) roots[project] = canonicalList(options.roots[project]!);
  const groups = canonicalSets(options.dependencyGroups);
  const extras = canonicalSets(options.extras);
  const environments = [...new Set(markers)].filter(Boolean);
  const names = (sets: LockRequirementSets) => [...new Set(Object.values(sets).flatMap((named) => Object.keys(named)))].sort();
  return {
    lockVersion: '1.0',
    ...(environments.length ? { environments } : {}),
    ...(options.requiresPython !== undefined ? { requiresPython: options.requiresPython } : {}),
    // PEP 751: written even when empty, so every installer reads the same request model. Nothing is a
    // default group: runtime packages carry no group marker, and an installer that treats "no group
    // requested" as the empty set (pex) installs the same as one that uses default-groups (pip, uv).
    extras: names(extras),
    dependencyGroups: names(groups),
    defaultGroups: [],
    createdBy: 'nx-pex',
    packages,
    nxPex: {
      roots,
      targets: lockTargets,
      ...(Object.keys(groups).length ? { groups } : {}),
      ...(Object.keys(extras).length ? { extras } : {}),
    },
  };
}
