// The partial solution: the assignments made so far (decisions, and what propagation derived from
// the incompatibilities), each at a decision level, and how a term relates to them. Backjumping
// keeps the assignments up to a level and replays them.
import type { Incompatibility } from './incompatibility.js';
import { anything, intersect, isDisjoint, isSubset, versionsOf, type Term, type Universe } from './term.js';

export interface Assignment {
  term: Term;
  /** The number of decisions made when it was assigned (its own included, for a decision). */
  level: number;
  decision: boolean;
  /** The incompatibility it was derived from (derivations only). */
  cause?: Incompatibility;
}

export type Relation = 'satisfied' | 'contradicted' | 'inconclusive';

export class PartialSolution {
  private list: Assignment[] = [];
  /** Package → the intersection of its assigned terms. */
  private accumulated = new Map<string, Term>();
  /** Package → decided version. */
  private decisions = new Map<string, string>();

  constructor(private readonly universe: (pkg: string) => Universe) {}

  /** The assignments in the order they were made. */
  get assignments(): readonly Assignment[] {
    return this.list;
  }

  /** The current decision level: the number of decisions made. */
  get level(): number {
    return this.decisions.size;
  }

  /** The version decided for `pkg`, if any. */
  decided(pkg: string): string | undefined {
    return this.decisions.get(pkg);
  }

  /**
   * Whether `t` holds without `t.pkg`'s decision: by the assignments made before it (true when
   * `t.pkg` is not decided). A decision that `t` blames is then not the reason, backtracking it is futile.
   */
  impliedWithoutDecision(t: Term): boolean {
    let have = anything(t.pkg, this.universe(t.pkg));
    for (const a of this.list) {
      if (a.term.pkg !== t.pkg) continue;
      if (a.decision) return isSubset(have, t);
      have = intersect(have, a.term);
    }
    return true;
  }

  /** The decision level at which `pkg` was decided, if it is. */
  decisionLevel(pkg: string): number | undefined {
    return this.list.find((a) => a.decision && a.term.pkg === pkg)?.level;
  }

  /** The first package of `order` that something requires (a term allowing a version) and is not decided yet. */
  nextUndecided(order: readonly string[]): string | undefined {
    return order.find((p) => !this.decisions.has(p) && this.accumulated.has(p) && !this.termOf(p).none);
  }

  /** What the assignments allow for `pkg` (anything when none mentions it). */
  termOf(pkg: string): Term {
    return this.accumulated.get(pkg) ?? anything(pkg, this.universe(pkg));
  }

  assign(a: Assignment): void {
    this.list.push(a);
    this.accumulated.set(a.term.pkg, intersect(this.termOf(a.term.pkg), a.term));
    if (a.decision) this.decisions.set(a.term.pkg, versionsOf(a.term)[0]!);
  }

  /** Keep only the assignments of decision levels up to `level`. */
  backtrack(level: number): void {
    const keep = this.list.filter((a) => a.level <= level);
    this.list = [];
    this.accumulated = new Map();
    this.decisions = new Map();
    for (const a of keep) this.assign(a);
  }

  /** Whether the assignments imply `t`, exclude it, or neither. */
  relation(t: Term): Relation {
    const have = this.termOf(t.pkg);
    if (isSubset(have, t)) return 'satisfied';
    if (isDisjoint(have, t)) return 'contradicted';
    return 'inconclusive';
  }

  /** Is `i` satisfied by the assignments before index `upTo` plus `extra`? */
  satisfiedBy(i: Incompatibility, upTo: number, extra?: Assignment): boolean {
    const acc = new Map<string, Term>();
    const take = (a: Assignment) =>
      acc.set(a.term.pkg, intersect(acc.get(a.term.pkg) ?? anything(a.term.pkg, this.universe(a.term.pkg)), a.term));
    for (let k = 0; k < upTo; k++) take(this.list[k]!);
    if (extra) take(extra);
    return i.terms.every((t) => isSubset(acc.get(t.pkg) ?? anything(t.pkg, this.universe(t.pkg)), t));
  }
}
