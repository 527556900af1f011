import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import {
  fetchLocked,
  hasNxPexRoots,
  importUvLock,
  isProjectLockCurrent,
  isUvLockCurrent,
  lockSubsetHash,
  parseLock,
  selectFromLock,
  type FetchProgress,
  type IndexConfig,
  type LocalArtifact,
  type Lock,
  type LockRequirementSets,
  type LockRoots,
  type LockStatus,
  type TargetInterpreter,
} from '@nx-pex/resolver';
import type { PythonProject } from '../graph/python-workspace.js';
import { normalizeName, parseRequirement, type ForkStrategy } from '../pyproject/pyproject.js';
import { PluginError } from '../utils/errors.js';
import { firstPartyClosure, thirdPartyRequirements } from './workspace.js';

export const LOCK_FILE = 'pylock.toml';
export const UV_LOCK_FILE = 'uv.lock';
/** Dependency groups (PEP 735) a test environment takes by default, where the project defines them. */
export const TEST_GROUPS = ['test', 'dev'];

/**
 * What a project asks of a lock: its runtime requirements (its own and its first-party
 * dependencies', with the extras it chose), and every dependency group and extra it defines (locked
 * with it, installed on request only: PEP 751 markers keep them out of a production install).
 * Requirements naming a project of the closure (a self-referencing extra, a bundled library) are
 * built from sources, never locked.
 */
export interface ProjectLockRequest {
  requirements: string[];
  dependencyGroups: Record<string, string[]>;
  extras: Record<string, string[]>;
  requiresPython?: string;
}

export function projectLockRequest(project: PythonProject, all: readonly PythonProject[]): ProjectLockRequest {
  const closure = firstPartyClosure(project, all);
  const file = posix.join(project.root, 'pyproject.toml');
  const firstParty = new Set(closure.map((p) => normalizeName(p.pyproject.name)));
  const self = normalizeName(project.pyproject.name);
  const { optionalDependencies, dependencyGroups, requiresPython } = project.pyproject;
  // A self-reference (`all = ["svc[fast,cli]"]`, as pip reads it) stands for those extras' requirements.
  const expand = (reqs: readonly string[], seen: Set<string>): string[] =>
    reqs.flatMap((r) => {
      const req = parseRequirement(r, file);
      const name = normalizeName(req.name);
      if (name === self) {
        return req.extras
          .map(normalizeName)
          .filter((e) => !seen.has(e))
          .flatMap((e) => {
            seen.add(e);
            const extra = Object.entries(optionalDependencies).find(([n]) => normalizeName(n) === e)?.[1] ?? [];
            return expand(extra, seen);
          });
      }
      return firstParty.has(name) ? [] : [r];
    });
  const thirdParty = (sets: Record<string, string[]>) =>
    Object.fromEntries(
      Object.entries(sets).map(([name, reqs]) => [
        normalizeName(name),
        [...new Set(expand(reqs, new Set([normalizeName(name)])))],
      ]),
    );
  return {
    requirements: thirdPartyRequirements(closure),
    dependencyGroups: thirdParty(dependencyGroups),
    extras: thirdParty(optionalDependencies),
    ...(requiresPython ? { requiresPython } : {}),
  };
}

/** The test environment's groups by default: `test` and `dev` where the project defines them. */
export function defaultTestGroups(project: PythonProject): string[] {
  return TEST_GROUPS.filter((g) => g in project.pyproject.dependencyGroups);
}

const exists = (workspaceRoot: string, file: string) => existsSync(join(workspaceRoot, file));

/** Does the project have a lock of its own (pylock.toml or uv.lock beside its pyproject.toml)? */
function hasOwnLock(workspaceRoot: string, project: PythonProject): boolean {
  return [LOCK_FILE, UV_LOCK_FILE].some((f) => exists(workspaceRoot, posix.join(project.root, f)));
}

/**
 * Where the pylock.toml that `lock` writes for a project is: its own, else the workspace's shared
 * one when it exists or `preferWorkspace` (the lock target's `workspace` option) asks for it.
 */
export function pylockFileOf(workspaceRoot: string, project: PythonProject, preferWorkspace = false): string {
  const own = posix.join(project.root, LOCK_FILE);
  if (exists(workspaceRoot, own)) return own;
  return exists(workspaceRoot, LOCK_FILE) || preferWorkspace ? LOCK_FILE : own;
}

