import { createHash } from 'node:crypto';
import { ResolverError } from '../errors.js';
import { markerEnvironment } from '../fetch/fetch-artifacts.js';
import { lockedFilename } from '../filename/locked.js';
import { parseSdistFilename } from '../filename/sdist.js';
import { tryParseWheelFilename } from '../filename/wheel.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Version } from '../pep440/version.js';
import { normalizeName } from '../names.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import { formatLock } from './format.js';
import { lockFileContext, lockMarkerHolds, NO_REQUEST, type LockFileContext } from './lock-markers.js';
import type { Lock, LockedArtifact, LockFile, LockPackage, LockTarget } from './model.js';

/** A requirement string in the form nx-pex records roots in (normalised name and extras, sorted specifiers). */
export function canonicalRequirement(text: string): string {
  const r = Requirement.parse(text);
  let s = r.key;
  const extras = r.normalizedExtras.sort();
  if (extras.length) s += `[${extras.join(',')}]`;
  if (r.url) s += ` @ ${r.url}`;
  else s += r.specifier.toString();
  if (r.marker) s += `${r.url ? ' ' : ''}; ${r.marker.toString()}`;
  return s;
}

/** What a selection installs besides the project's runtime requirements, and the project's own requirements. */
export interface LockSelection {
  /** Extras of the project to install (PEP 751 `extras` marker variable); default none. */
  extras?: readonly string[];
  /** Dependency groups to install (PEP 751 `dependency_groups`); default: the lock's `default-groups`. */
  dependencyGroups?: readonly string[];
  /**
   * The project's own requirements (pyproject `[project] dependencies`): for a lock written by another
   * tool whose entries record `dependencies`, the walk starts from them (as `pex --pylock` with
   * requirements does); without `dependencies`, every package whose marker holds is installed.
   */
  requirements?: readonly string[];
  /** The lock's file, for messages (default `pylock.toml`). */
  lockFile?: string;
}

/** True when the lock records nx-pex roots (a lock nx-pex wrote, or imported from uv.lock / requirements.txt). */
export function hasNxPexRoots(lock: Lock): boolean {
  return lock.nxPex !== undefined && Object.keys(lock.nxPex.roots).length > 0;
}

function rootsOf(lock: Lock, project: string): string[] {
  const roots = lock.nxPex?.roots[project];
  if (!roots) {
    const known = Object.keys(lock.nxPex?.roots ?? {}).sort();
    throw new ResolverError(
      'LOCK_MISSING_PROJECT',
      `The lock has no roots for project ${project} (it was made for ${known.length ? known.join(', ') : 'no nx-pex project'}). Run \`nx run ${project}:lock\` to add it.`,
    );
  }
  return roots;
}

/** The requirements of the named groups / extras of `project` recorded in the lock (LOCK_OUTDATED when one is missing). */
function setRequirements(lock: Lock, project: string, kind: 'groups' | 'extras', names: readonly string[]): string[] {
  const recorded = lock.nxPex?.[kind]?.[project] ?? {};
  return names.flatMap((name) => {
    const list = recorded[normalizeName(name)];
    if (!list) {
      const what = kind === 'groups' ? 'dependency group' : 'extra';
      throw new ResolverError(
        'LOCK_OUTDATED',
        `The lock has no ${what} ${name} for project ${project} (it has ${Object.keys(recorded).sort().join(', ') || 'none'}). Run \`nx run ${project}:lock\`.`,
      );
    }
    return list;
  });
}

/** The lock entry a requirement selects in `env`: name and specifier match, marker holds; highest version wins. */
function entryFor(
  lock: Lock,
  requirement: Requirement,
  env: MarkerEnvironment | undefined,
  context: LockFileContext,
): LockPackage | undefined {
  const matching = lock.packages.filter(
    (p) =>
      p.name === requirement.key &&
      (p.version === undefined || requirement.specifier.contains(p.version, true)) &&
      lockMarkerHolds(p.marker, env, context),
  );
  return matching.sort((a, b) => Version.parse(b.version ?? '0').compare(Version.parse(a.version ?? '0')))[0];
}

function describeEntry(p: LockPackage): string {
  return p.version === undefined ? p.name : `${p.name} ${p.version}`;
}

/** True when no entry records an edge (Requires-Dist or `dependencies`): the lock is a closed set of pins. */
function isClosedSet(lock: Lock): boolean {
  return !lock.packages.some((p) => p.nxPex || p.dependencies !== undefined);
}

