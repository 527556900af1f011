// The facts PubGrub reasons with: incompatibilities (sets of terms that must not all hold at once),
// why each holds (kept for the failure report), and the store that lists them by package for unit
// propagation.
import type { ResolverError } from '../errors.js';
import { ROOT } from './package.js';
import { size, type Term } from './term.js';

/** Why an incompatibility holds: facts from the outside world, or derived from two others. */
export type Cause =
  | { kind: 'root' }
  | { kind: 'dependency'; from: string; requirement: string; pkg: string }
  | { kind: 'no-versions'; error?: ResolverError }
  | { kind: 'requires-python'; version: string; requiresPython: string }
  | { kind: 'invalid-metadata'; version: string; reason: string }
  | { kind: 'constraint'; requirement: string }
  | { kind: 'derived'; left: Incompatibility; right: Incompatibility };

/** A set of terms that must not all hold at once. */
export interface Incompatibility {
  terms: Term[];
  cause: Cause;
  /**
   * The partial solution that found it contradicted, and at which decision level (see
   * `PartialSolution.knownContradicted`): kept on the incompatibility because propagation asks for
   * every incompatibility of a package each time it changes, hundreds of times in a long walk.
   */
  contradictedBy?: object | undefined;
  contradictedAt?: number;
}

/** The terms without those that allow every outcome: such a term always holds, so it says nothing. */
export function informativeTerms(terms: Term[]): Term[] {
  return terms.filter((t) => !(t.none && size(t) === t.universe.keys.length));
}

/** True when `i` says the request cannot be resolved: no terms left, or only "the root is selected". */
export function isFailure(i: Incompatibility): boolean {
  return i.terms.length === 0 || (i.terms.length === 1 && i.terms[0]!.pkg === ROOT && !i.terms[0]!.none);
}

const NONE: readonly Incompatibility[] = [];

/** Every incompatibility known so far, found by any package it mentions. */
export class IncompatibilityStore {
  private readonly byPackage = new Map<string, Incompatibility[]>();

  /** Record `incompatibility` (its uninformative terms dropped) under each package it mentions. */
  add(incompatibility: Incompatibility): void {
    incompatibility.terms = informativeTerms(incompatibility.terms);
    for (const t of incompatibility.terms) {
      const list = this.byPackage.get(t.pkg);
      if (list) list.push(incompatibility);
      else this.byPackage.set(t.pkg, [incompatibility]);
    }
  }

  /** The incompatibilities that mention `pkg`, oldest first (a live list: `add` appends to it). */
  of(pkg: string): readonly Incompatibility[] {
    return this.byPackage.get(pkg) ?? NONE;
  }
}
