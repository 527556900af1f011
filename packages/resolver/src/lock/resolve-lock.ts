import type { IndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import { markerEnvironment, parseRequirement } from '../fetch/fetch-artifacts.js';
import type { FetchProgress } from '../fetch/local-artifact.js';
import type { HttpOptions } from '../http/client.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Version } from '../pep440/version.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { normalizeName } from '../names.js';
import { universalTargets } from '../platform/environments.js';
import type {
  Lock,
  LockDependency,
  LockFile,
  LockPackage,
  LockRequirementSets,
  LockRoots,
  LockTarget,
} from './model.js';
import { lockRequiresPython } from './requires-python.js';
import { resolveTarget, type Resolved } from './resolve-target.js';
import { canonicalRequirement } from './select.js';
import { EnvironmentMarkers, UniversalResolver } from './universal.js';

export interface ResolveLockOptions {
  /** Project → its requirement strings, e.g. `{ 'my-service': ['requests>=2'], other: ['flask==3.1.0'] }`. */
  roots: LockRoots;
  index: IndexConfig;
  /** The lock holds a compatible wheel of every needed package for each target (unused by a universal lock). */
  targets: TargetInterpreter[];
  /**
   * Write a universal lock: one resolution for every environment of `environments` (default: every
   * CPython minor requires-python allows, up to the newest release, on the default platforms; see
   * `universalTargets`), forking where environments differ. No interpreter is needed; `targets` and
   * `buildSdists` are not used (every environment needs wheels).
   */
  universal?: boolean;
  /**
   * The environments of a universal lock (implies `universal`): PEP 508 markers (PEP 751
   * `environments` style, e.g. `sys_platform == 'darwin'`), platform tags (`musllinux_1_2_x86_64`)
   * or abbreviated platforms (`macosx_11_0_arm64-cp-312-cp312`).
   */
  environments?: string[];
  /**
   * How a universal lock shares versions (uv's `--fork-strategy`): `requires-python` (default) takes
   * the newest versions for each Python minor, one version across its platforms where it installs;
   * `fewest` also shares across Pythons (older Pythons decide first), forking only where a version
   * does not install.
   */
  forkStrategy?: 'requires-python' | 'fewest';
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
  return keys
    .filter((k) => env[k] !== undefined)
    .map((k) => `${k} == '${env[k]}'`)
    .join(' and ');
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

const canonicalList = (list: readonly string[]) => [...new Set(list.map(canonicalRequirement))].sort();

/** Group / extra names normalised (PEP 735 / PEP 685), requirements canonical. */
function canonicalSets(sets: LockRequirementSets | undefined): LockRequirementSets {
  const out: LockRequirementSets = {};
  for (const project of Object.keys(sets ?? {}).sort()) {
    const named: Record<string, string[]> = {};
    for (const [name, list] of Object.entries(sets![project]!))
      named[normalizeName(name)] = canonicalList([...(named[normalizeName(name)] ?? []), ...list]);
    out[project] = named;
  }
  return out;
}

const wrap = (m: string, many: boolean) => (many ? `(${m})` : m);

/**
 * An entry's marker: the targets that need it (all of them → no target clause), each with the
 * groups / extras it is needed for (none → no clause), e.g.
 * `'test' in dependency_groups` or `(python_version == '3.12' and …) and ('dev' in dependency_groups)`.
 */
function entryMarker(
  byTarget: Map<number, string>,
  count: number,
  targetsPart: (indices: number[]) => string,
): string | undefined {
  const byCondition = new Map<string, number[]>();
  for (const [i, condition] of [...byTarget].sort((a, b) => a[0] - b[0]))
    byCondition.set(condition, [...(byCondition.get(condition) ?? []), i]);
  const terms = [...byCondition]
    .sort((a, b) => a[1][0]! - b[1][0]!)
    .map(([condition, indices]) => {
      const targetPart = indices.length === count ? '' : targetsPart(indices);
      if (!condition) return targetPart;
      if (!targetPart) return condition;
      return `${wrap(targetPart, true)} and (${condition})`;
    });
  if (terms.some((t) => t === '')) return undefined;
  return terms.length === 1 ? terms[0] : terms.map((t) => `(${t})`).join(' or ');
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
  const universal = options.universal === true || options.environments !== undefined;
  if (!universal && options.targets.length === 0) {
    throw new ResolverError(
      'INVALID_CONFIG',
      'resolveLock needs at least one target interpreter (for example the result of inspectInterpreter("python3")).',
    );
  }
  validateRoots(options.roots);
  for (const [kind, sets] of [
    ['group', options.dependencyGroups],
    ['extra', options.extras],
  ] as const) {
    for (const [project, named] of Object.entries(sets ?? {})) {
      for (const [name, list] of Object.entries(named)) validateRoots({ [`${project} (${kind} ${name})`]: list });
    }
  }
  // A universal lock's environments come in resolution order (oldest Python first, see universalTargets).
  let targets = universal
    ? universalTargets(options.requiresPython, options.environments)
    : [...options.targets].sort(compareTargets);
  if (options.requiresPython !== undefined) {
    const range = new SpecifierSet(options.requiresPython);
    for (const t of targets) {
      if (!range.contains(t.version.join('.'), true)) {
        throw new ResolverError(
          'INVALID_CONFIG',
          `Target CPython ${t.version.join('.')} is outside requires-python ${options.requiresPython}. Drop that target or widen requires-python.`,
        );
      }
    }
  }
  const preferred = preferredVersions(options.preferences);
  const chosen = new Map<string, string>();
  const entries = new Map<string, Entry>();
  let results: (Map<string, Resolved> | undefined)[] = [];
  const forks = universal ? new UniversalResolver(options) : undefined;
  if (forks) {
    // A universal lock keeps its own per-fork preferences (see UniversalResolver), then the previous lock's.
    try {
      results = await forks.resolveAll(targets, (name) => preferred.get(name));
    } finally {
      await forks.close();
    }
  } else {
    for (const target of targets) {
      const resolved = await resolveTarget(options, target, (name) => chosen.get(name) ?? preferred.get(name));
      results.push(resolved);
      for (const [name, { artifact }] of resolved) if (!chosen.has(name)) chosen.set(name, artifact.version);
    }
  }
  // A universal lock leaves out the environments it could not resolve with wheels (recorded, see UniversalResolver).
  forks?.checkPlatformsLeft(targets, results);
  const requested = targets;
  targets = targets.filter((_, i) => results[i]);
  const perTarget = results.filter((r): r is Map<string, Resolved> => r !== undefined);
  const envMarkers = universal ? new EnvironmentMarkers(targets, requested) : undefined;
  envMarkers?.checkDistinguishable(
    perTarget.map((r) => new Map([...r].map(([name, { artifact }]) => [name, artifact.version]))),
  );
  for (const [i, resolved] of perTarget.entries()) {
    for (const [name, { artifact, index, condition }] of resolved) {
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
      else
        entry.wheels.set(artifact.filename, {
          name: artifact.filename,
          url: artifact.url,
          size: artifact.size,
          hashes: { sha256: artifact.sha256 },
        });
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
  const targetsPart = envMarkers
    ? (indices: number[]) => envMarkers.select(indices)
    : (indices: number[]) => indices.map((i) => wrap(markers[i]!, indices.length > 1)).join(' or ');
  const packages: LockPackage[] = [...entries.values()].map((e) => {
    const marker = entryMarker(e.targets, targets.length, targetsPart);
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
  const environments = envMarkers ? envMarkers.environments() : [...new Set(markers)].filter(Boolean);
  const names = (sets: LockRequirementSets) =>
    [...new Set(Object.values(sets).flatMap((named) => Object.keys(named)))].sort();
  const requiresPython =
    options.requiresPython === undefined ? undefined : lockRequiresPython(options.requiresPython, packages);
  // The projects' own range, when the packages narrowed it: what the lock is checked against.
  const projectsPython =
    options.requiresPython !== undefined && requiresPython !== options.requiresPython
      ? { requiresPython: options.requiresPython }
      : {};
  return {
    lockVersion: '1.0',
    ...(environments.length ? { environments } : {}),
    ...(requiresPython !== undefined ? { requiresPython } : {}),
    // PEP 751: written even when empty, so every installer reads the same request model. Nothing is a
    // default group: runtime packages carry no group marker, and an installer that treats "no group
    // requested" as the empty set (pex) installs the same as one that uses default-groups (pip, uv).
    extras: names(extras),
    dependencyGroups: names(groups),
    defaultGroups: [],
    createdBy: 'nx-pex',
    packages,
    nxPex: {
      ...projectsPython,
      roots,
      targets: lockTargets,
      ...(forks
        ? {
            universal: {
              environments: [...(options.environments ?? [])],
              ...(options.forkStrategy === 'fewest' ? { forkStrategy: 'fewest' as const } : {}),
              ...(forks.skipped.length ? { skipped: forks.skipped } : {}),
            },
          }
        : {}),
      ...(Object.keys(groups).length ? { groups } : {}),
      ...(Object.keys(extras).length ? { extras } : {}),
    },
  };
}
