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
import type { Lock, LockDependency, LockFile, LockPackage, LockRoots, LockTarget } from './model.js';
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
}

/** What the lock records of a chosen wheel (no local path: the wheel need not be downloaded). */
type LockedWheel = Pick<LocalArtifact, 'version' | 'filename' | 'url' | 'sha256' | 'size' | 'requiresDist' | 'requiresPython'>;

/** What one target's resolution contributes to a lock entry. */
interface Resolved {
  artifact: LockedWheel;
  index?: string;
  /** Names this package depends on in this target (markers and requested extras applied). */
  dependencies: string[];
}

/** A lock entry being assembled from one or more targets' resolutions. */
interface Entry {
  name: string;
  version: string;
  requiresDist: string[];
  requiresPython?: string;
  index?: string;
  wheels: Map<string, LockFile>;
  targets: Set<number>;
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
 * for the resolution; `fetchLocked` verifies the sha256 when the wheel is fetched); otherwise, and for
 * wheels built from sdists, the wheel is downloaded and measured.
 */
async function lockedWheel(session: FetchSession, name: string, release: Release): Promise<LockedWheel> {
  const best = release.best;
  const sha256 = best?.file.hashes.sha256;
  const size = best?.file.size;
  if (!best || best.build || !sha256 || size === undefined) return session.download(name, release);
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

/** Resolve every project's roots together for one target: one version per package across the projects. */
async function resolveTarget(
  options: ResolveLockOptions,
  target: TargetInterpreter,
  preference: (name: string) => string | undefined,
): Promise<Map<string, Resolved>> {
  const env = markerEnvironment(target);
  const roots: Requirement[] = [];
  const labels: string[] = [];
  for (const project of Object.keys(options.roots).sort()) {
    for (const text of options.roots[project]!) {
      const r = Requirement.parse(text);
      if (!r.appliesTo(env)) continue;
      roots.push(r);
      labels.push(`project ${project}`);
    }
  }
  const session = new FetchSession({
    requirements: [],
    index: options.index,
    target,
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.http ? { http: options.http } : {}),
  });
  try {
    const { decisions, extras } = await solveWith(session, env, roots, labels, preference, options.constraints);
    const names = [...decisions.keys()];
    const artifacts = await mapLimit(names, 8, (name) => lockedWheel(session, name, decisions.get(name)!));
    const resolved = new Map<string, Resolved>();
    names.forEach((name, i) => {
      const artifact = artifacts[i]!;
      const requested = ['', ...(extras.get(name) ?? [])];
      const dependencies = artifact.requiresDist.map((t) => Requirement.parse(t))
        .filter((d) => d.appliesTo(env, requested) && decisions.has(d.key)).map((d) => d.key);
      const index = indexBase(decisions.get(name)!.best!.file.source, name);
      resolved.set(name, { artifact, dependencies, ...(index ? { index } : {}) });
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
    for (const [name, { artifact, index }] of resolved) {
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
          targets: new Set(),
          dependencies: new Map(),
        };
        entries.set(key, entry);
      }
      entry.targets.add(i);
      entry.wheels.set(artifact.filename, { name: artifact.filename, url: artifact.url, size: artifact.size, hashes: { sha256: artifact.sha256 } });
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
    const marker = e.targets.size === targets.length ? undefined
      : [...e.targets].sort().map((i) => (e.targets.size > 1 ? `(${markers[i]})` : markers[i])).join(' or ');
    return {
      name: e.name,
      version: e.version,
      ...(marker ? { marker } : {}),
      ...(e.requiresPython !== undefined ? { requiresPython: e.requiresPython } : {}),
      ...(e.dependencies.size ? { dependencies: [...e.dependencies.values()] } : {}),
      ...(e.index ? { index: e.index } : {}),
      wheels: [...e.wheels.values()],
      nxPex: { requiresDist: e.requiresDist },
    };
  });
  const lockTargets: LockTarget[] = targets.map((t, i) => ({ python: t.version.join('.'), ...(t.tags[0] ? { tag: t.tags[0] } : {}), markers: envs[i]! }));
  const roots: LockRoots = {};
  for (const project of Object.keys(options.roots).sort()) roots[project] = [...new Set(options.roots[project]!.map(canonicalRequirement))].sort();
  const environments = [...new Set(markers)].filter(Boolean);
  return {
    lockVersion: '1.0',
    ...(environments.length ? { environments } : {}),
    ...(options.requiresPython !== undefined ? { requiresPython: options.requiresPython } : {}),
    createdBy: 'nx-pex',
    packages,
    nxPex: { roots, targets: lockTargets },
  };
}
