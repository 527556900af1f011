// Which package to decide next once decisions keep clashing (uv's conflict tracking, resolver/mod.rs
// CONFLICT_THRESHOLD). When versions of one package (the affected) are skipped again and again
// because a dependency of theirs is already ruled out by another package's decision (the culprit),
// walking the affected package down its releases ends at an ancient version whose requirements no
// longer clash (packse "wrong-backtracking-basic": b 1.0.0 with no upper bounds, instead of a 1.0.0
// and the newest b). After CONFLICT_THRESHOLD such skips the affected package is decided before
// others and the culprit after them, and the solver backtracks to before the culprit's decision.
import { ROOT, splitExtra } from './package.js';

export const CONFLICT_THRESHOLD = 5;

export class ConflictTracker {
  private readonly affected = new Map<string, number>();
  private readonly culprits = new Map<string, number>();
  /** Packages decided before all others (in requirement order among themselves). */
  private readonly early = new Set<string>();
  /** Packages decided after all others. */
  private readonly late = new Set<string>();
  /** Culprits marked late since the last `takeLate`: the solver backtracks to before their decisions. */
  private pending: string[] = [];

  /**
   * A version of `affected` was not decided because a dependency of it is already ruled out by the
   * decisions of `packages` (the culprits). A package's own extras (`name[extra]` carries its
   * base's obligations) are not a conflict; no culprit, no conflict.
   */
  record(affected: string, packages: readonly string[]): void {
    const base = splitExtra(affected)[0];
    const culprits = packages.filter((p) => p !== ROOT && p !== affected && splitExtra(p)[0] !== base);
    if (culprits.length === 0) return;
    for (const culprit of culprits) {
      const count = (this.culprits.get(culprit) ?? 0) + 1;
      this.culprits.set(culprit, count);
      if (count === CONFLICT_THRESHOLD && !this.late.has(culprit)) {
        this.late.add(culprit);
        this.pending.push(culprit);
      }
    }
    const count = (this.affected.get(affected) ?? 0) + 1;
    this.affected.set(affected, count);
    if (count === CONFLICT_THRESHOLD) this.early.add(affected);
  }

  /** The culprits newly marked late (each returned once). */
  takeLate(): string[] {
    const late = this.pending;
    this.pending = [];
    return late;
  }

  /** `order` with the early packages first and the late ones last (an early mark wins). */
  rank(order: readonly string[]): readonly string[] {
    if (this.early.size === 0 && this.late.size === 0) return order;
    const early = order.filter((p) => this.early.has(p));
    const late = order.filter((p) => this.late.has(p) && !this.early.has(p));
    const rest = order.filter((p) => !this.early.has(p) && !this.late.has(p));
    return [...early, ...rest, ...late];
  }
}