/**
 * The entries of `lock` that `roots` need in `env`, roots first then dependencies breadth-first:
 * Requires-Dist recorded in `[packages.tool.nx-pex]` with markers evaluated for `env` and the
 * extras requested so far; entries without it follow PEP 751 `dependencies`. With no `env`
 * (a lock that records no targets) every edge found in the lock is followed. A lock with no edges at
 * all (an imported requirements.txt) is a closed set: every entry whose marker holds, roots checked.
 */
export function walkLock(
  lock: Lock,
  roots: readonly string[],
  env: MarkerEnvironment | undefined,
  project: string,
  context: LockFileContext = NO_REQUEST,
): LockPackage[] {
  const order: LockPackage[] = [];
  const scanned = new Map<LockPackage, Set<string>>();
  const queue: { requirement: Requirement; by: string }[] = [];
  for (const root of roots) {
    const requirement = Requirement.parse(root);
    if (!env || requirement.appliesTo(env)) queue.push({ requirement, by: `project ${project}` });
  }
  const closed = isClosedSet(lock);
  while (queue.length) {
    const { requirement, by } = queue.shift()!;
    const entry = entryFor(lock, requirement, env, context);
    if (!entry) {
      if (!env) continue;
      throw new ResolverError(
        'LOCK_OUTDATED',
        `The lock has no package satisfying ${requirement.toString()} (required by ${by}) for this target. The lock is out of date: run \`nx run ${project}:lock\`.`,
      );
    }
    let seen = scanned.get(entry);
    if (!seen) {
      seen = new Set();
      scanned.set(entry, seen);
      order.push(entry);
    }
    const extras = ['', ...requirement.normalizedExtras].filter((e) => !seen.has(e));
    if (extras.length === 0) continue;
    for (const e of extras) seen.add(e);
    const from = describeEntry(entry);
    if (entry.nxPex) {
      for (const text of entry.nxPex.requiresDist) {
        const dep = Requirement.parse(text);
        // Only edges enabled by the newly requested extras ('' = the base dependencies).
        if (!env || dep.appliesTo(env, extras)) queue.push({ requirement: dep, by: from });
      }
    } else if (extras.includes('')) {
      for (const d of entry.dependencies ?? []) {
        queue.push({
          requirement: Requirement.parse(d.version === undefined ? d.name : `${d.name}==${d.version}`),
          by: from,
        });
      }
    }
  }
  if (closed)
    for (const p of lock.packages) if (!scanned.has(p) && lockMarkerHolds(p.marker, env, context)) order.push(p);
  return order;
}

const filenameOf = (file: LockFile): string | undefined => lockedFilename(file);

/** The wheel of `pkg` with the best tag for `tags` (earliest), then the highest build number. */
function bestWheel(pkg: LockPackage, tagIndex: Map<string, number>): { file: LockFile; filename: string } | undefined {
  let best: { file: LockFile; filename: string; rank: number; build: number } | undefined;
  for (const file of pkg.wheels) {
    const filename = filenameOf(file);
    const parsed = filename === undefined ? undefined : tryParseWheelFilename(filename);
    if (!parsed || file.url === undefined) continue;
    const rank = Math.min(...parsed.tags.map((t) => tagIndex.get(t) ?? Infinity));
    const build = parsed.build?.number ?? -1;
    if (rank === Infinity) continue;
    if (!best || rank < best.rank || (rank === best.rank && build > best.build))
      best = { file, filename: filename!, rank, build };
  }
  return best;
}

function describeTarget(target: TargetInterpreter): string {
  return `CPython ${target.version.join('.')} (${target.tags[0] ?? 'no tags'})`;
}

function fail(
  code: 'INVALID_LOCK' | 'LOCK_OUTDATED' | 'NO_COMPATIBLE_WHEEL' | 'INVALID_CONFIG' | 'LOCK_PLATFORM_NOT_COVERED',
  message: string,
): never {
  throw new ResolverError(code, message);
}

/**
 * A universal lock serves exactly the environments it was resolved for: the target must have the
 * Python minor, implementation and platform markers of one of them and accept that environment's
 * platform (its best tag is among the target's tags: a macOS 14 target accepts the macOS 11
 * environment's wheels, a musl target does not accept manylinux ones).
 */
