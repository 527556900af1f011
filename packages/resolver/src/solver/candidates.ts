// Which version of a package to try next: the releases a term allows, those usable (a wheel for
// the target; yanked ones only through an exact pin, PEP 592), and their order: a preferred version
// first (a locked or already chosen one, like uv/pip-tools), then newest final release, then newest
// pre-release (PEP 440: pre-releases when a requirement names one, else only "if necessary").
import { Version } from '../pep440/version.js';
import type { Requirement } from '../pep508/requirement.js';
import type { Release } from './release.js';
import { has, newestFirst, type Term } from './term.js';

/**
 * The releases of a package that `allowed` allows, newest first, from `all` (newest first). The
 * universe lists the same releases oldest first, so the term's bits index them directly (no version
 * text per release per decision). Lazy: a decision reads only the first few of thousands (botocore).
 */
export function allowedReleases(all: readonly Release[], allowed: Term): Iterable<Release> {
  const n = all.length;
  if (allowed.universe.versions.length !== n) return all.filter((r) => has(allowed, r.version.toString()));
  return {
    *[Symbol.iterator]() {
      for (const i of newestFirst(allowed)) yield all[n - 1 - i]!;
    },
  };
}

/** `==V` (not `==V.*`) or `===V`: PEP 592 lets such a pin select a yanked release. */
function exactPin(r: Requirement): boolean {
  return r.specifier.specifiers.some((s) => s.operator === '===' || (s.operator === '==' && !s.version.endsWith('.*')));
}

/**
 * `usable` (newest first) in the order they are tried: `preferred` when present, then the final
 * releases, then the pre-releases — or, when `prereleases` is true, everything newest first. Lazy
 * (`usable` is walked again for the pre-releases): a decision takes the first and a batch after it.
 */
export function* preferenceOrder<R extends { version: Version }>(
  usable: Iterable<R>,
  preferred: Version | undefined,
  prereleases: boolean,
): Generator<R> {
  let first: R | undefined;
  if (preferred) {
    for (const r of usable) {
      if (r.version.compare(preferred) === 0) {
        first = r;
        break;
      }
    }
  }
  if (first) yield first;
  if (prereleases) {
    for (const r of usable) if (r !== first) yield r;
    return;
  }
  for (const r of usable) if (r !== first && !r.version.isPrerelease) yield r;
  for (const r of usable) if (r !== first && r.version.isPrerelease) yield r;
}

export class CandidateSelector {
  /** Projects some requirement pins exactly: their yanked releases are usable. */
  private readonly pinned = new Set<string>();
  /** Projects a requirement names a pre-release for (`>=1.0a1`): PEP 440 admits their pre-releases. */
  private readonly prereleasesNamed = new Set<string>();

  /** `preference(name)`: a version to try first when it is allowed. */
  constructor(private readonly preference?: (name: string) => string | undefined) {}

  /** Take note of a requirement the solver follows (its pins and pre-releases change the policies). */
  note(r: Requirement): void {
    if (exactPin(r)) this.pinned.add(r.key);
    if (r.specifier.prereleases) this.prereleasesNamed.add(r.key);
  }

  /**
   * The releases of `base` that may be chosen, from those allowed: with a wheel for the target and
   * not yanked unless pinned. An extra takes whatever its base may (the base's choice decides).
   */
  usable(base: string, allowed: Iterable<Release>, extra: boolean): Iterable<Release> {
    if (extra) return allowed;
    const yankedToo = this.pinned.has(base);
    return {
      *[Symbol.iterator]() {
        // Cheap checks first: `best` may classify the release's files.
        for (const r of allowed) if ((!r.yanked || yankedToo) && r.best) yield r;
      },
    };
  }

  /**
   * `usable` releases of `base` in the order they are tried. A project prefers its `preference`; an
   * extra prefers the version decided for its base (`baseVersion`).
   */
  order(base: string, usable: Iterable<Release>, extra: boolean, baseVersion: string | undefined): Generator<Release> {
    const want = extra ? baseVersion : this.preference?.(base);
    const wanted = want === undefined ? undefined : Version.tryParse(want);
    return preferenceOrder(usable, wanted, this.prereleasesNamed.has(base));
  }

  /**
   * The release a requirement on `name` will most likely get, among `allowed` (usable, newest
   * first), before any pre-release policy is known: for speculative prefetch.
   */
  likely<R extends { version: Version }>(name: string, allowed: Iterable<R>): R | undefined {
    for (const r of preferenceOrder(allowed, Version.tryParse(this.preference?.(name) ?? ''), false)) return r;
    return undefined;
  }
}
