import type { Version } from '../pep440/version.js';

/**
 * PubGrub terms over a finite universe: the releases of a package known from its index pages.
 * A term is the set of outcomes it allows for one package: some versions, plus (`none`) the outcome
 * "not selected". A positive term `X ∈ S` is `{ S, none: false }`; its negation `not X ∈ S` is
 * `{ U \ S, none: true }`. With finite sets, intersection, negation and subset are exact.
 */
export interface Term {
  readonly pkg: string;
  readonly versions: ReadonlySet<string>;
  readonly none: boolean;
}

/** The versions a package (or an extra of it) may take, ascending, with their keys (normalised text). */
export class Universe {
  readonly keys: string[];
  readonly index: Map<string, number>;

  constructor(readonly versions: Version[]) {
    this.keys = versions.map((v) => v.toString());
    this.index = new Map(this.keys.map((k, i) => [k, i]));
  }

  all(): Set<string> {
    return new Set(this.keys);
  }

  /** A readable PEP 440-ish description of a subset (runs of consecutive known versions). */
  describe(set: ReadonlySet<string>): string {
    if (set.size === 0) return '(no version)';
    if (set.size === this.keys.length) return '(any version)';
    const runs: [number, number][] = [];
    this.keys.forEach((k, i) => {
      if (!set.has(k)) return;
      const last = runs[runs.length - 1];
      if (last && last[1] === i - 1) last[1] = i;
      else runs.push([i, i]);
    });
    const end = this.keys.length - 1;
    return runs.map(([a, b]) => {
      if (a === b) return `==${this.keys[a]}`;
      if (a === 0) return `<=${this.keys[b]}`;
      if (b === end) return `>=${this.keys[a]}`;
      return `>=${this.keys[a]},<=${this.keys[b]}`;
    }).join(' or ');
  }
}

export function positive(pkg: string, versions: Iterable<string>): Term {
  return { pkg, versions: new Set(versions), none: false };
}

export function negate(t: Term, universe: Universe): Term {
  return { pkg: t.pkg, versions: new Set(universe.keys.filter((k) => !t.versions.has(k))), none: !t.none };
}

export function intersect(a: Term, b: Term): Term {
  return { pkg: a.pkg, versions: new Set([...a.versions].filter((v) => b.versions.has(v))), none: a.none && b.none };
}

export function isSubset(a: Term, b: Term): boolean {
  return (!a.none || b.none) && [...a.versions].every((v) => b.versions.has(v));
}

export function isDisjoint(a: Term, b: Term): boolean {
  return !(a.none && b.none) && ![...a.versions].some((v) => b.versions.has(v));
}

/** Every outcome: what the partial solution says about a package it has not mentioned. */
export function anything(pkg: string, universe: Universe): Term {
  return { pkg, versions: universe.all(), none: true };
}
