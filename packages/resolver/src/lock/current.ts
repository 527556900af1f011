import { markerEnvironment } from '../fetch/fetch-artifacts.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { normalizeName } from '../names.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Requirement } from '../pep508/requirement.js';
import { lockMarkerHolds } from './lock-markers.js';
import type { Lock, LockRequirementSets, LockRoots } from './model.js';
import { canonicalRequirement, hasNxPexRoots } from './select.js';

/** What a lock is checked against besides the roots: the projects' groups and extras, and (foreign locks) the targets. */
export interface LockCheckOptions {
  /** Project → dependency group → requirements, as given to resolveLock. */
  dependencyGroups?: LockRequirementSets;
  /** Project → extra → requirements, as given to resolveLock. */
  extras?: LockRequirementSets;
  /** Interpreters the builds use: a foreign lock's `environments` must cover each. */
  targets?: TargetInterpreter[];
  /** The project asks for a universal lock (as given to resolveLock): nx-pex's lock must be one, for the same `environments`. */
  universal?: boolean;
  /** The environments of the universal lock asked for (implies `universal`). */
  environments?: string[];
  /** The universal lock's fork strategy asked for (default `requires-python`). */
  forkStrategy?: 'requires-python' | 'fewest';
}

export interface LockStatus {
  current: boolean;
  /** Why it is stale (empty when current). */
  reasons: string[];
  /** What the check could not verify for this lock (a foreign lock records less than nx-pex's own). */
  unchecked: string[];
}

function canonicalSet(requirements: readonly string[]): Set<string> {
  return new Set(requirements.map(canonicalRequirement));
}

function canonicalSpecifiers(text: string | undefined): string {
  return text === undefined ? '' : new SpecifierSet(text).toString();
}

function compareRequirements(label: string, want: readonly string[], have: readonly string[], reasons: string[]): void {
  const w = canonicalSet(want);
  const h = canonicalSet(have);
  const added = [...w].filter((r) => !h.has(r)).sort();
  const removed = [...h].filter((r) => !w.has(r)).sort();
  if (added.length) reasons.push(`${label} now requires ${added.join(', ')}`);
  if (removed.length) reasons.push(`${label} no longer requires ${removed.join(', ')}`);
}

function compareSets(
  kind: 'dependency group' | 'extra',
  want: LockRequirementSets | undefined,
  have: LockRequirementSets | undefined,
  projects: readonly string[],
  reasons: string[],
): void {
  for (const project of projects) {
    const w = Object.fromEntries(Object.entries(want?.[project] ?? {}).map(([n, l]) => [normalizeName(n), l]));
    const h = have?.[project] ?? {};
    for (const name of [...new Set([...Object.keys(w), ...Object.keys(h)])].sort()) {
      if (!(name in h)) reasons.push(`project ${project} has the ${kind} ${name}, which is not in the lock`);
      else if (!(name in w))
        reasons.push(`the lock has the ${kind} ${name} of project ${project}, which the project no longer defines`);
      else compareRequirements(`project ${project} (${kind} ${name})`, w[name]!, h[name]!, reasons);
    }
  }
}

/** A universal lock is current for the same request: universal or not, and the same environments (order-insensitive). */
function compareUniversal(lock: Lock, options: LockCheckOptions, reasons: string[]): void {
  const wanted = options.universal === true || options.environments !== undefined;
  const recorded = lock.nxPex?.universal;
  if (wanted && !recorded)
    reasons.push('the project asks for a universal lock but the lock was made for its interpreters');
  else if (!wanted && recorded)
    reasons.push('the lock is universal but the project no longer asks for a universal lock');
  else if (wanted && recorded) {
    const norm = (list: readonly string[]) => [...new Set(list.map((e) => e.trim()))].sort();
    const want = norm(options.environments ?? []);
    const have = norm(recorded.environments);
    if (want.join('\n') !== have.join('\n')) {
      const show = (list: string[]) => (list.length ? list.map((e) => JSON.stringify(e)).join(', ') : 'the defaults');
      reasons.push(`the universal lock's environments are ${show(have)} but the project asks for ${show(want)}`);
    }
    const strategy = (s: string | undefined) => s ?? 'requires-python';
    if (strategy(options.forkStrategy) !== strategy(recorded.forkStrategy)) {
      reasons.push(
        `the universal lock was made with fork strategy ${strategy(recorded.forkStrategy)} but the project asks for ${strategy(options.forkStrategy)}`,
      );
    }
  }
}

