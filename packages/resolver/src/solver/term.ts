import type { Specifier, SpecifierSet } from '../pep440/specifier.js';
import type { Version } from '../pep440/version.js';

/**
 * PubGrub terms over a finite universe: the releases of a package known from its index pages.
 * A term is the set of outcomes it allows for one package: some versions, plus (`none`) the outcome
 * "not selected". A positive term `X ∈ S` is `{ S, none: false }`; its negation `not X ∈ S` is
 * `{ U \ S, none: true }`. With finite sets, intersection, negation and subset are exact.
 *
 * The version set is a bitset over the universe (bit i = the i-th oldest release): a package such as
 * botocore has thousands of releases, and a backtracking walk checks terms against the partial
 * solution millions of times, so set operations must cost words, not versions.
 */
export interface Term {
  readonly pkg: string;
  readonly universe: Universe;
  /** Bit i set = `universe.keys[i]` is allowed. Never mutated once the term exists. */
  readonly bits: Uint32Array;
  /**
   * The words that may be non-zero: [lo, hi). A dependency's range or a decision covers a few words
   * of a universe of thousands of releases, so checks against it touch only those.
   */
  readonly lo: number;
  readonly hi: number;
  readonly none: boolean;
}

function make(pkg: string, universe: Universe, bits: Uint32Array, none: boolean, from = 0, to = bits.length): Term {
  let lo = from;
  let hi = to;
  while (lo < hi && bits[lo] === 0) lo++;
  while (hi > lo && bits[hi - 1] === 0) hi--;
  return { pkg, universe, bits, lo, hi, none };
}

/** The versions a package (or an extra of it) may take, ascending, with their keys (normalised text). */
export class Universe {
  readonly keys: string[];
  readonly index: Map<string, number>;
  /** 32-bit words of a version set. */
  readonly words: number;
  private readonly full: Uint32Array;

  constructor(readonly versions: Version[]) {
    this.keys = versions.map((v) => v.toString());
    this.index = new Map(this.keys.map((k, i) => [k, i]));
    this.words = (this.keys.length + 31) >>> 5;
    this.full = this.bitsOf(this.keys);
  }

  /** The bitset of `keys` (keys outside the universe are ignored). */
  bitsOf(keys: Iterable<string>): Uint32Array {
    const bits = new Uint32Array(this.words);
    for (const k of keys) {
      const i = this.index.get(k);
      if (i !== undefined) bits[i >>> 5]! |= 1 << (i & 31);
    }
    return bits;
  }

  /** Bits of the versions each clause / set allows, by its text: many releases share a range. */
  private readonly clauses = new Map<string, Uint32Array>();
  private readonly sets = new Map<string, Uint32Array>();

  /**
   * The versions a specifier set allows (pre-releases included: `contains(v, true)`), shared and never
   * mutated. A backtracking walk adds one requirement per tried release, each over a universe of
   * thousands (botocore), so each clause is computed once per universe, and the ordered ones by binary
   * search: with packaging ≥ 26 semantics `<`, `<=`, `>`, `>=` are thresholds in PEP 440 order
   * (`<V` is `< V.dev0`, `>V` skips only the block of V's own local and post-releases right after V,
   * `<=`/`>=` compare the public version), so the versions they allow are a prefix or a suffix.
   */
  allowedBits(specifier: SpecifierSet): Uint32Array {
    const key = specifier.toString();
    let bits = this.sets.get(key);
    if (!bits) {
      bits = this.full;
      for (const clause of specifier.specifiers) {
        const one = this.clauseBits(clause);
        const both = new Uint32Array(this.words);
        for (let w = 0; w < both.length; w++) both[w] = bits[w]! & one[w]!;
        bits = both;
      }
      this.sets.set(key, bits);
    }
    return bits;
  }

