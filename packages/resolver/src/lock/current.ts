import { SpecifierSet } from '../pep440/specifier.js';
import type { Lock, LockRoots } from './model.js';
import { canonicalRequirement } from './select.js';

function canonicalSet(requirements: readonly string[]): Set<string> {
  return new Set(requirements.map(canonicalRequirement));
}

function canonicalSpecifiers(text: string | undefined): string {
  return text === undefined ? '' : new SpecifierSet(text).toString();
}

/**
 * Offline check for `lock --check`: do the roots recorded in the lock equal `roots` (every project
 * that uses the lock, compared as canonical requirements, order-insensitive), and requires-python?
 * Versions are not re-resolved: a lock made from the same inputs is current.
 */
export function isLockCurrent(lock: Lock, roots: LockRoots, requiresPython?: string): { current: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const recorded = lock.nxPex?.roots;
  if (!recorded) {
    reasons.push(`the lock has no [tool.nx-pex] roots (it was created by ${lock.createdBy}), so nx-pex cannot tell what it was made from`);
    return { current: false, reasons };
  }
  for (const project of Object.keys(roots).sort()) {
    const locked = recorded[project];
    if (!locked) {
      reasons.push(`project ${project} is not in the lock`);
      continue;
    }
    const want = canonicalSet(roots[project]!);
    const have = canonicalSet(locked);
    const added = [...want].filter((r) => !have.has(r)).sort();
    const removed = [...have].filter((r) => !want.has(r)).sort();
    if (added.length) reasons.push(`project ${project} now requires ${added.join(', ')}`);
    if (removed.length) reasons.push(`project ${project} no longer requires ${removed.join(', ')}`);
  }
  for (const project of Object.keys(recorded).sort()) {
    if (!(project in roots)) reasons.push(`project ${project} is in the lock but no longer uses it`);
  }
  if (canonicalSpecifiers(requiresPython) !== canonicalSpecifiers(lock.requiresPython)) {
    reasons.push(`requires-python is ${requiresPython === undefined ? 'unset' : JSON.stringify(requiresPython)} but the lock was made for ${lock.requiresPython === undefined ? 'any Python' : JSON.stringify(lock.requiresPython)}`);
  }
  return { current: reasons.length === 0, reasons };
}