/**
 * A lock written by another tool (pip lock, uv export, pex3 lock export) against what it records:
 * requires-python, environments (against `targets`), and each of the projects' requirements present
 * at a satisfying version for some recorded environment.
 */
function checkForeign(
  lock: Lock,
  roots: LockRoots,
  requiresPython: string | undefined,
  options: LockCheckOptions,
): LockStatus {
  const reasons: string[] = [];
  const unchecked = [
    `whether a resolution today would pick the same versions (${lock.createdBy} records the result, not its inputs)`,
    'the requirements of the locked packages themselves (no Requires-Dist is recorded), so a missing transitive dependency shows only at run time',
    "the extras named in the projects' requirements",
  ];
  if (lock.requiresPython === undefined) unchecked.push('requires-python (the lock records none)');
  else if (
    requiresPython !== undefined &&
    canonicalSpecifiers(requiresPython) !== canonicalSpecifiers(lock.requiresPython)
  ) {
    reasons.push(
      `requires-python is ${JSON.stringify(requiresPython)} but the lock was made for ${JSON.stringify(lock.requiresPython)}`,
    );
  }
  const targets = options.targets ?? [];
  const envs = targets.map(markerEnvironment);
  if (!lock.environments?.length) unchecked.push('the platforms it serves (the lock records no environments)');
  else {
    targets.forEach((t, i) => {
      if (!lock.environments!.some((m) => lockMarkerHolds(m, envs[i])))
        reasons.push(
          `the lock's environments do not include CPython ${t.version.join('.')} (${t.tags[0] ?? 'no tags'})`,
        );
    });
  }
  if (!targets.length) unchecked.push('requirement markers (no target given: every requirement is looked for)');
  const groups = new Set([...(lock.dependencyGroups ?? []), ...(lock.defaultGroups ?? [])].map(normalizeName));
  const extras = new Set((lock.extras ?? []).map(normalizeName));
  const check = (label: string, text: string) => {
    const r = Requirement.parse(text);
    const applies = envs.length ? envs.filter((env) => r.appliesTo(env)) : [undefined];
    if (applies.length === 0) return;
    const found = lock.packages.filter((p) => p.name === r.key);
    const ok = found.filter((p) => p.version === undefined || r.specifier.contains(p.version, true));
    if (found.length === 0) reasons.push(`${label} requires ${r.toString()}, which the lock does not have`);
    else if (ok.length === 0)
      reasons.push(`${label} requires ${r.toString()} but the lock has ${found.map((p) => p.version).join(', ')}`);
  };
  for (const project of Object.keys(roots).sort())
    for (const text of roots[project]!) check(`project ${project}`, text);
  for (const [kind, sets, declared] of [
    ['dependency group', options.dependencyGroups, groups],
    ['extra', options.extras, extras],
  ] as const) {
    for (const project of Object.keys(sets ?? {}).sort()) {
      for (const [name, list] of Object.entries(sets![project]!)) {
        if (!declared.has(normalizeName(name))) {
          unchecked.push(
            `the ${kind} ${name} of project ${project} (the lock does not declare it; ${lock.createdBy} may have merged it into the default install)`,
          );
          continue;
        }
        for (const text of list) check(`project ${project} (${kind} ${name})`, text);
      }
    }
  }
  return { current: reasons.length === 0, reasons, unchecked };
}

/**
 * Offline check for `lock --check` and builds: is the lock current for `roots` (every project that
 * uses the lock) and requires-python?
 * - nx-pex's own lock: the recorded roots (canonical, order-insensitive), dependency groups and
 *   extras must equal the given ones. Versions are not re-resolved: a lock made from the same inputs
 *   is current.
 * - another tool's lock: see `checkForeign`; `unchecked` lists what it cannot tell.
 */
