import { createHash } from 'node:crypto';
import type { PluginCache } from '../utils/plugin-cache.js';

/** A part of a shared lock: a project's runtime subset, plus dependency groups (PEP 735) for its test environment. */
export interface LockPart {
  /** Nx project name: the lock's roots key. */
  project: string;
  dependencyGroups?: readonly string[];
}

/** sha256 hex of a text (the shared lock's identity in cache keys). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Hashes one part of an already parsed lock (the resolver's `lockSubsetHash`). */
export type LockPartHasher = (part: LockPart) => string;

/**
 * The hash of each part of the shared workspace lock, computed once per (lock content, part) and kept
 * in `cache` between Nx runs: a graph recomputation whose lock did not change reads them back without
 * loading the resolver; `loadHasher` (which parses the lock) runs only when some part is not cached.
 * The value is the resolver's `lockSubsetHash`, so a change in one project's part of the lock changes
 * that project's hash only.
 */
export async function lockPartHashes(
  lockText: string,
  parts: readonly LockPart[],
  cache: PluginCache<string>,
  loadHasher: (lockText: string) => Promise<LockPartHasher>,
): Promise<string[]> {
  const lockSha = sha256(lockText);
  const keyOf = (part: LockPart) => JSON.stringify([lockSha, part.project, [...(part.dependencyGroups ?? [])].sort()]);
  const hasher = parts.some((p) => cache.peek(keyOf(p)) === undefined) ? await loadHasher(lockText) : undefined;
  return parts.map((part) => cache.get(keyOf(part), () => hasher!(part)));
}

/**
 * The resolver's subset hash over one parsed lock, loaded on demand (the resolver's main entry brings
 * its index client and HTTP stack: createNodes pays for them only when the lock changed). A lock that
 * does not parse, or that has no part for a project, gets a value naming the problem and the whole
 * lock's sha256: the build then fails with the lock's own error, and any edit of the lock changes it.
 */
export async function resolverLockPartHasher(lockText: string, lockFile: string): Promise<LockPartHasher> {
  const { parseLock, lockSubsetHash } = await import('@nx-pex/resolver');
  const unusable = (e: unknown) => `unusable:${(e as { code?: string }).code ?? 'ERROR'}:${sha256(lockText)}`;
  let lock: ReturnType<typeof parseLock>;
  try {
    lock = parseLock(lockText, lockFile);
  } catch (e) {
    return () => unusable(e);
  }
  return (part) => {
    try {
      return lockSubsetHash(
        lock,
        part.project,
        part.dependencyGroups?.length ? { dependencyGroups: [...part.dependencyGroups] } : {},
      );
    } catch (e) {
      return unusable(e);
    }
  };
}