/**
 * The lock that serves a project (workspace-relative), or undefined (the build resolves): the most
 * specific first — its pylock.toml, its uv.lock, the workspace's shared pylock.toml, the workspace
 * root's uv.lock when the project is a member of that uv workspace.
 */
export function lockFileOf(workspaceRoot: string, project: PythonProject): string | undefined {
  for (const file of [posix.join(project.root, LOCK_FILE), posix.join(project.root, UV_LOCK_FILE), LOCK_FILE]) {
    if (exists(workspaceRoot, file)) return file;
  }
  if (!exists(workspaceRoot, UV_LOCK_FILE)) return undefined;
  try {
    const members =
      importUvLock(readFileSync(join(workspaceRoot, UV_LOCK_FILE), 'utf8'), UV_LOCK_FILE).nxPex?.roots ?? {};
    return normalizeName(project.pyproject.name) in members ? UV_LOCK_FILE : undefined;
  } catch {
    // An unreadable uv.lock at the root: the build reads it again and reports its INVALID_LOCK.
    return UV_LOCK_FILE;
  }
}

export const isUvLock = (file: string) => basename(file) === UV_LOCK_FILE;

/** Every project a pylock.toml serves: the owner of a project lock, or all projects without a lock of their own. */
export function projectsOfLock(
  workspaceRoot: string,
  lockFile: string,
  project: PythonProject,
  all: readonly PythonProject[],
): PythonProject[] {
  if (lockFile !== LOCK_FILE || project.root === '.') return [project];
  return all.filter((p) => p.root === '.' || !hasOwnLock(workspaceRoot, p));
}