  private clauseBits(clause: Specifier): Uint32Array {
    const key = clause.toString();
    let bits = this.clauses.get(key);
    if (bits) return bits;
    bits = new Uint32Array(this.words);
    const n = this.versions.length;
    const set = (from: number, to: number) => {
      for (let i = from; i < to; i++) bits![i >>> 5]! |= 1 << (i & 31);
    };
    const op = clause.operator;
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      // The first index whose answer differs from the oldest version's side of the threshold.
      const prefix = op === '<' || op === '<=';
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (clause.matches(this.versions[mid]!) === prefix) lo = mid + 1;
        else hi = mid;
      }
      if (prefix) set(0, lo);
      else set(lo, n);
    } else {
      this.versions.forEach((v, i) => {
        if (clause.matches(v)) bits![i >>> 5]! |= 1 << (i & 31);
      });
    }
    this.clauses.set(key, bits);
    return bits;
  }

  /** Every version (shared: callers never mutate term bits). */
  allBits(): Uint32Array {
    return this.full;
  }

  private any: Term | undefined;

  /** The term that allows every outcome of the package this universe belongs to (made once). */
  anything(pkg: string): Term {
    if (this.any?.pkg !== pkg) this.any = make(pkg, this, this.full, true);
    return this.any;
  }

  /** A readable PEP 440-ish description of a term's versions (runs of consecutive known versions). */
  describe(t: Term): string {
    const count = size(t);
    if (count === 0) return '(no version)';
    if (count === this.keys.length) return '(any version)';
    const runs: [number, number][] = [];
    this.keys.forEach((k, i) => {
      if (!hasBit(t.bits, i)) return;
      const last = runs[runs.length - 1];
      if (last && last[1] === i - 1) last[1] = i;
      else runs.push([i, i]);
    });
    const end = this.keys.length - 1;
    return runs
      .map(([a, b]) => {
        if (a === b) return `==${this.keys[a]}`;
        if (a === 0) return `<=${this.keys[b]}`;
        if (b === end) return `>=${this.keys[a]}`;
        return `>=${this.keys[a]},<=${this.keys[b]}`;
      })
      .join(' or ');
  }
}

const hasBit = (bits: Uint32Array, i: number) => (bits[i >>> 5]! & (1 << (i & 31))) !== 0;

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function positive(pkg: string, versions: Iterable<string>, universe: Universe): Term {
  return make(pkg, universe, universe.bitsOf(versions), false);
}

/** The positive term allowing exactly `bits` (shared, never mutated). */
export function positiveBits(pkg: string, universe: Universe, bits: Uint32Array): Term {
  return make(pkg, universe, bits, false);
}

/** Indexes into the universe of the versions the term allows, newest first (lazily: callers stop early). */
export function* newestFirst(t: Term): Generator<number> {
  for (let w = t.hi - 1; w >= t.lo; w--) {
    const word = t.bits[w]!;
    if (word === 0) continue;
    for (let b = 31; b >= 0; b--) if ((word & (1 << b)) !== 0) yield (w << 5) + b;
  }
}

/** "pkg is not selected" and nothing else. */
export function notSelected(pkg: string, universe: Universe): Term {
  return make(pkg, universe, new Uint32Array(universe.words), true);
}

export function negate(t: Term): Term {
  const full = t.universe.allBits();
  const bits = new Uint32Array(t.bits.length);
  for (let w = 0; w < bits.length; w++) bits[w] = ~t.bits[w]! & full[w]!;
  return make(t.pkg, t.universe, bits, !t.none);
}

export function intersect(a: Term, b: Term): Term {
  const bits = new Uint32Array(a.bits.length);
  const lo = Math.max(a.lo, b.lo);
  const hi = Math.min(a.hi, b.hi);
  for (let w = lo; w < hi; w++) bits[w] = a.bits[w]! & b.bits[w]!;
  return make(a.pkg, a.universe, bits, a.none && b.none, lo, Math.max(lo, hi));
}

export function isSubset(a: Term, b: Term): boolean {
  if (a.none && !b.none) return false;
  for (let w = a.lo; w < a.hi; w++) if ((a.bits[w]! & ~b.bits[w]!) !== 0) return false;
  return true;
}

export function isDisjoint(a: Term, b: Term): boolean {
  if (a.none && b.none) return false;
  const hi = Math.min(a.hi, b.hi);
  for (let w = Math.max(a.lo, b.lo); w < hi; w++) if ((a.bits[w]! & b.bits[w]!) !== 0) return false;
  return true;
}

/** Every outcome: what the partial solution says about a package it has not mentioned. */
export function anything(pkg: string, universe: Universe): Term {
  return universe.anything(pkg);
}

/** How many versions the term allows. */
export function size(t: Term): number {
  let n = 0;
  for (let w = t.lo; w < t.hi; w++) n += popcount(t.bits[w]!);
  return n;
}

export function has(t: Term, version: string): boolean {
  const i = t.universe.index.get(version);
  return i !== undefined && hasBit(t.bits, i);
}

/** The versions the term allows, oldest first. */
export function versionsOf(t: Term): string[] {
  return t.universe.keys.filter((_, i) => hasBit(t.bits, i));
}
