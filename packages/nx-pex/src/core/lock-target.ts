import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, posix, relative, resolve } from 'node:path';
import { writeContentAtomic } from '@nx-pex/common';
import {
  formatLock,
  hasNxPexRoots,
  importRequirementsTxt,
  importUvLock,
  isLockCurrent,
  isUvLockCurrent,
  loadIndexConfig,
  resolveLock,
  universalTargets,
  type IndexConfig,
  type Lock,
  type LockStatus,
} from '@nx-pex/resolver';
import type { PythonProject } from '../graph/python-workspace.js';
import { PluginError } from '../utils/errors.js';
import {
  combinedRequiresPython,
  isUvLock,
  LOCK_FILE,
  lockFileOf,
  lockInputsOf,
  projectLockRequest,
  projectsOfLock,
  pylockFileOf,
  readLock,
  staleLockFix,
  universalRequest,
  type UniversalRequest,
  UV_LOCK_FILE,
  uvProject,
  writerOf,
  type UniversalOptions,
} from './lock.js';
import { nxPexPluginOption } from './project-config.js';
import { lockChanges, summarizeChanges } from './lock-changes.js';
import { fetchProgress, type BuildProgress } from './progress.js';
import { resolveTargets, type TargetOptions } from './targets.js';

// The lock target: resolve and write pylock.toml, check the lock in use, convert or import another
// tool's lock on request.

export interface LockRequest extends TargetOptions, UniversalOptions {
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
  /** Where the resolution's progress goes (pages, the metadata walk, downloads). */
  progress?: BuildProgress;
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
  /** What writing changed against the lock it replaced (`+ a 1.0`, `- b 2.0`, `c 1.0 → 1.1`); lockChanges. */
  changes?: string[];
  /** Environments a universal lock leaves out, each `<platform>: <why>` (builds for them fail with the reason). */
  leftOut?: string[];
}

/**
 * Resolve and write (or, with `check`, verify) the lock that serves a project. A uv.lock or a
 * pylock.toml written by another tool is never overwritten behind the user's back: it is checked,
 * and `from` / `convert` replace it on purpose.
 */
export async function lockProject(req: LockRequest): Promise<LockOutcome> {
  if (req.from) {
    if (req.check)
      throw new PluginError('INVALID_OPTION', '"from" writes a lock and "check" never writes: use one of them');
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
  const style = universalRequest(served, req, nxPexPluginOption(req.workspaceRoot, 'universal'));
  // A universal lock needs no interpreter: its environments are synthetic targets.
  const targets = async (asked: UniversalRequest) =>
    asked.universal ? universalTargets(requiresPython, asked.environments) : resolveTargets(req.workspaceRoot, req);
  // Another tool's lock is checked against the environments it must serve (PEP 751 `environments`): those
  // the projects or the lock target list, else this machine's interpreters. The plugin's `universal`
  // option chooses how nx-pex writes its own locks, so it does not hold another tool's to every platform.
  const status: LockStatus = existing
    ? isLockCurrent(existing, roots, requiresPython, {
        dependencyGroups,
        extras,
        ...style,
        ...(foreign ? { targets: await targets(universalRequest(served, req, undefined)) } : {}),
      })
    : { current: false, reasons: [`${lockFile} does not exist`], unchecked: [] };
  const outcome = {
    lockFile,
    changed: false,
    reasons: status.reasons,
    unchecked: status.unchecked,
    packages: existing?.packages.length ?? 0,
    writer: writerOf(lockFile, existing),
  };
  if (req.check) return { ...outcome, current: status.current };
  if (foreign && !req.convert) {
    return {
      ...outcome,
      current: status.current,
      kept: `written by ${existing.createdBy}: nx-pex checks it but does not overwrite it (\`--convert\` re-locks it with nx-pex, keeping its versions where they still satisfy)`,
    };
  }

  const index = req.index ?? (await loadIndexConfig());
  const lock = await resolveLock({
    roots,
    dependencyGroups,
    extras,
    index,
    targets: style.universal ? [] : await targets(style),
    buildSdists: req.buildSdists ?? true,
    ...(req.progress ? { onProgress: fetchProgress(req.progress) } : {}),
    ...style,
    ...(requiresPython ? { requiresPython } : {}),
    ...(existing ? { preferences: existing } : {}),
  });
  return {
    ...(await writeLock(req.workspaceRoot, lockFile, lock, existing)),
    reasons: status.reasons,
    unchecked: [],
  };
}

/** Write `lock` where `previous` (parsed, when there was one) was, saying what changed. */
async function writeLock(
  workspaceRoot: string,
  lockFile: string,
  lock: Lock,
  previous: Lock | undefined,
): Promise<LockOutcome> {
  const text = formatLock(lock);
  const path = join(workspaceRoot, lockFile);
  const before = existsSync(path) ? await readFile(path, 'utf8') : undefined;
  if (before !== text) await writeContentAtomic(path, text);
  return {
    lockFile,
    current: true,
    changed: before !== text,
    reasons: [],
    unchecked: [],
    packages: lock.packages.length,
    writer: 'nx-pex',
    changes: previous ? lockChanges(previous, lock) : [],
    leftOut: lock.nxPex?.universal?.skipped ?? [],
  };
}

/** `lock` when a uv.lock serves the project: uv owns it, so check it and say how to update or convert it. */
async function keepUvLock(req: LockRequest, lockFile: string): Promise<LockOutcome> {
  const text = await readFile(join(req.workspaceRoot, lockFile), 'utf8');
  const status = isUvLockCurrent(text, lockFile, uvProject(req.project));
  const from = relative(join(req.workspaceRoot, req.project.root), join(req.workspaceRoot, lockFile))
    .split('\\')
    .join('/');
  return {
    lockFile,
    current: status.current,
    changed: false,
    reasons: status.reasons,
    unchecked: status.unchecked,
    packages: importUvLock(text, lockFile).packages.length,
    writer: 'uv',
    ...(req.check
      ? {}
      : {
          kept: `uv.lock is uv's lock: \`uv lock\` updates it (\`--from ${from}\` writes a pylock.toml from it instead)`,
        }),
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
  if (!existsSync(path))
    throw new PluginError(
      'INVALID_OPTION',
      `"from": ${file} does not exist (give a uv.lock or a hashed requirements.txt, relative to ${project.root})`,
    );
  const text = await readFile(path, 'utf8');
  const mine = projectLockRequest(project, req.projects);
  let lock: Lock;
  if (basename(path) === UV_LOCK_FILE) {
    const status = isUvLockCurrent(text, file, uvProject(project));
    if (!status.current)
      throw new PluginError(
        'STALE_LOCK',
        `${status.reasons.join('; ')}; then run \`nx run ${project.project}:lock --from ${from}\` again.`,
      );
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
      index: req.index ?? (await loadIndexConfig()),
      project: project.project,
      requirements: mine.requirements,
      ...(mine.requiresPython ? { requiresPython: mine.requiresPython } : {}),
    });
  }
  const lockFile = posix.join(project.root, LOCK_FILE);
  return writeLock(workspaceRoot, lockFile, lock, await readLock(workspaceRoot, lockFile).catch(() => undefined));
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
  const changes = outcome.changes?.length ? `: ${summarizeChanges(outcome.changes)}` : '';
  const leftOut = outcome.leftOut?.length
    ? `; left out of the universal lock (builds for them fail): ${outcome.leftOut.join('; ')}`
    : '';
  return `nx-pex: ${outcome.changed ? 'wrote' : 'unchanged'} ${outcome.lockFile} (${outcome.packages} packages${changes})${leftOut}`;
}
