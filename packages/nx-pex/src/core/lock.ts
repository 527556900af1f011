import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import {
  fetchLocked,
  formatLock,
  isLockCurrent,
  loadIndexConfig,
  lockSubsetHash,
  parseLock,
  resolveLock,
  selectFromLock,
  type FetchProgress,
  type IndexConfig,
  type LocalArtifact,
  type Lock,
  type LockRoots,
  type TargetInterpreter,
} from '@nx-pex/resolver';
import type { PythonProject } from '../graph/python-workspace.js';
import { PluginError } from '../utils/errors.js';
import { firstPartyClosure, thirdPartyRequirements, withDependencyGroups } from './workspace.js';
import { resolveTargets } from './targets.js';

export const LOCK_FILE = 'pylock.toml';
/** Dependency groups (PEP 735) locked for a project's test environment. */
export const TEST_GROUPS = ['test', 'dev'];

/** The roots key of a project's test environment in a lock. */
export function testRootsKey(project: string): string {
  return `${project}:test`;
}

/**
 * What a project contributes to a lock's roots: its runtime requirements (its own and those of its
 * first-party dependencies) and, when it has test/dev groups, its test environment's.
 */
export function projectRoots(project: PythonProject, all: readonly PythonProject[]): LockRoots {
  const runtime = thirdPartyRequirements(firstPartyClosure(project, all));
  const roots: LockRoots = { [project.project]: runtime };
  const groups = TEST_GROUPS.filter((g) => g in project.pyproject.dependencyGroups);
  if (groups.length > 0) roots[testRootsKey(project.project)] = withDependencyGroups(project, runtime, groups);
  return roots;
}

/**
 * Where a project's lock is (workspace-relative): its own pylock.toml, else the workspace's shared
 * one, else undefined. `preferWorkspace` (the lock executor's `workspace` option) picks the shared
 * location when neither exists yet.
 */
export function lockFileOf(workspaceRoot: string, project: PythonProject, preferWorkspace = false): string | undefined {
  const own = posix.join(project.root, LOCK_FILE);
  if (existsSync(join(workspaceRoot, own))) return own;
  if (existsSync(join(workspaceRoot, LOCK_FILE)) || preferWorkspace) return LOCK_FILE;
  return undefined;
}

/** Every project a lock file serves: the owner of a project lock, or all projects without their own lock. */
export function projectsOfLock(workspaceRoot: string, lockFile: string, project: PythonProject, all: readonly PythonProject[]): PythonProject[] {
  if (lockFile !== LOCK_FILE || project.root === '.') return [project];
  return all.filter((p) => p.root === '.' || !existsSync(join(workspaceRoot, p.root, LOCK_FILE)));
}

/** requires-python of a lock serving these projects: all their constraints at once (PEP 440 `,` is "and"). */
export function combinedRequiresPython(projects: readonly PythonProject[]): string | undefined {
  const parts = [...new Set(projects.map((p) => p.pyproject.requiresPython).filter((r): r is string => Boolean(r)))];
  return parts.length > 0 ? parts.join(', ') : undefined;
}