/** requires-python of a lock serving these projects: all their constraints at once (PEP 440 `,` is "and"). */
export function combinedRequiresPython(projects: readonly PythonProject[]): string | undefined {
  const parts = [...new Set(projects.map((p) => p.pyproject.requiresPython).filter((r): r is string => Boolean(r)))];
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** What resolveLock / isLockCurrent take for the projects a lock serves. */
export function lockInputsOf(
  served: readonly PythonProject[],
  all: readonly PythonProject[],
): { roots: LockRoots; dependencyGroups: LockRequirementSets; extras: LockRequirementSets } {
  const roots: LockRoots = {};
  const dependencyGroups: LockRequirementSets = {};
  const extras: LockRequirementSets = {};
  for (const p of served) {
    const req = projectLockRequest(p, all);
    roots[p.project] = req.requirements;
    if (Object.keys(req.dependencyGroups).length) dependencyGroups[p.project] = req.dependencyGroups;
    if (Object.keys(req.extras).length) extras[p.project] = req.extras;
  }
  return { roots, dependencyGroups, extras };
}

export async function readLock(workspaceRoot: string, lockFile: string): Promise<Lock | undefined> {
  const path = join(workspaceRoot, lockFile);
  if (!existsSync(path)) return undefined;
  const text = await readFile(path, 'utf8');
  return isUvLock(lockFile) ? importUvLock(text, lockFile) : parseLock(text, lockFile);
}

/** How a lock is asked to be made: options of the lock target (and CLI flags) that choose a universal lock. */
export interface UniversalOptions {
  universal?: boolean;
  environments?: string[];
  forkStrategy?: ForkStrategy;
}

/** The kind of lock asked for, as resolveLock / isLockCurrent take it (environments only for a universal one). */
export interface UniversalRequest {
  universal: boolean;
  environments?: string[];
  forkStrategy?: ForkStrategy;
}

/**
 * The kind of lock the projects a lock serves ask for. Environments: the lock target's
 * `environments`, else every `[tool.nx-pex] environments` of those projects (a shared lock serves all
 * their platforms). Universal: the target's `universal` when set, else whenever environments are
 * listed, else the plugin's `universal` option in nx.json (`pluginUniversal`). A universal lock with
 * no environments listed covers the resolver's default platforms.
 */
export function universalRequest(
  served: readonly PythonProject[],
  options: UniversalOptions,
  pluginUniversal: unknown,
): UniversalRequest {
  if (pluginUniversal !== undefined && typeof pluginUniversal !== 'boolean') {
    throw new PluginError(
      'INVALID_OPTION',
      `nx.json: the nx-pex plugin option "universal" must be true or false, not ${JSON.stringify(pluginUniversal)}`,
    );
  }
  const listed = served.filter((p) => p.pyproject.tool.environments !== undefined);
  const environments =
    options.environments ??
    (listed.length
      ? [...new Set(listed.flatMap((p) => p.pyproject.tool.environments!.map((e) => e.trim())))]
      : undefined);
  const universal = options.universal ?? (environments !== undefined || pluginUniversal === true);
  if (!universal) return { universal: false };
  const strategies = [
    ...new Set(served.map((p) => p.pyproject.tool.forkStrategy).filter((s): s is ForkStrategy => s !== undefined)),
  ];
  if (!options.forkStrategy && strategies.length > 1) {
    const who = served
      .filter((p) => p.pyproject.tool.forkStrategy)
      .map((p) => `${p.project}: ${p.pyproject.tool.forkStrategy}`)
      .join(', ');
    throw new PluginError(
      'INVALID_OPTION',
      `the projects one universal lock serves ask for different [tool.nx-pex] fork-strategy values (${who}): make them agree or set the lock target's forkStrategy`,
    );
  }
  const forkStrategy = options.forkStrategy ?? strategies[0];
  return { universal: true, environments: environments ?? [], ...(forkStrategy ? { forkStrategy } : {}) };
}

/** Who wrote a lock, for messages: nx-pex, uv (uv.lock), or a pylock.toml's `created-by`. */
export function writerOf(lockFile: string, lock: Lock | undefined): 'nx-pex' | 'uv' | string {
  if (isUvLock(lockFile)) return 'uv';
  return lock && !hasNxPexRoots(lock) ? lock.createdBy : 'nx-pex';
}

/** The project as its pyproject.toml states it, for isUvLockCurrent (uv records pyproject's own text). */
export function uvProject(project: PythonProject) {
  const { pyproject } = project;
  return {
    name: pyproject.name,
    requirements: pyproject.dependencies,
    dependencyGroups: pyproject.dependencyGroups,
    extras: pyproject.optionalDependencies,
    ...(pyproject.requiresPython ? { requiresPython: pyproject.requiresPython } : {}),
  };
}

/** A lock opened for one build or test environment: checked, with what to select. */
export interface ServedLock {
  lockFile: string;
  lock: Lock;
  /** The project's key in the lock (the Nx project; a uv.lock: the normalised [project] name). */
  key: string;
  /** Dependency groups selected besides the runtime part. */
  groups: string[];
  requirements: string[];
}

/** `lock` narrowed to the part a request installs: the project's runtime and the groups asked for (nx-pex's table only). */
function requestedPart(lock: Lock, key: string, groups: readonly string[]): Lock {
  if (!lock.nxPex) return lock;
  const recorded = lock.nxPex.groups?.[key] ?? {};
  const picked = Object.fromEntries(Object.entries(recorded).filter(([g]) => groups.includes(g)));
  const { extras: _extras, groups: _groups, ...rest } = lock.nxPex;
  return { ...lock, nxPex: { ...rest, ...(Object.keys(picked).length ? { groups: { [key]: picked } } : {}) } };
}

/**
 * The lock that serves a project for an environment (the runtime, plus `groups` for tests), checked
 * for the part it installs; undefined when none serves it. Stale is an error (a build never
 * re-resolves behind the lock's back, and never writes its own inputs); what cannot be checked in a
 * lock written by another tool is one warning. Groups a foreign lock does not declare are left out
 * of a default test environment (warned), and an error (INVALID_CONFIG) when asked for by name.
 */
export async function openProjectLock(req: {
  workspaceRoot: string;
  lockFile: string | undefined;
  project: PythonProject;
  projects: readonly PythonProject[];
  targets: readonly TargetInterpreter[];
  /** Dependency groups to install; `defaultGroups`: they are the test target's defaults, not asked for by name. */
  groups?: readonly string[];
  defaultGroups?: boolean;
  warn: (message: string) => void;
}): Promise<ServedLock | undefined> {
  const { workspaceRoot, lockFile, project } = req;
  if (!lockFile) return undefined;
  const mine = projectLockRequest(project, req.projects);
  let groups = [...(req.groups ?? [])];
  let lock: Lock;
  let key = project.project;
  let status: LockStatus;
  if (isUvLock(lockFile)) {
    const text = await readFile(join(workspaceRoot, lockFile), 'utf8');
    status = isUvLockCurrent(text, lockFile, uvProject(project));
    lock = importUvLock(text, lockFile);
    key = normalizeName(project.pyproject.name);
  } else {
    const read = await readLock(workspaceRoot, lockFile);
    if (!read) return undefined;
    lock = read;
    if (!hasNxPexRoots(lock) && req.defaultGroups) {
      const declared = new Set([...(lock.dependencyGroups ?? []), ...(lock.defaultGroups ?? [])].map(normalizeName));
      const missing = groups.filter((g) => !declared.has(normalizeName(g)));
      if (missing.length)
        req.warn(
          `nx-pex: ${lockFile} (written by ${lock.createdBy}) declares no dependency group ${missing.join(', ')}: the test environment takes what its default install holds`,
        );
      groups = groups.filter((g) => declared.has(normalizeName(g)));
    }
    const dependencyGroups = Object.fromEntries(
      groups.map((g) => [normalizeName(g), mine.dependencyGroups[normalizeName(g)] ?? []]),
    );
    // A build takes a universal lock as it was made: its environments and fork strategy are `lock
    // --check`'s business (as a shared lock's requires-python); whether it covers the build's targets
    // is selectFromLock's (LOCK_PLATFORM_NOT_COVERED).
    const made = lock.nxPex?.universal;
    status = isProjectLockCurrent(requestedPart(lock, key, groups.map(normalizeName)), key, {
      requirements: mine.requirements,
      dependencyGroups,
      extras: {},
      targets: [...req.targets],
      ...(mine.requiresPython ? { requiresPython: mine.requiresPython } : {}),
      ...(made
        ? {
            universal: true,
            environments: made.environments,
            ...(made.forkStrategy ? { forkStrategy: made.forkStrategy } : {}),
          }
        : {}),
    });
  }
  if (!status.current) {
    throw new PluginError(
      'STALE_LOCK',
      `${lockFile} is out of date for ${project.project}: ${status.reasons.join('; ')}. ${staleLockFix(writerOf(lockFile, lock), lockFile, project.project)}`,
    );
  }
  if (status.unchecked.length)
    req.warn(
      `nx-pex: ${lockFile} (written by ${writerOf(lockFile, lock)}) is current as far as it records; not checked: ${status.unchecked.join('; ')}`,
    );
  return { lockFile, lock, key, groups, requirements: mine.requirements };
}

/** The verified wheels a served lock selects for one target (offline when cached). */
export function fetchFromLock(
  served: ServedLock,
  target: TargetInterpreter,
  index: IndexConfig,
  onProgress?: (p: FetchProgress) => void,
  buildSdists = true,
): Promise<LocalArtifact[]> {
  const selected = selectFromLock(served.lock, served.key, target, {
    requirements: served.requirements,
    dependencyGroups: served.groups,
    lockFile: served.lockFile,
  });
  // A locked sdist is built with the target's interpreter (or its wheel taken from the cache), unless builds are off.
  const sdistPython = buildSdists ? target.python : undefined;
  return fetchLocked(selected, {
    index,
    ...(sdistPython ? { sdistPython } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
}

/**
 * sha256 of the project's part of its lock (its Nx input), or "" without a lock: the runtime part
 * for a build, plus `groups` for tests.
 */
export async function projectLockHash(
  workspaceRoot: string,
  project: PythonProject,
  groups: readonly string[] = [],
): Promise<string> {
  const lockFile = lockFileOf(workspaceRoot, project);
  const lock = lockFile ? await readLock(workspaceRoot, lockFile) : undefined;
  if (!lockFile || !lock) return '';
  const key = isUvLock(lockFile) ? normalizeName(project.pyproject.name) : project.project;
  const recorded = lock.nxPex?.groups?.[key] ?? {};
  // Only groups the lock holds: a stale lock is the build's error to report, not the hash's.
  const dependencyGroups = hasNxPexRoots(lock) ? groups.filter((g) => normalizeName(g) in recorded) : [];
  try {
    return lockSubsetHash(lock, key, { dependencyGroups });
  } catch {
    // The project is not in the lock (stale): the whole lock, so the task still runs and reports it.
    return lockSubsetHash({ ...lock, nxPex: undefined }, key);
  }
}

/** What to run when a lock is stale, by who wrote it. */
export function staleLockFix(writer: string, lockFile: string, project: string): string {
  if (writer === 'nx-pex') return `Run \`nx run ${project}:lock\` and commit ${lockFile}.`;
  if (writer === 'uv') return `Run \`uv lock\` and commit ${lockFile}.`;
  return `Regenerate it with ${writer}, or re-lock it with nx-pex: \`nx run ${project}:lock --convert\`.`;
}
