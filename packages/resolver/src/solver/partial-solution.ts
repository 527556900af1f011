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

  /**
   * Incompatibilities known to be contradicted, with the decision level they were found at: the
   * assignments only narrow until a backjump, so one stays contradicted until the solution goes
   * back below that level (as pubgrub-rs). Unit propagation then skips them: a package walked down
   * hundreds of releases is mentioned by as many incompatibilities, nearly all contradicted.
   */
  private contradicted: Incompatibility[] = [];

  /** True when `i` was found contradicted at a level the solution has not gone back below since. */
  knownContradicted(i: Incompatibility): boolean {
    return i.contradictedBy === this;
  }

  /** `i` is contradicted by the current assignments. */
  noteContradicted(i: Incompatibility): void {
    if (i.contradictedBy !== this) this.contradicted.push(i);
    i.contradictedBy = this;
    i.contradictedAt = this.level;
  }

  /** Keep only the assignments of decision levels up to `level`. */
  backtrack(level: number): void {
    this.contradicted = this.contradicted.filter((i) => {
      if (i.contradictedBy !== this) return false;
      if (i.contradictedAt! <= level) return true;
      i.contradictedBy = undefined;
      return false;
    });
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

  /**
   * PubGrub's satisfier of `i` (which the assignments satisfy): the index of the earliest assignment
   * by which `i` is satisfied, and the decision level of the earliest assignment by which `i` is
   * satisfied with that satisfier added (1 at least: the root's level). One pass each, growing the
   * intersections only for `i`'s packages (a conflict is resolved once per tried release, against
   * an assignment list that grows with the walk).
   */
  satisfier(i: Incompatibility): { index: number; previousLevel: number } {
    const acc = new Map<string, Term>();
    let index = -1;
    for (let k = 0; k < this.list.length; k++) {
      const a = this.list[k]!;
      if (!this.take(acc, i, a) && k > 0) continue;
      if (this.holds(acc, i)) {
        index = k;
        break;
      }
    }
    const satisfier = this.list[index]!;
    let previousLevel = 1;
    acc.clear();
    if (!this.holds(acc, i, satisfier)) {
      for (let k = 0; k < index; k++) {
        const a = this.list[k]!;
        if (!this.take(acc, i, a)) continue;
        if (this.holds(acc, i, satisfier)) {
          previousLevel = Math.max(1, a.level);
          break;
        }
      }
    }
    return { index, previousLevel };
  }

  /** Intersect `a` into `acc` when it is about a package `i` mentions; false when it is not. */
  private take(acc: Map<string, Term>, i: Incompatibility, a: Assignment): boolean {
    const pkg = a.term.pkg;
    if (!i.terms.some((t) => t.pkg === pkg)) return false;
    acc.set(pkg, intersect(acc.get(pkg) ?? anything(pkg, this.universe(pkg)), a.term));
    return true;
  }

  /** Whether `acc` (plus `extra`) implies every term of `i`. */
  private holds(acc: Map<string, Term>, i: Incompatibility, extra?: Assignment): boolean {
    return i.terms.every((t) => {
      let have = acc.get(t.pkg) ?? anything(t.pkg, this.universe(t.pkg));
      if (extra && extra.term.pkg === t.pkg) have = intersect(have, extra.term);
      return isSubset(have, t);
    });
  }
}