function checkCovered(
  lock: Lock,
  target: TargetInterpreter,
  env: MarkerEnvironment,
  file: string,
  project: string,
): void {
  const tags = new Set(target.tags.map((t) => t.toLowerCase()));
  const same = (t: LockTarget) =>
    ['python_version', 'implementation_name', 'sys_platform', 'platform_machine'].every((k) => t.markers[k] === env[k]);
  if ((lock.nxPex?.targets ?? []).some((t) => same(t) && t.tag !== undefined && tags.has(t.tag.toLowerCase()))) return;
  const platform = target.tags[0]?.split('-')[2] ?? 'its platform';
  const [major, minor] = target.version;
  const asked = lock.nxPex!.universal!.environments;
  const skipped = (lock.nxPex!.universal!.skipped ?? []).filter((s) => s.includes(`-cp-${major}${minor}-`));
  const why = skipped.length ? ` When it was made, ${skipped.join('; ')}.` : '';
  fail(
    'LOCK_PLATFORM_NOT_COVERED',
    `${file} is a universal lock that does not cover CPython ${major}.${minor} on ${platform} (it covers ${(lock.environments ?? []).map((m) => JSON.stringify(m)).join(', ') || 'no environment'}${lock.requiresPython ? ` with requires-python ${lock.requiresPython}` : ''}). Add "${platform}" (or "${platform}-cp-${major}${minor}-cp${major}${minor}") to the lock's environments${asked.length ? ` (now ${asked.map((e) => JSON.stringify(e)).join(', ')})` : ' (now the defaults)'} and re-lock (\`nx run ${project}:lock\`).${why}`,
  );
}

/** PEP 751 installation steps 1–4: the request's extras/groups are declared, requires-python and environments hold. */
function checkInstallable(
  lock: Lock,
  target: TargetInterpreter,
  env: MarkerEnvironment,
  request: LockSelection,
  project: string,
): LockFileContext {
  const python = target.version.join('.');
  if (lock.requiresPython && !new SpecifierSet(lock.requiresPython).contains(python, true)) {
    fail(
      'NO_COMPATIBLE_WHEEL',
      `The lock requires Python ${lock.requiresPython} but the target is ${describeTarget(target)}. Use a matching interpreter or change requires-python and re-lock (\`nx run ${project}:lock\`).`,
    );
  }
  if (lock.nxPex?.universal) checkCovered(lock, target, env, request.lockFile ?? 'pylock.toml', project);
  // nx-pex's own locks keep their earlier leniency (a target with compatible wheels but not among the
  // locked environments still selects; the walk follows per-target markers); another tool's lock is
  // held to PEP 751 step 4.
  if (!hasNxPexRoots(lock) && lock.environments?.length && !lock.environments.some((m) => lockMarkerHolds(m, env))) {
    fail(
      'NO_COMPATIBLE_WHEEL',
      `The lock was made for the environments ${lock.environments.map((m) => JSON.stringify(m)).join(', ')}; ${describeTarget(target)} is none of them. Add this interpreter to the lock's targets and re-lock (\`nx run ${project}:lock\`).`,
    );
  }
  // PEP 751: extras default to none, dependency groups to `default-groups`.
  const context = lockFileContext(request.extras ?? [], request.dependencyGroups ?? lock.defaultGroups ?? []);
  if (!hasNxPexRoots(lock)) {
    const declare = (asked: ReadonlySet<string>, declared: readonly string[], what: string) => {
      const known = new Set(declared.map(normalizeName));
      const missing = [...asked].filter((n) => !known.has(n));
      if (missing.length)
        fail(
          'INVALID_CONFIG',
          `The lock declares no ${what} ${missing.join(', ')} (it has ${declared.join(', ') || 'none'}). Request only those, or regenerate the lock with them.`,
        );
    };
    declare(context.extras, lock.extras ?? [], 'extra');
    declare(
      context.dependencyGroups,
      [...(lock.dependencyGroups ?? []), ...(lock.defaultGroups ?? [])],
      'dependency group',
    );
  }
  return context;
}

/**
 * A lock written by another tool (no nx-pex roots), as PEP 751 installs it: every package whose
 * marker holds for the request — or, when entries record `dependencies` and the project's
 * requirements are given, the packages reached from those requirements through `dependencies` (an
 * edge to a package whose marker does not hold is conditional and skipped). Local `directory`
 * entries are workspace projects nx-pex builds itself; vcs and archive sources are refused.
 */
