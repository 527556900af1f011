// Unit propagation and conflict resolution (PubGrub): derives what the incompatibilities force given
// the partial solution; on a conflict, resolves it into a new incompatibility (learned), backjumps
// to the level where that one forces something, and goes on; a conflict that reaches the root is the
// failure, explained by `explain`.
import { informativeTerms, isFailure, type Incompatibility, type IncompatibilityStore } from './incompatibility.js';
import type { PartialSolution } from './partial-solution.js';
import { intersect, negate, size, type Term } from './term.js';

/** All of an incompatibility's terms hold: the partial solution contradicts it. */
const CONFLICT = Symbol('conflict');

/**
 * Propagate from `start` until nothing more is derived. Throws `explain(failure)` when the
 * incompatibilities cannot all be avoided whatever is decided.
 */
export function propagate(
  start: string,
  store: IncompatibilityStore,
  solution: PartialSolution,
  explain: (failure: Incompatibility) => Error,
): void {
  const changed = [start];
  while (changed.length) {
    const pkg = changed.pop()!;
    const list = store.of(pkg);
    for (let i = list.length - 1; i >= 0; i--) {
      const result = propagateOne(list[i]!, solution);
      if (result === CONFLICT) {
        const rootCause = resolveConflict(list[i]!, store, solution, explain);
        changed.length = 0;
        const derived = propagateOne(rootCause, solution);
        if (typeof derived === 'string') changed.push(derived);
        break;
      }
      if (result !== undefined) changed.push(result);
    }
  }
}

/**
 * An incompatibility whose terms all hold but one forces the negation of that one: assign it and
 * return its package. CONFLICT when all hold; undefined when it derives nothing.
 */
function propagateOne(
  incompatibility: Incompatibility,
  solution: PartialSolution,
): string | typeof CONFLICT | undefined {
  if (solution.knownContradicted(incompatibility)) return undefined;
  let unsatisfied: Term | undefined;
  for (const t of incompatibility.terms) {
    const rel = solution.relation(t);
    if (rel === 'contradicted') {
      solution.noteContradicted(incompatibility);
      return undefined;
    }
    if (rel === 'inconclusive') {
      if (unsatisfied) return undefined;
      unsatisfied = t;
    }
  }
  if (!unsatisfied) return CONFLICT;
  solution.assign({ term: negate(unsatisfied), level: solution.level, decision: false, cause: incompatibility });
  // Its last term is now contradicted by what was just assigned.
  solution.noteContradicted(incompatibility);
  return unsatisfied.pkg;
}

/**
 * PubGrub's conflict resolution: merge the conflict with the causes of its satisfiers until it is
 * satisfied by one assignment of its own level (or a decision), learn the result, backjump, and
 * return it; throw `explain(...)` when it is the failure.
 */
function resolveConflict(
  conflict: Incompatibility,
  store: IncompatibilityStore,
  solution: PartialSolution,
  explain: (failure: Incompatibility) => Error,
): Incompatibility {
  let incompatibility = conflict;
  let learned = false;
  for (;;) {
    if (isFailure(incompatibility)) throw explain(incompatibility);
    // The satisfier, and the level of the earliest assignment that with it already satisfies the incompatibility.
    const { index, previousLevel } = solution.satisfier(incompatibility);
    const satisfier = solution.assignments[index]!;
    const term = incompatibility.terms.find((t) => t.pkg === satisfier.term.pkg)!;
    if (satisfier.decision || previousLevel !== satisfier.level) {
      if (learned) store.add(incompatibility);
      solution.backtrack(previousLevel);
      return incompatibility;
    }
    // Resolve with the satisfier's cause (a resolution step: the two merge into a new fact).
    const cause = satisfier.cause!;
    const merged = new Map<string, Term>();
    const put = (t: Term) => merged.set(t.pkg, merged.has(t.pkg) ? intersect(merged.get(t.pkg)!, t) : t);
    for (const t of incompatibility.terms) if (t.pkg !== satisfier.term.pkg) put(t);
    for (const t of cause.terms) if (t.pkg !== satisfier.term.pkg) put(t);
    const difference = intersect(satisfier.term, negate(term));
    if (difference.none || size(difference) > 0) put(negate(difference));
    incompatibility = {
      terms: informativeTerms([...merged.values()]),
      cause: { kind: 'derived', left: incompatibility, right: cause },
    };
    learned = true;
  }
}
