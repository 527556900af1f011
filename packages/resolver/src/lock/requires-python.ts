import { Version } from '../pep440/version.js';
import { Specifier, SpecifierSet } from '../pep440/specifier.js';

// A lock's top-level `requires-python` (PEP 751: the minimum viable Python of the lock). The projects
// give a range, but the lock installs what was chosen for its targets: a lock for CPython 3.11 whose
// packages need >=3.11 cannot serve the projects' 3.10, and an installer that trusts the wider range
// (pex's default pip does) then refuses those packages. So the range is narrowed by the
// requires-python of every package the lock installs in all its environments (no marker).

/** What the narrowing reads of a lock entry. */
interface Entry {
  marker?: string;
  requiresPython?: string;
}

/** `3.2` → `3.3`: the first version past every `3.2.*`. */
function pastPrefix(prefix: Version): Version {
  const release = [...prefix.release];
  release[release.length - 1] = release.at(-1)! + 1n;
  return Version.parse(release.join('.'));
}

/**
 * Whether `s` (a package's clause) admits every version of `range` at or above its lower bound
 * `floor` anyway: a `>=`/`>` not above the bound, or a `!=` / `<` / `<=` of versions below it.
 */
function impliedBy(s: Specifier, range: SpecifierSet, floor: Version | undefined): boolean {
  const key = s.toString();
  if (range.specifiers.some((r) => r.toString() === key)) return true;
  if (!floor) return false;
  const wildcard = s.version.endsWith('.*');
  const v = Version.tryParse(wildcard ? s.version.slice(0, -2) : s.version);
  if (!v) return false;
  switch (s.operator) {
    case '>=':
      return v.compare(floor) <= 0;
    case '>':
      return v.compare(floor) < 0;
    case '!=':
      return wildcard ? pastPrefix(v).compare(floor) <= 0 : v.compare(floor) < 0;
    default:
      return false;
  }
}

/** The highest `>=` bound of `specifiers` (the lowest version they admit, as far as `>=` says). */
function lowerBound(specifiers: readonly Specifier[]): Version | undefined {
  let floor: Version | undefined;
  for (const s of specifiers) {
    const v = s.operator === '>=' ? Version.tryParse(s.version) : undefined;
    if (v && (!floor || v.compare(floor) > 0)) floor = v;
  }
  return floor;
}

/**
 * The lock's requires-python: `projects` (the projects' range, as written) when every package the
 * lock installs everywhere admits it; else that range with the packages' clauses that narrow it, a
 * lower `>=` bound replaced by the higher one (`>=3.10` and a package's `>=3.11` give `>=3.11`).
 * An unparsable package range narrows nothing (it was the index's data; the resolution checked it).
 */
export function lockRequiresPython(projects: string, entries: readonly Entry[]): string {
  let range = new SpecifierSet(projects);
  const added: Specifier[] = [];
  for (const entry of entries) {
    if (entry.marker || !entry.requiresPython) continue;
    let own: SpecifierSet;
    try {
      own = new SpecifierSet(entry.requiresPython);
    } catch {
      continue;
    }
    // Bounds first: a package's `>=3.11` makes its `!=3.10.*` implied.
    const clauses = [...own.specifiers].sort((a, b) => Number(b.operator === '>=') - Number(a.operator === '>='));
    for (const s of clauses) {
      const floor = lowerBound([...range.specifiers, ...added]);
      if (impliedBy(s, range, floor) || added.some((a) => a.toString() === s.toString())) continue;
      if (s.operator === '>=') {
        // The new bound replaces the lower ones it implies.
        const higher = Version.parse(s.version);
        const below = (x: Specifier) => x.operator === '>=' && (Version.tryParse(x.version)?.compare(higher) ?? 1) < 0;
        range = new SpecifierSet(range.specifiers.filter((x) => !below(x)).join(', '));
        added.splice(0, added.length, ...added.filter((x) => !below(x)));
      }
      added.push(s);
    }
  }
  if (added.length === 0) return projects;
  return [...added.filter((s) => s.operator === '>='), ...range.specifiers, ...added.filter((s) => s.operator !== '>=')]
    .map(String)
    .join(', ');
}
