import { ResolverError } from '../errors.js';
import type { Release } from '../fetch/candidates.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import { Version } from '../pep440/version.js';

/** What the solver needs from the outside world (index pages and wheel metadata). */
export interface Provider {
  /** Releases usable by the target, newest first. */
  releases(name: string): Promise<Release[]>;
  /** Requires-Dist of a release (read from its wheel). */
  dependencies(name: string, release: Release): Promise<string[]>;
  /** Start fetching a project page early (optional). */
  prefetch?(name: string): void;
  /** A NO_COMPATIBLE_WHEEL error for a release that has no usable wheel. */
  noWheel(name: string, release: Release): ResolverError;
  /** Where we looked, for messages. */
  describeSources(): string;
  /** A version to try first when it satisfies (a locked or already chosen version), like uv/pip-tools. */
  preference?(name: string): string | undefined;
}

/** One requirement on a project and who asked for it (`undefined` = the user). */
interface Constraint {
  requirement: Requirement;
  by: string | undefined;
}

interface State {
  decisions: Map<string, Release>;
  extras: Map<string, Set<string>>;
  constraints: Map<string, Constraint[]>;
  /** Project names in the order they were first required. */
  order: string[];
}

export interface Resolution {
  /** Project → chosen release, in the order projects were first required. */
  decisions: Map<string, Release>;
  /** Project → the extras requested of it (PEP 685 normalised). */
  extras: Map<string, Set<string>>;
}

const MAX_STEPS = 5000;

function clone(s: State): State {
  return {
    decisions: new Map(s.decisions),
    extras: new Map([...s.extras].map(([k, v]) => [k, new Set(v)])),
    constraints: new Map([...s.constraints].map(([k, v]) => [k, [...v]])),
    order: [...s.order],
  };
}

function describe(c: Constraint): string {
  return `${c.by ?? 'the requirements you gave'} requires ${c.requirement.source.trim()}`;
}

/** PEP 592: a yanked release may be chosen only through an exact pin (== without wildcard, or ===). */
function pinnedExactly(constraints: Constraint[]): boolean {
  return constraints.some((c) => c.requirement.specifier.specifiers.some((s) => s.operator === '===' || (s.operator === '==' && !s.version.endsWith('.*'))));
}

/**
 * Backtracking resolution (depth-first over projects in the order they were first required,
 * newest satisfying version first; pre-releases only when no final release satisfies).
 */
export class Solver {
  private steps = 0;
  private failure: ResolverError | undefined;

  constructor(private readonly provider: Provider, private readonly env: MarkerEnvironment) {}

  /** `labels[i]` names who asked for `roots[i]` in messages (default: "the requirements you gave"). */
  async resolve(roots: Requirement[], labels: (string | undefined)[] = []): Promise<Resolution> {
    const state: State = { decisions: new Map(), extras: new Map(), constraints: new Map(), order: [] };
    for (const [i, r] of roots.entries()) {
      if (!(await this.constrain(state, r, labels[i]))) throw this.failure!;
    }
    const solved = await this.solve(state);
    if (!solved) throw this.failure!;
    return { decisions: new Map(solved.order.map((n) => [n, solved.decisions.get(n)!])), extras: solved.extras };
  }

  /** Add a requirement; false (with `failure` set) when it contradicts a decision already taken. */
  private async constrain(state: State, requirement: Requirement, by: string | undefined): Promise<boolean> {
    const name = requirement.key;
    if (requirement.url) {
      throw new ResolverError('INVALID_REQUIREMENT', `Direct URL requirements are not supported yet: ${JSON.stringify(requirement.source)}${by ? ` (required by ${by})` : ''}. Put the wheel in a find-links directory and require it by name.`);
    }
    const list = state.constraints.get(name) ?? [];
    if (!state.constraints.has(name)) {
      state.order.push(name);
      this.provider.prefetch?.(name);
    }
    list.push({ requirement, by });
    state.constraints.set(name, list);
    const newExtras = requirement.normalizedExtras.filter((e) => !state.extras.get(name)?.has(e));
    const extras = state.extras.get(name) ?? new Set<string>();
    for (const e of newExtras) extras.add(e);
    state.extras.set(name, extras);
    const decided = state.decisions.get(name);
    if (!decided) return true;
    if (!requirement.specifier.contains(decided.version, true)) {
      this.failure = this.conflict(name, list);
      return false;
    }
    // New extras of an already chosen release bring their own dependencies.
    return newExtras.length === 0 || this.addDependencies(state, name, decided, newExtras);
  }