export async function readLock(workspaceRoot: string, lockFile: string): Promise<Lock | undefined> {
  const path = join(workspaceRoot, lockFile);
  if (!existsSync(path)) return undefined;
  return parseLock(await readFile(path, 'utf8'), lockFile);
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export interface LockRequest {
  workspaceRoot: string;
  project: PythonProject;
  projects: readonly PythonProject[];
  /** Interpreters the lock must serve (default: python3), local or by platform. */
  pythons?: string[];
  platforms?: string[];
  completePlatforms?: string[];
  workspace?: boolean;
  check?: boolean;
  index?: IndexConfig;
  /** Build sdist-only releases with the target interpreter and record the sdist (default true, pex --build). */
  buildSdists?: boolean;
}

export interface LockOutcome {
  lockFile: string;
  /** `check`: whether the lock is current; otherwise whether the file changed. */
  current: boolean;
  changed: boolean;
  reasons: string[];
  packages: number;
}

/** Resolve and write (or, with `check`, verify) the lock that serves a project. */
export async function lockProject(req: LockRequest): Promise<LockOutcome> {
  const lockFile = lockFileOf(req.workspaceRoot, req.project, req.workspace) ?? posix.join(req.project.root, LOCK_FILE);
  const served = projectsOfLock(req.workspaceRoot, lockFile, req.project, req.projects);
  const roots: LockRoots = Object.assign({}, ...served.map((p) => projectRoots(p, req.projects)));
  const requiresPython = combinedRequiresPython(served);
  const existing = await readLock(req.workspaceRoot, lockFile);
  const status = existing ? isLockCurrent(existing, roots, requiresPython) : { current: false, reasons: [`${lockFile} does not exist`] };
  if (req.check) return { lockFile, current: status.current, changed: false, reasons: status.reasons, packages: existing?.packages.length ?? 0 };

  const index = req.index ?? (await loadIndexConfig());
  const targets: TargetInterpreter[] = await resolveTargets(req.workspaceRoot, {
    ...(req.pythons ? { pythons: req.pythons } : {}),
    ...(req.platforms ? { platforms: req.platforms } : {}),
    ...(req.completePlatforms ? { completePlatforms: req.completePlatforms } : {}),
  });
  const lock = await resolveLock({ roots, index, targets, buildSdists: req.buildSdists ?? true, ...(requiresPython ? { requiresPython } : {}), ...(existing ? { preferences: existing } : {}) });
  const text = formatLock(lock);
  const path = join(req.workspaceRoot, lockFile);
  const before = existsSync(path) ? await readFile(path, 'utf8') : undefined;
  if (before !== text) await writeAtomically(path, text);
  return { lockFile, current: true, changed: before !== text, reasons: status.reasons, packages: lock.packages.length };
}

/**
 * The wheels of a project's locked subset for a target, or undefined when no lock serves it. A lock
 * that no longer matches the project's requirements is an error: a build never re-resolves behind
 * the lock's back, and never writes its own inputs.
 */
export async function lockedArtifacts(
  workspaceRoot: string,
  lockFile: string | undefined,
  project: PythonProject,
  all: readonly PythonProject[],
  target: TargetInterpreter,
  index: IndexConfig,
  key: string = project.project,
  onProgress?: (p: FetchProgress) => void,
  buildSdists = true,
): Promise<LocalArtifact[] | undefined> {
  if (!lockFile) return undefined;
  const lock = await readLock(workspaceRoot, lockFile);
  if (!lock) return undefined;
  const wanted = projectRoots(project, all)[key] ?? [];
  const recorded = lock.nxPex?.roots ?? {};
  const status = isLockCurrent({ ...lock, nxPex: { targets: lock.nxPex?.targets ?? [], roots: key in recorded ? { [key]: recorded[key]! } : {} } }, { [key]: wanted }, lock.requiresPython);
  // requires-python is the lock's business (all its projects at once): `lock --check` reports it.
  if (!status.current) {
    throw new PluginError('STALE_LOCK', `${lockFile} is out of date for ${key}: ${status.reasons.join('; ')}. Run \`nx run ${project.project}:lock\` and commit ${lockFile}.`);
  }
  // A locked sdist is built with the target's interpreter (or taken from the built-wheel cache).
  const sdistPython = buildSdists ? target.python : undefined;
  return fetchLocked(selectFromLock(lock, key, target), { index, ...(sdistPython ? { sdistPython } : {}), ...(onProgress ? { onProgress } : {}) });
}

/** sha256 of the project's part of its lock (its Nx build input), or "" without a lock. */
export async function projectLockHash(workspaceRoot: string, project: PythonProject): Promise<string> {
  const lockFile = lockFileOf(workspaceRoot, project);
  const lock = lockFile ? await readLock(workspaceRoot, lockFile) : undefined;
  return lock ? lockSubsetHash(lock, project.project) : '';
}

/** The line a lock run leaves (the executor and the CLI alike). */
export function describeLock(outcome: LockOutcome, check: boolean): string {
  if (check) {
    return outcome.current
      ? `nx-pex: ${outcome.lockFile} is up to date`
      : `nx-pex: ${outcome.lockFile} is out of date: ${outcome.reasons.join('; ')}`;
  }
  return `nx-pex: ${outcome.changed ? 'wrote' : 'unchanged'} ${outcome.lockFile} (${outcome.packages} packages)`;
}
