import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, posix, relative, resolve } from 'node:path';
import {
  fetchLocked,
  formatLock,
  hasNxPexRoots,
  importRequirementsTxt,
  importUvLock,
  isLockCurrent,
  isProjectLockCurrent,
  isUvLockCurrent,
  loadIndexConfig,
  lockSubsetHash,
  parseLock,
  resolveLock,
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
import { requirementName } from '../graph/create-dependencies.js';
import type { PythonProject } from '../graph/python-workspace.js';
import { normalizeName } from '../pyproject/pyproject.js';
import { PluginError } from '../utils/errors.js';
import { firstPartyClosure, thirdPartyRequirements } from './workspace.js';
import { resolveTargets, type TargetOptions } from './targets.js';

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
  const thirdParty = (sets: Record<string, string[]>) => Object.fromEntries(Object.entries(sets).map(([name, reqs]) =>
    [normalizeName(name), reqs.filter((r) => !firstParty.has(requirementName(r, file)))]));
  const { requiresPython } = project.pyproject;
  return {
    requirements: thirdPartyRequirements(closure),
    dependencyGroups: thirdParty(project.pyproject.dependencyGroups),
    extras: thirdParty(project.pyproject.optionalDependencies),
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
    const members = importUvLock(readFileSync(join(workspaceRoot, UV_LOCK_FILE), 'utf8'), UV_LOCK_FILE).nxPex?.roots ?? {};
    return normalizeName(project.pyproject.name) in members ? UV_LOCK_FILE : undefined;
  } catch {
    // An unreadable uv.lock at the root: the build reads it again and reports its INVALID_LOCK.
    return UV_LOCK_FILE;
  }
}

export const isUvLock = (file: string) => basename(file) === UV_LOCK_FILE;

/** Every project a pylock.toml serves: the owner of a project lock, or all projects without a lock of their own. */
export function projectsOfLock(workspaceRoot: string, lockFile: string, project: PythonProject, all: readonly PythonProject[]): PythonProject[] {
  if (lockFile !== LOCK_FILE || project.root === '.') return [project];
  return all.filter((p) => p.root === '.' || !hasOwnLock(workspaceRoot, p));
}