  private async addDependencies(state: State, name: string, release: Release, onlyExtras?: string[]): Promise<boolean> {
    const extras = onlyExtras ?? [...(state.extras.get(name) ?? [])];
    const by = `${name} ${release.version}`;
    for (const text of await this.provider.dependencies(name, release)) {
      const dep = Requirement.parse(text);
      const applies = onlyExtras
        ? dep.marker?.mentionsExtra === true && dep.appliesTo(this.env, extras)
        : dep.appliesTo(this.env, ['', ...extras]);
      if (applies && !(await this.constrain(state, dep, by))) return false;
    }
    return true;
  }

  private async solve(state: State): Promise<State | undefined> {
    const name = state.order.find((n) => !state.decisions.has(n));
    if (name === undefined) return state;
    if (++this.steps > MAX_STEPS) {
      throw new ResolverError('RESOLUTION_CONFLICT', `Resolution gave up after ${MAX_STEPS} steps while choosing ${name}. Add tighter version constraints to the requirements.`);
    }
    const constraints = state.constraints.get(name)!;
    const candidates = await this.candidates(name, constraints);
    for (const release of candidates) {
      const next = clone(state);
      next.decisions.set(name, release);
      if (!(await this.addDependencies(next, name, release))) continue;
      const solved = await this.solve(next);
      if (solved) return solved;
    }
    return undefined;
  }

  private async candidates(name: string, constraints: Constraint[]): Promise<Release[]> {
    const releases = await this.provider.releases(name);
    const allowYanked = pinnedExactly(constraints);
    const usable = releases.filter((r) => allowYanked || !r.yanked);
    const satisfying = (pre: boolean) => usable.filter((r) => constraints.every((c) => c.requirement.specifier.contains(r.version, pre)));
    let matching = satisfying(false);
    // PEP 440: pre-releases are considered only when no final release satisfies.
    if (matching.length === 0) matching = satisfying(true);
    const withWheel = matching.filter((r) => r.best);
    if (withWheel.length === 0) this.failure = this.noCandidate(name, constraints, releases, matching);
    const text = this.provider.preference?.(name);
    const preferred = text === undefined ? undefined : Version.tryParse(text);
    const first = preferred ? withWheel.findIndex((r) => r.version.compare(preferred) === 0) : -1;
    if (first > 0) withWheel.unshift(...withWheel.splice(first, 1));
    return withWheel;
  }

  private noCandidate(name: string, constraints: Constraint[], releases: Release[], matching: Release[]): ResolverError {
    if (matching[0]) return this.provider.noWheel(name, matching[0]);
    if (constraints.length > 1) return this.conflict(name, constraints);
    const available = releases.slice(0, 10).map((r) => r.version.toString());
    const [only] = constraints;
    return new ResolverError('NO_MATCHING_DISTRIBUTION', `No distribution of ${name} satisfies ${only ? describe(only) : name} on ${this.provider.describeSources()} (${available.length ? `available: ${available.join(', ')}` : 'no files usable by the target interpreter'}). Check the name and version, or the index configuration.`);
  }

  private conflict(name: string, constraints: Constraint[]): ResolverError {
    return new ResolverError('RESOLUTION_CONFLICT', `Cannot choose a version of ${name}: ${constraints.map(describe).join('; ')}. No release satisfies all of these; relax one of them.`);
  }
}
