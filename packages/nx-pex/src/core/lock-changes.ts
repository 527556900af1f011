import { compareVersions, type Lock } from '@nx-pex/resolver';

// What a new lock changes against the one it replaces, package by package (as uv's "Updated x v1 -> v2"
// lines and pip-tools' diffs tell it): `+ name version`, `- name version`, `name old → new`. A universal
// lock may hold several versions of a package (one per fork): they are compared as a set.

/** The versions each package has in a lock, in PEP 440 order (`?` for a package recorded without one). */
function versionsByName(lock: Lock | undefined): Map<string, string[]> {
  const byName = new Map<string, Set<string>>();
  for (const p of lock?.packages ?? []) {
    const versions = byName.get(p.name) ?? new Set<string>();
    versions.add(p.version ?? '?');
    byName.set(p.name, versions);
  }
  return new Map([...byName].map(([name, set]) => [name, [...set].sort(byVersion)]));
}

function byVersion(a: string, b: string): number {
  try {
    return compareVersions(a, b);
  } catch {
    // Another tool's lock may record a version that is not PEP 440: text order keeps the output stable.
    return a < b ? -1 : a > b ? 1 : 0;
  }
}

/** The package changes from `before` (none: a new lock) to `after`, by package name. */
export function lockChanges(before: Lock | undefined, after: Lock): string[] {
  const old = versionsByName(before);
  const now = versionsByName(after);
  const changes: string[] = [];
  for (const name of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const was = old.get(name)?.join(', ');
    const is = now.get(name)?.join(', ');
    if (was === is) continue;
    if (was === undefined) changes.push(`+ ${name} ${is}`);
    else if (is === undefined) changes.push(`- ${name} ${was}`);
    else changes.push(`${name} ${was} → ${is}`);
  }
  return changes;
}

/** At most `limit` changes for one line, with how many more there are. */
export function summarizeChanges(changes: readonly string[], limit = 10): string {
  const shown = changes.slice(0, limit).join(', ');
  return changes.length > limit ? `${shown} and ${changes.length - limit} more` : shown;
}