/** requires-python of a lock serving these projects: all their constraints at once (PEP 440 `,` is "and"). */
export function combinedRequiresPython(projects: readonly PythonProject[]): string | undefined {
  const parts = [...new Set(projects.map((p) => p.pyproject.requiresPython).filter((r): r is string => Boolean(r)))];
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** What resolveLock / isLockCurrent take for the projects a lock serves. */
export function lockInputsOf(served: readonly PythonProject[], all: readonly PythonProject[]): { roots: LockRoots; dependencyGroups: LockRequirementSets; extras: LockRequirementSets } {
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

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Who wrote a lock, for messages: nx-pex, uv (uv.lock), or a pylock.toml's `created-by`. */
function writerOf(lockFile: string, lock: Lock | undefined): 'nx-pex' | 'uv' | string {
  if (isUvLock(lockFile)) return 'uv';
  return lock && !hasNxPexRoots(lock) ? lock.createdBy : 'nx-pex';
}

export interface LockRequest extends TargetOptions {
  workspaceRoot: string;
  project: PythonProject;
  projects: readonly PythonProject[];
  workspace?: boolean;
  check?: boolean;
  /** Re-lock a pylock.toml written by another tool with nx-pex (its versions preferred). */
  convert?: boolean;
  /** Write the project's pylock.toml from this uv.lock or hashed requirements.txt (relative to the project directory). */
  from?: string;
  index?: IndexConfig;
  /** Build sdist-only releases with the target interpreter and record the sdist (default true, pex --build). */
  buildSdists?: boolean;
}

export interface LockOutcome {
  lockFile: string;
  /** Whether the lock is current (after writing: true). */
  current: boolean;
  changed: boolean;
  /** Why it was (or is) stale. */
  reasons: string[];
  /** What the check could not verify (a lock written by another tool). */
  unchecked: string[];
  packages: number;
  /** Who wrote the lock that is there now. */
  writer: string;
  /** Set when the lock was checked but not written, and why (a uv.lock, another tool's pylock.toml). */
  kept?: string;
}

/**
 * Resolve and write (or, with `check`, verify) the lock that serves a project. A uv.lock or a
 * pylock.toml written by another tool is never overwritten behind the user's back: it is checked,
 * and `from` / `convert` replace it on purpose.
 */
export async function lockProject(req: LockRequest): Promise<LockOutcome> {
  if (req.from) {
    if (req.check) throw new PluginError('INVALID_OPTION', '"from" writes a lock and "check" never writes: use one of them');
    return importLockFile(req, req.from);
  }
  const inUse = req.workspace ? undefined : lockFileOf(req.workspaceRoot, req.project);
  if (inUse && isUvLock(inUse)) return keepUvLock(req, inUse);

  const lockFile = pylockFileOf(req.workspaceRoot, req.project, req.workspace);
  const served = projectsOfLock(req.workspaceRoot, lockFile, req.project, req.projects);
  const { roots, dependencyGroups, extras } = lockInputsOf(served, req.projects);
  const requiresPython = combinedRequiresPython(served);
  const existing = await readLock(req.workspaceRoot, lockFile);
  const foreign = existing !== undefined && !hasNxPexRoots(existing);
  const targets = () => resolveTargets(req.workspaceRoot, req);
  // Another tool's lock is checked against the environments it must serve (PEP 751 `environments`).
  const status: LockStatus = existing
    ? isLockCurrent(existing, roots, requiresPython, { dependencyGroups, extras, ...(foreign ? { targets: await targets() } : {}) })
    : { current: false, reasons: [`${lockFile} does not exist`], unchecked: [] };
  const outcome = { lockFile, changed: false, reasons: status.reasons, unchecked: status.unchecked, packages: existing?.packages.length ?? 0, writer: writerOf(lockFile, existing) };
  if (req.check) return { ...outcome, current: status.current };
  if (foreign && !req.convert) {
    return { ...outcome, current: status.current, kept: `written by ${existing.createdBy}: nx-pex checks it but does not overwrite it (\`--convert\` re-locks it with nx-pex, keeping its versions where they still satisfy)` };
  }

  const index = req.index ?? (await loadIndexConfig());
  const lock = await resolveLock({
    roots, dependencyGroups, extras, index, targets: await targets(), buildSdists: req.buildSdists ?? true,
    ...(requiresPython ? { requiresPython } : {}), ...(existing ? { preferences: existing } : {}),
  });
  return { ...(await writeLock(req.workspaceRoot, lockFile, lock)), reasons: status.reasons, unchecked: [] };
}

async function writeLock(workspaceRoot: string, lockFile: string, lock: Lock): Promise<LockOutcome> {
  const text = formatLock(lock);
  const path = join(workspaceRoot, lockFile);
  const before = existsSync(path) ? await readFile(path, 'utf8') : undefined;
  if (before !== text) await writeAtomically(path, text);
  return { lockFile, current: true, changed: before !== text, reasons: [], unchecked: [], packages: lock.packages.length, writer: 'nx-pex' };
}

/** The project as its pyproject.toml states it, for isUvLockCurrent (uv records pyproject's own text). */
function uvProject(project: PythonProject) {
  const { pyproject } = project;
  return {
    name: pyproject.name,
    requirements: pyproject.dependencies,
    dependencyGroups: pyproject.dependencyGroups,
    extras: pyproject.optionalDependencies,
    ...(pyproject.requiresPython ? { requiresPython: pyproject.requiresPython } : {}),
  };
}

/** `lock` when a uv.lock serves the project: uv owns it, so check it and say how to update or convert it. */
async function keepUvLock(req: LockRequest, lockFile: string): Promise<LockOutcome> {
  const text = await readFile(join(req.workspaceRoot, lockFile), 'utf8');
  const status = isUvLockCurrent(text, lockFile, uvProject(req.project));
  const from = relative(join(req.workspaceRoot, req.project.root), join(req.workspaceRoot, lockFile)).split('\\').join('/');
  return {
    lockFile, current: status.current, changed: false, reasons: status.reasons, unchecked: status.unchecked,
    packages: importUvLock(text, lockFile).packages.length, writer: 'uv',
    ...(req.check ? {} : { kept: `uv.lock is uv's lock: \`uv lock\` updates it (\`--from ${from}\` writes a pylock.toml from it instead)` }),
  };
}

/**
 * `lock --from <file>`: the project's pylock.toml from a uv.lock (which must be current for the
 * project: exactly its versions) or a hashed requirements.txt (the project's own requirements as the
 * roots; every pin kept). The result is nx-pex's lock, keyed by the Nx project.
 */
async function importLockFile(req: LockRequest, from: string): Promise<LockOutcome> {
  const { workspaceRoot, project } = req;
  const path = resolve(workspaceRoot, project.root, from);
  const file = relative(workspaceRoot, path).split('\\').join('/');
  if (!existsSync(path)) throw new PluginError('INVALID_OPTION', `"from": ${file} does not exist (give a uv.lock or a hashed requirements.txt, relative to ${project.root})`);
  const text = await readFile(path, 'utf8');
  const mine = projectLockRequest(project, req.projects);
  let lock: Lock;
  if (basename(path) === UV_LOCK_FILE) {
    const status = isUvLockCurrent(text, file, uvProject(project));
    if (!status.current) throw new PluginError('STALE_LOCK', `${status.reasons.join('; ')}; then run \`nx run ${project.project}:lock --from ${from}\` again.`);
    // Current: the member's recorded requirements are the project's, so nx-pex's roots (keyed by
    // the Nx project, first-party projects left out) walk the same locked Requires-Dist.
    const uv = importUvLock(text, file);
    lock = {
      ...uv,
      nxPex: {
        roots: { [project.project]: mine.requirements },
        targets: [],
        ...(Object.keys(mine.dependencyGroups).length ? { groups: { [project.project]: mine.dependencyGroups } } : {}),
        ...(Object.keys(mine.extras).length ? { extras: { [project.project]: mine.extras } } : {}),
      },
    };
  } else {
    lock = await importRequirementsTxt(text, file, {
      index: req.index ?? (await loadIndexConfig()), project: project.project, requirements: mine.requirements,
      ...(mine.requiresPython ? { requiresPython: mine.requiresPython } : {}),
    });
  }
  return writeLock(workspaceRoot, posix.join(project.root, LOCK_FILE), lock);
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
      if (missing.length) req.warn(`nx-pex: ${lockFile} (written by ${lock.createdBy}) declares no dependency group ${missing.join(', ')}: the test environment takes what its default install holds`);
      groups = groups.filter((g) => declared.has(normalizeName(g)));
    }
    const dependencyGroups = Object.fromEntries(groups.map((g) => [normalizeName(g), mine.dependencyGroups[normalizeName(g)] ?? []]));
    status = isProjectLockCurrent(requestedPart(lock, key, groups.map(normalizeName)), key, {
      requirements: mine.requirements, dependencyGroups, extras: {}, targets: [...req.targets],
      ...(mine.requiresPython ? { requiresPython: mine.requiresPython } : {}),
    });
  }
  if (!status.current) {
    throw new PluginError('STALE_LOCK', `${lockFile} is out of date for ${project.project}: ${status.reasons.join('; ')}. ${staleLockFix(writerOf(lockFile, lock), lockFile, project.project)}`);
  }
  if (status.unchecked.length) req.warn(`nx-pex: ${lockFile} (written by ${writerOf(lockFile, lock)}) is current as far as it records; not checked: ${status.unchecked.join('; ')}`);
  return { lockFile, lock, key, groups, requirements: mine.requirements };
}