function foreignEntries(
  lock: Lock,
  env: MarkerEnvironment,
  context: LockFileContext,
  request: LockSelection,
  project: string,
): LockPackage[] {
  const applicable = lock.packages.filter((p) => lockMarkerHolds(p.marker, env, context));
  const byName = (name: string) => applicable.filter((p) => p.name === name);
  let chosen: LockPackage[];
  if (request.requirements && lock.packages.some((p) => p.dependencies !== undefined)) {
    chosen = [];
    const seen = new Set<LockPackage>();
    const queue: { name: string; accepts: (p: LockPackage) => boolean }[] = [];
    for (const text of request.requirements) {
      const r = Requirement.parse(text);
      if (!r.appliesTo(env)) continue;
      queue.push({ name: r.key, accepts: (p) => p.version === undefined || r.specifier.contains(p.version, true) });
      if (!byName(r.key).some(queue.at(-1)!.accepts)) {
        fail(
          'LOCK_OUTDATED',
          `The lock has no package satisfying ${text} (required by project ${project}) for this target. The lock is out of date: regenerate it with the tool that wrote it (${lock.createdBy}).`,
        );
      }
    }
    while (queue.length) {
      const { name, accepts } = queue.shift()!;
      for (const p of byName(name).filter(accepts)) {
        if (seen.has(p)) continue;
        seen.add(p);
        chosen.push(p);
        for (const d of p.dependencies ?? [])
          queue.push({
            name: d.name,
            accepts: (q) =>
              d.version === undefined ||
              q.version === undefined ||
              Version.parse(q.version).compare(Version.parse(d.version)) === 0,
          });
      }
    }
  } else {
    chosen = applicable;
  }
  const named = new Map<string, LockPackage>();
  for (const p of chosen) {
    // PEP 751: two instances of one package slated for installation is an error.
    const other = named.get(p.name);
    if (other)
      fail(
        'INVALID_LOCK',
        `The lock selects two entries of ${p.name} (${describeEntry(other)} and ${describeEntry(p)}) for this target; PEP 751 requires one. Regenerate the lock (${lock.createdBy}).`,
      );
    named.set(p.name, p);
    if (p.direct?.kind === 'vcs' || p.direct?.kind === 'archive') {
      fail(
        'INVALID_LOCK',
        `The lock installs ${p.name} from a ${p.direct.kind} source (${p.direct.url ?? p.direct.path ?? ''}); nx-pex installs wheels verified by sha256 only. Publish it to an index, or make it a workspace project.`,
      );
    }
  }
  return chosen.filter((p) => p.direct?.kind !== 'directory');
}

/**
 * PEP 751: with no compatible wheel an installer may build the `sdist`. Selected only when the lock
 * records its url and a filename that parses (the artifact's `.tar.gz` filename tells `fetchLocked`
 * to build it).
 */
function lockedSdist(pkg: LockPackage): { filename: string; file: LockFile } | undefined {
  const filename = pkg.sdist ? filenameOf(pkg.sdist) : undefined;
  if (!pkg.sdist?.url || !filename || !parseSdistFilename(filename, pkg.name)) return undefined;
  return { filename, file: pkg.sdist };
}

function artifactFor(
  pkg: LockPackage,
  target: TargetInterpreter,
  tagIndex: Map<string, number>,
  project: string,
): LockedArtifact {
  const python = target.version.join('.');
  if (pkg.requiresPython && !new SpecifierSet(pkg.requiresPython).contains(python, true)) {
    fail(
      'NO_COMPATIBLE_WHEEL',
      `The lock's ${describeEntry(pkg)} requires Python ${pkg.requiresPython} but the target is ${describeTarget(target)}. Re-lock for this interpreter (\`nx run ${project}:lock\`).`,
    );
  }
  const chosen = bestWheel(pkg, tagIndex) ?? lockedSdist(pkg);
  if (!chosen) {
    const held = pkg.wheels.map(filenameOf).filter(Boolean).join(', ') || (pkg.sdist ? 'only an sdist' : 'no files');
    fail(
      'NO_COMPATIBLE_WHEEL',
      `The lock has no wheel of ${describeEntry(pkg)} for ${describeTarget(target)} (it holds ${held}). Add this interpreter to the lock's targets and re-lock (\`nx run ${project}:lock\`).`,
    );
  }
  const sha256 = chosen.file.hashes.sha256;
  if (!sha256) {
    fail(
      'INVALID_LOCK',
      `The lock records no sha256 for ${chosen.filename} (${describeEntry(pkg)}); nx-pex verifies wheels by sha256. Re-lock (\`nx run ${project}:lock\`).`,
    );
  }
  return {
    name: pkg.name,
    version:
      pkg.version ??
      tryParseWheelFilename(chosen.filename)?.version ??
      parseSdistFilename(chosen.filename, pkg.name)!.version,
    filename: chosen.filename,
    url: chosen.file.url!,
    sha256,
    ...(chosen.file.size !== undefined ? { size: chosen.file.size } : {}),
  };
}

