import { createHash } from 'node:crypto';
import { ResolverError } from '../errors.js';
import { markerEnvironment } from '../fetch/fetch-artifacts.js';
import { lockedFilename } from '../filename/locked.js';
import { tryParseWheelFilename } from '../filename/wheel.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Version } from '../pep440/version.js';
import { Marker, type MarkerEnvironment } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import { formatLock } from './format.js';
import type { Lock, LockedArtifact, LockFile, LockPackage } from './model.js';

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

function rootsOf(lock: Lock, project: string): string[] {
  const roots = lock.nxPex?.roots[project];
  if (!roots) {
    const known = Object.keys(lock.nxPex?.roots ?? {}).sort();
    throw new ResolverError('LOCK_MISSING_PROJECT', `The lock has no roots for project ${project} (it was made for ${known.length ? known.join(', ') : 'no nx-pex project'}). Run \`nx run ${project}:lock\` to add it.`);
  }
  return roots;
}

function markerHolds(marker: string | undefined, env: MarkerEnvironment | undefined): boolean {
  return marker === undefined || env === undefined || Marker.parse(marker).evaluate(env);
}

/** The lock entry a requirement selects in `env`: name and specifier match, marker holds; highest version wins. */
function entryFor(lock: Lock, requirement: Requirement, env: MarkerEnvironment | undefined): LockPackage | undefined {
  const matching = lock.packages.filter((p) => p.name === requirement.key
    && (p.version === undefined || requirement.specifier.contains(p.version, true))
    && markerHolds(p.marker, env));
  return matching.sort((a, b) => Version.parse(b.version ?? '0').compare(Version.parse(a.version ?? '0')))[0];
}

function describeEntry(p: LockPackage): string {
  return p.version === undefined ? p.name : `${p.name} ${p.version}`;
}

/**
 * The entries of `lock` that `roots` need in `env`, roots first then dependencies breadth-first:
 * Requires-Dist recorded in `[packages.tool.nx-pex]` with markers evaluated for `env` and the
 * extras requested so far; entries without it follow PEP 751 `dependencies`. With no `env`
 * (a lock that records no targets) every edge found in the lock is followed.
 */
export function walkLock(lock: Lock, roots: readonly string[], env: MarkerEnvironment | undefined, project: string): LockPackage[] {
  const order: LockPackage[] = [];
  const scanned = new Map<LockPackage, Set<string>>();
  const queue: { requirement: Requirement; by: string }[] = [];
  for (const root of roots) {
    const requirement = Requirement.parse(root);
    if (!env || requirement.appliesTo(env)) queue.push({ requirement, by: `project ${project}` });
  }
  while (queue.length) {
    const { requirement, by } = queue.shift()!;
    const entry = entryFor(lock, requirement, env);
    if (!entry) {
      if (!env) continue;
      throw new ResolverError('LOCK_OUTDATED', `The lock has no package satisfying ${requirement.toString()} (required by ${by}) for this target. The lock is out of date: run \`nx run ${project}:lock\`.`);
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
        queue.push({ requirement: Requirement.parse(d.version === undefined ? d.name : `${d.name}==${d.version}`), by: from });
      }
    }
  }
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
    if (!best || rank < best.rank || (rank === best.rank && build > best.build)) best = { file, filename: filename!, rank, build };
  }
  return best;
}

function describeTarget(target: TargetInterpreter): string {
  return `CPython ${target.version.join('.')} (${target.tags[0] ?? 'no tags'})`;
}

/**
 * Offline: the wheels `project` needs on `target`, from the lock alone — a walk from the project's
 * roots through the locked dependencies with markers evaluated for the target, then the best wheel
 * per package for the target's tags. Roots first, then dependencies.
 */
export function selectFromLock(lock: Lock, project: string, target: TargetInterpreter): LockedArtifact[] {
  const roots = rootsOf(lock, project);
  const env = markerEnvironment(target);
  const python = target.version.join('.');
  if (lock.requiresPython && !new SpecifierSet(lock.requiresPython).contains(python, true)) {
    throw new ResolverError('NO_COMPATIBLE_WHEEL', `The lock requires Python ${lock.requiresPython} but the target is ${describeTarget(target)}. Use a matching interpreter or change requires-python and re-lock (\`nx run ${project}:lock\`).`);
  }
  const tagIndex = new Map(target.tags.map((t, i) => [t.toLowerCase(), i] as const));
  return walkLock(lock, roots, env, project).map((pkg) => {
    const chosen = bestWheel(pkg, tagIndex);
    if (!chosen) {
      const held = pkg.wheels.map(filenameOf).filter(Boolean).join(', ') || (pkg.sdist ? 'only an sdist' : 'no files');
      throw new ResolverError('NO_COMPATIBLE_WHEEL', `The lock has no wheel of ${describeEntry(pkg)} for ${describeTarget(target)} (it holds ${held}). Add this interpreter to the lock's targets and re-lock (\`nx run ${project}:lock\`).`);
    }
    const sha256 = chosen.file.hashes.sha256;
    if (!sha256) {
      throw new ResolverError('INVALID_LOCK', `The lock records no sha256 for ${chosen.filename} (${describeEntry(pkg)}); nx-pex verifies wheels by sha256. Re-lock (\`nx run ${project}:lock\`).`);
    }
    return {
      name: pkg.name,
      version: pkg.version ?? tryParseWheelFilename(chosen.filename)!.version,
      filename: chosen.filename,
      url: chosen.file.url!,
      sha256,
      ...(chosen.file.size !== undefined ? { size: chosen.file.size } : {}),
    };
  });
}

/**
 * sha256 (hex) of the canonical text of `project`'s part of the lock: its roots, the targets, and
 * every entry reachable from the roots on any recorded target (all their files). Unrelated
 * projects' changes to a shared lock leave it unchanged.
 */
export function lockSubsetHash(lock: Lock, project: string): string {
  const roots = rootsOf(lock, project);
  const targets = lock.nxPex?.targets ?? [];
  const envs: (MarkerEnvironment | undefined)[] = targets.length ? targets.map((t) => t.markers) : [undefined];
  const subset = new Set<LockPackage>();
  for (const env of envs) for (const pkg of walkLock(lock, roots, env, project)) subset.add(pkg);
  const text = formatLock({
    lockVersion: lock.lockVersion,
    createdBy: lock.createdBy,
    ...(lock.requiresPython !== undefined ? { requiresPython: lock.requiresPython } : {}),
    packages: [...subset],
    nxPex: { roots: { [project]: roots }, targets },
  });
  return createHash('sha256').update(text).digest('hex');
}