/** The verified wheels a served lock selects for one target (offline when cached). */
export function fetchFromLock(served: ServedLock, target: TargetInterpreter, index: IndexConfig, onProgress?: (p: FetchProgress) => void, buildSdists = true): Promise<LocalArtifact[]> {
  const selected = selectFromLock(served.lock, served.key, target, { requirements: served.requirements, dependencyGroups: served.groups, lockFile: served.lockFile });
  // A locked sdist is built with the target's interpreter (or its wheel taken from the cache), unless builds are off.
  const sdistPython = buildSdists ? target.python : undefined;
  return fetchLocked(selected, { index, ...(sdistPython ? { sdistPython } : {}), ...(onProgress ? { onProgress } : {}) });
}

/**
 * sha256 of the project's part of its lock (its Nx input), or "" without a lock: the runtime part
 * for a build, plus `groups` for tests.
 */
export async function projectLockHash(workspaceRoot: string, project: PythonProject, groups: readonly string[] = []): Promise<string> {
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

/** The advice after a stale lock's line (the executor and the CLI alike). */
export function lockAdvice(outcome: LockOutcome, project: string): string {
  return outcome.current ? '' : `. ${staleLockFix(outcome.writer, outcome.lockFile, project)}`;
}

/** The line a lock run leaves (the executor and the CLI alike). */
export function describeLock(outcome: LockOutcome, check: boolean): string {
  const by = outcome.writer === 'nx-pex' ? '' : ` (written by ${outcome.writer})`;
  const unchecked = outcome.unchecked.length ? `; not checked: ${outcome.unchecked.join('; ')}` : '';
  if (check || outcome.kept) {
    const state = outcome.current ? `is up to date${unchecked}` : `is out of date: ${outcome.reasons.join('; ')}`;
    return `nx-pex: ${outcome.lockFile}${by} ${state}${outcome.kept ? `; ${outcome.kept}` : ''}`;
  }
  return `nx-pex: ${outcome.changed ? 'wrote' : 'unchanged'} ${outcome.lockFile} (${outcome.packages} packages)`;
}