export function isLockCurrent(
  lock: Lock,
  roots: LockRoots,
  requiresPython?: string,
  options: LockCheckOptions = {},
): LockStatus {
  if (!hasNxPexRoots(lock)) return checkForeign(lock, roots, requiresPython, options);
  const reasons: string[] = [];
  const recorded = lock.nxPex!.roots;
  const projects = Object.keys(roots).sort();
  for (const project of projects) {
    const locked = recorded[project];
    if (!locked) {
      reasons.push(`project ${project} is not in the lock`);
      continue;
    }
    compareRequirements(`project ${project}`, roots[project]!, locked, reasons);
  }
  for (const project of Object.keys(recorded).sort()) {
    if (!(project in roots)) reasons.push(`project ${project} is in the lock but no longer uses it`);
  }
  const present = projects.filter((p) => p in recorded);
  compareSets('dependency group', options.dependencyGroups, lock.nxPex!.groups, present, reasons);
  compareSets('extra', options.extras, lock.nxPex!.extras, present, reasons);
  compareUniversal(lock, options, reasons);
  // The projects' range the lock was made for: recorded apart when its packages narrowed the lock's own.
  const madeFor = lock.nxPex!.requiresPython ?? lock.requiresPython;
  if (canonicalSpecifiers(requiresPython) !== canonicalSpecifiers(madeFor)) {
    reasons.push(
      `requires-python is ${requiresPython === undefined ? 'unset' : JSON.stringify(requiresPython)} but the lock was made for ${madeFor === undefined ? 'any Python' : JSON.stringify(madeFor)}`,
    );
  }
  return { current: reasons.length === 0, reasons, unchecked: [] };
}

/** One project's inputs, as given to resolveLock for it. */
export interface ProjectLockInputs {
  /** Its runtime requirements (the roots). */
  requirements: string[];
  /** Its dependency groups (group → requirements) locked with it. */
  dependencyGroups?: Record<string, string[]>;
  /** Its extras (extra → requirements) locked with it. */
  extras?: Record<string, string[]>;
  /** Its requires-python: compared with a foreign lock's (nx-pex's shared lock is `lock --check`'s business). */
  requiresPython?: string;
  /** The interpreters its builds use: a foreign lock's environments must cover them. */
  targets?: TargetInterpreter[];
  /** A universal lock is asked for (see LockCheckOptions). */
  universal?: boolean;
  environments?: string[];
  forkStrategy?: 'requires-python' | 'fewest';
}

/**
 * For a build: is the lock current for this one project? nx-pex's lock: the project's recorded
 * roots, groups and extras (other projects sharing the lock are not looked at). Another tool's lock:
 * as isLockCurrent, with `unchecked` saying what cannot be told.
 */
export function isProjectLockCurrent(lock: Lock, project: string, inputs: ProjectLockInputs): LockStatus {
  const sets = {
    ...(inputs.dependencyGroups ? { dependencyGroups: { [project]: inputs.dependencyGroups } } : {}),
    ...(inputs.extras ? { extras: { [project]: inputs.extras } } : {}),
    ...(inputs.targets ? { targets: inputs.targets } : {}),
    ...(inputs.universal !== undefined ? { universal: inputs.universal } : {}),
    ...(inputs.environments ? { environments: inputs.environments } : {}),
    ...(inputs.forkStrategy ? { forkStrategy: inputs.forkStrategy } : {}),
  };
  if (!hasNxPexRoots(lock)) return checkForeign(lock, { [project]: inputs.requirements }, inputs.requiresPython, sets);
  const table = lock.nxPex!;
  if (!(project in table.roots))
    return { current: false, reasons: [`project ${project} is not in the lock`], unchecked: [] };
  const only = (all: LockRequirementSets | undefined) => (all?.[project] ? { [project]: all[project] } : undefined);
  const mine: Lock = {
    ...lock,
    nxPex: {
      roots: { [project]: table.roots[project]! },
      targets: table.targets,
      ...(table.universal ? { universal: table.universal } : {}),
      ...(only(table.groups) ? { groups: only(table.groups)! } : {}),
      ...(only(table.extras) ? { extras: only(table.extras)! } : {}),
    },
  };
  return isLockCurrent(mine, { [project]: inputs.requirements }, lock.requiresPython, sets);
}