/**
 * Offline: the wheels `project` needs on `target`, from the lock alone, best wheel per package for
 * the target's tags.
 * - A lock with nx-pex roots: a walk from the project's roots (plus the requested dependency groups'
 *   and extras' requirements recorded for it) through the locked Requires-Dist, markers evaluated
 *   for the target; roots first.
 * - A lock from another tool (pip lock, uv export, pex3 lock export): PEP 751's installation rules
 *   (requires-python, environments, package markers with `extras` / `dependency_groups`), see
 *   `LockSelection.requirements` for locks that record `dependencies`.
 */
export function selectFromLock(
  lock: Lock,
  project: string,
  target: TargetInterpreter,
  request: LockSelection = {},
): LockedArtifact[] {
  const env = markerEnvironment(target);
  const context = checkInstallable(lock, target, env, request, project);
  let entries: LockPackage[];
  if (hasNxPexRoots(lock)) {
    const roots = [
      ...rootsOf(lock, project),
      ...setRequirements(lock, project, 'groups', request.dependencyGroups ?? []),
      ...setRequirements(lock, project, 'extras', request.extras ?? []),
    ];
    entries = walkLock(lock, roots, env, project, context);
  } else {
    entries = foreignEntries(lock, env, context, request, project);
  }
  const tagIndex = new Map(target.tags.map((t, i) => [t.toLowerCase(), i] as const));
  return entries.map((pkg) => artifactFor(pkg, target, tagIndex, project));
}

/** A recorded target's environment for walking: kernel variables are not recorded (they select no wheel), so they read as ''. */
export function recordedEnvironment(target: LockTarget): MarkerEnvironment {
  return { platform_release: '', platform_version: '', ...target.markers };
}

/**
 * sha256 (hex) of the canonical text of `project`'s part of the lock for a request (default: the
 * runtime install): its roots and the requested dependency groups / extras, the targets, and every
 * entry reachable from them on any recorded target (all their files). Unrelated projects' changes to
 * a shared lock, and changes to groups not requested (test tools for a production build), leave it
 * unchanged. A lock from another tool has no per-project part: the whole lock (canonical text) is hashed.
 */
export function lockSubsetHash(
  lock: Lock,
  project: string,
  request: Pick<LockSelection, 'dependencyGroups' | 'extras'> = {},
): string {
  if (!hasNxPexRoots(lock)) return createHash('sha256').update(formatLock(lock)).digest('hex');
  const roots = rootsOf(lock, project);
  const pick = (kind: 'groups' | 'extras', names: readonly string[]) => {
    const all = setRequirements(lock, project, kind, names);
    const named = Object.fromEntries(
      names.map((n) => [normalizeName(n), lock.nxPex![kind]![project]![normalizeName(n)]!]),
    );
    return { all, named };
  };
  const groups = pick('groups', request.dependencyGroups ?? []);
  const extras = pick('extras', request.extras ?? []);
  const context = lockFileContext(request.extras ?? [], request.dependencyGroups ?? []);
  const targets = lock.nxPex?.targets ?? [];
  const envs: (MarkerEnvironment | undefined)[] = targets.length ? targets.map(recordedEnvironment) : [undefined];
  const subset = new Set<LockPackage>();
  for (const env of envs)
    for (const pkg of walkLock(lock, [...roots, ...groups.all, ...extras.all], env, project, context)) subset.add(pkg);
  const text = formatLock({
    lockVersion: lock.lockVersion,
    createdBy: lock.createdBy,
    ...(lock.requiresPython !== undefined ? { requiresPython: lock.requiresPython } : {}),
    packages: [...subset],
    nxPex: {
      roots: { [project]: roots },
      targets,
      ...(Object.keys(groups.named).length ? { groups: { [project]: groups.named } } : {}),
      ...(Object.keys(extras.named).length ? { extras: { [project]: extras.named } } : {}),
    },
  });
  return createHash('sha256').update(text).digest('hex');
}
