import { ResolverError } from '../errors.js';
import type { Release } from '../fetch/candidates.js';
import { pythonAllowed } from '../fetch/candidates.js';
import { Version } from '../pep440/version.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import { normalizeName } from '../names.js';
import { BATCH_PREFETCH, BatchPrefetcher } from './batch-prefetch.js';
import {
  anything,
  has,
  indexesNewestFirst,
  intersect,
  isDisjoint,
  isSubset,
  negate,
  notSelected,
  positive,
  positiveBits,
  size,
  Universe,
  versionsOf,
  type Term,
} from './term.js';

/** What the solver needs from the outside world (index pages and wheel metadata). */
export interface Provider {
  /** Releases usable by the target, newest first. */
  releases(name: string): Promise<Release[]>;
  /** Requires-Dist (and Requires-Python) of a release's wheel. */
  metadata(name: string, release: Release): Promise<RawMetadata>;
  /** Start fetching a project page early (optional). */
  prefetch?(name: string): void;
  /**
   * Start reading a release's metadata early (optional): the solver guesses the release it will
   * probably choose for each requirement as soon as its page is known, and follows the guess's own
   * requirements, so pages and metadata of the whole tree load in parallel instead of one decision at
   * a time. Undefined when the provider would rather not (e.g. the release must be built).
   */
  prefetchMetadata?(name: string, release: Release): Promise<{ requiresDist: string[] }> | undefined;
  /** A NO_COMPATIBLE_WHEEL error for a release that has no usable wheel. */
  noWheel(name: string, release: Release): ResolverError;
  /** Where we looked, for messages. */
  describeSources(): string;
  /** A version to try first when it is allowed (a locked or already chosen version), like uv/pip-tools. */
  preference?(name: string): string | undefined;
}

export interface SolverOptions {
  /**
   * Releases whose metadata is read ahead once the solver walks down a package's versions (also the
   * most such reads in flight); 0 turns batch prefetch off. Needs `prefetchMetadata`.
   */
  batchPrefetch?: number;
  /**
   * Told about each release ruled out because its metadata is invalid (as pip ≥ 24.1 warns);
   * default: `process.emitWarning`.
   */
  onWarning?: (message: string) => void;
}

export interface Resolution {
  /** Project → chosen release, in the order projects were first required. */
  decisions: Map<string, Release>;
  /** Project → the extras requested of it (PEP 685 normalised). */
  extras: Map<string, Set<string>>;
}

/** Why an incompatibility holds: facts from the outside world, or derived from two others. */
type Cause =
  | { kind: 'root' }
  | { kind: 'dependency'; from: string; requirement: string; pkg: string }
  | { kind: 'no-versions'; error?: ResolverError }
  | { kind: 'requires-python'; version: string; requiresPython: string }
  | { kind: 'invalid-metadata'; version: string; reason: string }
  | { kind: 'constraint'; requirement: string }
  | { kind: 'derived'; left: Incompatibility; right: Incompatibility };

/** A set of terms that must not all hold at once. */
interface Incompatibility {
  terms: Term[];
  cause: Cause;
}

interface Assignment {
  term: Term;
  level: number;
  decision: boolean;
  cause?: Incompatibility;
}

const ROOT = '<root>';

const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const MAX_STEPS = 20_000;

/** What the solver reads of a release's core metadata (`name`/`version` when the source has them). */
export interface RawMetadata {
  requiresDist: string[];
  requiresPython?: string;
  name?: string;
  version?: string;
}
type ParsedMetadata = { requirements: Requirement[]; requiresPython?: string } | { invalid: string };

/** pip (MetadataInconsistent) discards a file whose METADATA names another project or version than its file name. */
function inconsistency(base: string, release: Release, metadata: RawMetadata): ParsedMetadata | undefined {
  if (metadata.name !== undefined && normalizeName(metadata.name) !== base) {
    return { invalid: `Name ${JSON.stringify(metadata.name)} is not the file name's ${base}` };
  }
  if (metadata.version !== undefined) {
    const version = Version.tryParse(metadata.version);
    if (!version) return { invalid: `Version ${JSON.stringify(metadata.version)} is not a PEP 440 version` };
    if (version.compare(release.version) !== 0)
      return { invalid: `Version ${metadata.version} is not the file name's ${release.version.toString()}` };
  }
  return undefined;
}

function parseRawMetadata(metadata: RawMetadata): ParsedMetadata {
  const requirements: Requirement[] = [];
  for (const text of metadata.requiresDist) {
    try {
      requirements.push(Requirement.parse(text));
    } catch (err) {
      return { invalid: `Requires-Dist ${JSON.stringify(text)}: ${reasonOf(err)}` };
    }
  }
  // An invalid Requires-Python is ignored, not ruled out: pip warns and reads it as no constraint
  // (`pythonAllowed` does the same), and so does an index's data-requires-python.
  const { requiresPython } = metadata;
  return { requirements, ...(requiresPython !== undefined ? { requiresPython } : {}) };
}

/** `name[extra]` → [name, extra]: extras are virtual packages (each depends on its base at the same version). */
function splitExtra(pkg: string): [string, string | undefined] {
  const m = /^(.*)\[(.*)\]$/.exec(pkg);
  return m ? [m[1]!, m[2]!] : [pkg, undefined];
}

function exactPin(r: Requirement): boolean {
  return r.specifier.specifiers.some((s) => s.operator === '===' || (s.operator === '==' && !s.version.endsWith('.*')));
}

/**
 * PubGrub version solving (Natalie Weizenbaum, "PubGrub: Next-Generation Version Solving"; the
 * algorithm as documented for Dart pub): unit propagation over incompatibilities, decisions on the
 * first-required undecided package (newest allowed version; a preferred one first; pre-releases
 * only when no final release is allowed), conflict resolution with backjumping that learns a new
 * incompatibility, and a derivation-tree report when no solution exists.
 *
 * Version sets are finite: the releases the index lists for the target (see `term.ts`). Markers
 * are evaluated for one target environment; extras are virtual packages `name[extra]`.
 */
export class Solver {
  private readonly universes = new Map<string, Universe>();
  private readonly releases = new Map<string, Release[]>();
  private readonly incompatibilities = new Map<string, Incompatibility[]>();
  private readonly pinned = new Set<string>();
  /** Packages a requirement names a pre-release for (`>=1.0a1`): PEP 440 admits their pre-releases. */
  private readonly prereleasesNamed = new Set<string>();
  private readonly order: string[] = [];
  private assignments: Assignment[] = [];
  private accumulated = new Map<string, Term>();
  private decisions = new Map<string, string>();
  private readonly python: Version | undefined;
  private steps = 0;
  private roots: Requirement[] = [];
  private rootLabels: string[] = [];
  private readonly batch: BatchPrefetcher | undefined;
  private readonly warn: (message: string) => void;
  /** `name version` of releases already warned about (an extra of one release must not warn again). */
  private readonly warned = new Set<string>();

  constructor(
    private readonly provider: Provider,
    private readonly env: MarkerEnvironment,
    private readonly constraints: Requirement[] = [],
    options: SolverOptions = {},
  ) {
    this.python = Version.tryParse(env.python_full_version ?? '');
    const read = provider.prefetchMetadata?.bind(provider);
    const window = options.batchPrefetch ?? BATCH_PREFETCH;
    this.batch = read && window > 0 ? new BatchPrefetcher(read, window) : undefined;
    this.warn = options.onWarning ?? ((message) => process.emitWarning(message, { code: 'NX_PEX_INVALID_METADATA' }));
  }

  /** `labels[i]` names who asked for `roots[i]` in messages (default: "the request"). */
  async resolve(roots: Requirement[], labels: (string | undefined)[] = []): Promise<Resolution> {
    this.universes.set(ROOT, new Universe([Version.parse('0')]));
    this.require(ROOT);
    this.add({ terms: [notSelected(ROOT, this.u(ROOT))], cause: { kind: 'root' } });
    this.roots = roots;
    this.rootLabels = roots.map((_, i) => labels[i] ?? 'the request');
    let next: string | undefined = ROOT;
    while (next !== undefined) {
      if (++this.steps > MAX_STEPS) {
        throw new ResolverError(
          'RESOLUTION_CONFLICT',
          `Resolution gave up after ${MAX_STEPS} steps while choosing ${next}. Add tighter version constraints to the requirements.`,
        );
      }
      this.propagate(next);
      next = await this.decide();
    }
    return this.solution();
  }

  // ---- universes and incompatibilities ------------------------------------------------------

  private require(pkg: string): void {
    if (!this.order.includes(pkg)) this.order.push(pkg);
  }

  private async universe(pkg: string): Promise<Universe> {
    let u = this.universes.get(pkg);
    if (!u) {
      const [base] = splitExtra(pkg);
      const releases = await this.provider.releases(base);
      this.releases.set(base, releases);
      u = new Universe([...releases].reverse().map((r) => r.version));
      this.universes.set(pkg, u);
      for (const c of this.constraints) {
        if (c.key !== base) continue;
        // A constraint only narrows a package that is required: "X outside C" is incompatible.
        const universe = u;
        const outside = universe.keys.filter((_, i) => !c.specifier.contains(universe.versions[i]!, true));
        if (outside.length)
          this.add({
            terms: [positive(pkg, outside, universe)],
            cause: { kind: 'constraint', requirement: c.toString() },
          });
      }
    }
    return u;
  }

  /** A term that allows every outcome always holds: it says nothing, so it is dropped. */
  private normalize(terms: Term[]): Term[] {
    return terms.filter((t) => !(t.none && size(t) === t.universe.keys.length));
  }

  private add(incompatibility: Incompatibility): void {
    incompatibility.terms = this.normalize(incompatibility.terms);
    for (const t of incompatibility.terms) {
      const list = this.incompatibilities.get(t.pkg) ?? [];
      list.push(incompatibility);
      this.incompatibilities.set(t.pkg, list);
    }
  }

  private u(pkg: string): Universe {
    return this.universes.get(pkg)!;
  }

  /** Add "pkg==version requires r" for each requirement (and its base package for extras). */
  private async addDependencies(
    pkg: string,
    version: string,
    requirements: Requirement[],
    labels: string[],
  ): Promise<Incompatibility[]> {
    for (const r of requirements) this.speculate(r);
    const added: Incompatibility[] = [];
    for (const [i, r] of requirements.entries()) {
      if (r.url) {
        throw new ResolverError(
          'INVALID_REQUIREMENT',
          `Direct URL requirements are not supported yet: ${JSON.stringify(r.source)} (required by ${labels[i]}). Put the wheel in a find-links directory and require it by name.`,
        );
      }
      if (exactPin(r)) this.pinned.add(r.key);
      if (r.specifier.prereleases) this.prereleasesNamed.add(r.key);
      const targets = [r.key, ...r.normalizedExtras.map((e) => `${r.key}[${e}]`)];
      for (const dep of targets) {
        const u = await this.universe(dep);
        this.require(dep);
        const allowed = positiveBits(dep, u, u.allowedBits(r.specifier));
        const incompatibility: Incompatibility = {
          terms: [positive(pkg, [version], this.u(pkg)), negate(allowed)],
          cause: { kind: 'dependency', from: labels[i]!, requirement: r.toString(), pkg: dep },
        };
        this.add(incompatibility);
        added.push(incompatibility);
      }
    }
    return added;
  }

  /** Requirements (`name[extras]`) already followed by `speculate`. */
  private readonly speculated = new Set<string>();

  /**
   * Prefetch the page of `r`'s project and, with `prefetchMetadata`, the metadata of the release the
   * solver would likely pick for it (newest allowed, preferred first), then the same for that
   * release's requirements. Only warms caches: decisions still await the provider as usual.
   */
  private speculate(r: Requirement): void {
    this.provider.prefetch?.(r.key);
    if (!this.provider.prefetchMetadata) return;
    const extras = [...r.normalizedExtras].sort();
    const key = `${r.key}[${extras.join(',')}]`;
    if (this.speculated.has(key)) return;
    this.speculated.add(key);
    void (async () => {
      const releases = await this.provider.releases(r.key);
      const allowed = releases.filter(
        (rel) => rel.best && !rel.yanked && r.specifier.contains(rel.version.toString(), true),
      );
      const want = Version.tryParse(this.provider.preference?.(r.key) ?? '');
      const guess =
        (want && allowed.find((rel) => rel.version.compare(want) === 0)) ??
        allowed.find((rel) => !rel.version.isPrerelease) ??
        allowed[0];
      if (!guess) return;
      const metadata = await this.provider.prefetchMetadata?.(r.key, guess);
      if (!metadata) return;
      for (const text of metadata.requiresDist) {
        const dep = Requirement.parse(text);
        if (!dep.url && dep.appliesTo(this.env, ['', ...extras])) this.speculate(dep);
      }
    })().catch(() => undefined); // a failed guess costs nothing: the solver asks again when it decides
  }

  // ---- partial solution ----------------------------------------------------------------------

  private termOf(pkg: string): Term {
    return this.accumulated.get(pkg) ?? anything(pkg, this.u(pkg));
  }

  private assign(a: Assignment): void {
    this.assignments.push(a);
    this.accumulated.set(a.term.pkg, intersect(this.termOf(a.term.pkg), a.term));
    if (a.decision) this.decisions.set(a.term.pkg, versionsOf(a.term)[0]!);
  }

  private backtrack(level: number): void {
    const keep = this.assignments.filter((a) => a.level <= level);
    this.assignments = [];
    this.accumulated = new Map();
    this.decisions = new Map();
    for (const a of keep) this.assign(a);
  }

  /** 'satisfied' | 'contradicted' | 'inconclusive' for a term against the partial solution. */
  private relation(t: Term): 'satisfied' | 'contradicted' | 'inconclusive' {
    const have = this.termOf(t.pkg);
    if (isSubset(have, t)) return 'satisfied';
    if (isDisjoint(have, t)) return 'contradicted';
    return 'inconclusive';
  }

  // ---- unit propagation and conflict resolution ------------------------------------------------

  private propagate(start: string): void {
    const changed = [start];
    while (changed.length) {
      const pkg = changed.pop()!;
      const list = this.incompatibilities.get(pkg) ?? [];
      for (let i = list.length - 1; i >= 0; i--) {
        const result = this.propagateOne(list[i]!);
        if (result === 'conflict') {
          const rootCause = this.resolveConflict(list[i]!);
          changed.length = 0;
          const derived = this.propagateOne(rootCause);
          if (typeof derived === 'string' && derived !== 'conflict' && derived !== 'none') changed.push(derived);
          break;
        }
        if (result !== 'none') changed.push(result);
      }
    }
  }

  /** Derive from an almost satisfied incompatibility; 'conflict' when it is satisfied. */
  private propagateOne(incompatibility: Incompatibility): string {
    let unsatisfied: Term | undefined;
    for (const t of incompatibility.terms) {
      const rel = this.relation(t);
      if (rel === 'contradicted') return 'none';
      if (rel === 'inconclusive') {
        if (unsatisfied) return 'none';
        unsatisfied = t;
      }
    }
    if (!unsatisfied) return 'conflict';
    this.assign({ term: negate(unsatisfied), level: this.decisions.size, decision: false, cause: incompatibility });
    return unsatisfied.pkg;
  }

  private isFailure(i: Incompatibility): boolean {
    return i.terms.length === 0 || (i.terms.length === 1 && i.terms[0]!.pkg === ROOT && !i.terms[0]!.none);
  }

  /** Is `i` satisfied by the assignments `upTo` (exclusive) plus `extra`? */
  private satisfiedBy(i: Incompatibility, upTo: number, extra?: Assignment): boolean {
    const acc = new Map<string, Term>();
    const take = (a: Assignment) =>
      acc.set(a.term.pkg, intersect(acc.get(a.term.pkg) ?? anything(a.term.pkg, this.u(a.term.pkg)), a.term));
    for (let k = 0; k < upTo; k++) take(this.assignments[k]!);
    if (extra) take(extra);
    return i.terms.every((t) => isSubset(acc.get(t.pkg) ?? anything(t.pkg, this.u(t.pkg)), t));
  }

  private resolveConflict(conflict: Incompatibility): Incompatibility {
    let incompatibility = conflict;
    let learned = false;
    for (;;) {
      if (this.isFailure(incompatibility)) throw this.failure(incompatibility);
      let index = 0;
      while (!this.satisfiedBy(incompatibility, index + 1)) index++;
      const satisfier = this.assignments[index]!;
      const term = incompatibility.terms.find((t) => t.pkg === satisfier.term.pkg)!;
      // The earliest assignment that, with the satisfier, already satisfies the incompatibility.
      let previousLevel = 1;
      if (!this.satisfiedBy(incompatibility, 0, satisfier)) {
        for (let k = 0; k < index; k++) {
          if (this.satisfiedBy(incompatibility, k + 1, satisfier)) {
            previousLevel = Math.max(1, this.assignments[k]!.level);
            break;
          }
        }
      }
      if (satisfier.decision || previousLevel !== satisfier.level) {
        if (learned) this.add(incompatibility);
        this.backtrack(previousLevel);
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
        terms: this.normalize([...merged.values()]),
        cause: { kind: 'derived', left: incompatibility, right: cause },
      };
      learned = true;
    }
  }

  // ---- decisions --------------------------------------------------------------------------------

  /** Choose a version for the next required package; returns the package to propagate from, or undefined when done. */
  private async decide(): Promise<string | undefined> {
    const pkg = this.order.find((p) => !this.decisions.has(p) && this.accumulated.has(p) && !this.termOf(p).none);
    if (pkg === undefined) return undefined;
    const [base, extra] = splitExtra(pkg);
    const allowed = this.termOf(pkg);
    if (pkg === ROOT) return this.decideVersion(pkg, base, undefined, '0', undefined);
    const releases = this.allowedReleases(base, allowed);
    const usable = extra ? releases : releases.filter((r) => r.best && (!r.yanked || this.pinned.has(base)));
    if (usable.length === 0) {
      const withoutWheel = releases.find((r) => !r.best);
      this.add({
        terms: [{ ...allowed, none: false }],
        cause: { kind: 'no-versions', ...(withoutWheel ? { error: this.provider.noWheel(base, withoutWheel) } : {}) },
      });
      return pkg;
    }
    const [release, ...next] = this.preferenceOrder(pkg, base, usable);
    if (!extra) this.batch?.tryVersion(base, release!, next, this.releases.get(base) ?? []);
    return this.decideVersion(pkg, base, extra, release!.version.toString(), release);
  }

  /**
   * The releases of `base` a term allows, newest first. The universe lists the same releases oldest
   * first, so the term's bits index them directly (no version text per release per decision).
   */
  private allowedReleases(base: string, allowed: Term): Release[] {
    const all = this.releases.get(base) ?? [];
    const n = all.length;
    if (allowed.universe.versions.length !== n) return all.filter((r) => has(allowed, r.version.toString()));
    return indexesNewestFirst(allowed).map((i) => all[n - 1 - i]!);
  }

  /** Add the dependencies of pkg==version, then decide it unless one of them is already ruled out. */
  private async decideVersion(
    pkg: string,
    base: string,
    extra: string | undefined,
    version: string,
    release: Release | undefined,
  ): Promise<string> {
    let incompatibilities: Incompatibility[];
    if (pkg === ROOT) {
      incompatibilities = await this.addDependencies(ROOT, '0', this.roots, this.rootLabels);
    } else if (extra) {
      // The extra is the base at the same version plus the requirements its marker enables.
      const parsed = this.parseMetadata(base, release!, await this.provider.metadata(base, release!));
      if ('invalid' in parsed) return this.ruleOut(pkg, version, parsed.invalid);
      incompatibilities = await this.addDependencies(
        pkg,
        version,
        [Requirement.parse(`${base}==${version}`)],
        [`${pkg} ${version}`],
      );
      const deps = parsed.requirements.filter((r) => r.marker?.mentionsExtra && r.appliesTo(this.env, [extra]));
      incompatibilities.push(
        ...(await this.addDependencies(
          pkg,
          version,
          deps,
          deps.map(() => `${pkg} ${version}`),
        )),
      );
    } else {
      const parsed = this.parseMetadata(base, release!, await this.provider.metadata(base, release!));
      if ('invalid' in parsed) return this.ruleOut(pkg, version, parsed.invalid);
      const { requiresPython } = parsed;
      if (this.python && requiresPython && !pythonAllowed(requiresPython, this.python)) {
        this.add({
          terms: [positive(pkg, [version], this.u(pkg))],
          cause: { kind: 'requires-python', version, requiresPython },
        });
        return pkg;
      }
      const deps = parsed.requirements.filter((r) => r.appliesTo(this.env, ['']));
      incompatibilities = await this.addDependencies(
        pkg,
        version,
        deps,
        deps.map(() => `${pkg} ${version}`),
      );
    }
    // PubGrub: do not decide when a dependency of this version is already ruled out; propagation will.
    const decision: Assignment = {
      term: positive(pkg, [version], this.u(pkg)),
      level: this.decisions.size + 1,
      decision: true,
    };
    const blocked = incompatibilities.some((i) =>
      i.terms.every((t) => (t.pkg === pkg ? isSubset(decision.term, t) : this.relation(t) === 'satisfied')),
    );
    if (!blocked) this.assign(decision);
    return pkg;
  }

  /**
   * A release's Requires-Dist, parsed. pip ≥ 24.1 discards a candidate whose Requires-Dist does not
   * parse (PEP 508), or whose Name / Version differ from its file name's, instead of failing the install;
   * so does this: the caller rules the release out and the solve goes on with the others.
   */
  private parseMetadata(base: string, release: Release, metadata: RawMetadata): ParsedMetadata {
    // A backtracking walk decides the same release again after each backjump: parse its metadata once.
    let parsed = this.parsed.get(metadata);
    if (!parsed) {
      parsed = inconsistency(base, release, metadata) ?? parseRawMetadata(metadata);
      this.parsed.set(metadata, parsed);
    }
    return parsed;
  }

  private readonly parsed = new WeakMap<RawMetadata, ParsedMetadata>();

  /** "pkg version has invalid metadata": the release is never chosen; warned about once. */
  private ruleOut(pkg: string, version: string, reason: string): string {
    this.add({ terms: [positive(pkg, [version], this.u(pkg))], cause: { kind: 'invalid-metadata', version, reason } });
    const [base] = splitExtra(pkg);
    if (!this.warned.has(`${base} ${version}`)) {
      this.warned.add(`${base} ${version}`);
      this.warn(
        `Ignoring ${base} ${version}: its metadata is invalid (${reason}). Another version is used; ask the project to fix the release if you need this one.`,
      );
    }
    return pkg;
  }

  /**
   * The usable releases in the order they are tried: the preferred version (for an extra, the base's
   * decided version), then newest final, then newest pre-release. PEP 440: pre-releases when a
   * requirement on the package names one (as pip: the newest allowed version first), else only "if
   * necessary" (no final release allowed).
   */
  private preferenceOrder(pkg: string, base: string, usable: Release[]): Release[] {
    const want = pkg === base ? this.provider.preference?.(base) : this.decisions.get(base);
    const wanted = want === undefined ? undefined : Version.tryParse(want);
    const preferred = wanted ? usable.find((r) => r.version.compare(wanted) === 0) : undefined;
    const rest = usable.filter((r) => r !== preferred);
    const ordered = this.prereleasesNamed.has(base)
      ? rest
      : [...rest.filter((r) => !r.version.isPrerelease), ...rest.filter((r) => r.version.isPrerelease)];
    return preferred ? [preferred, ...ordered] : ordered;
  }

  private solution(): Resolution {
    const decisions = new Map<string, Release>();
    const extras = new Map<string, Set<string>>();
    for (const pkg of this.order) {
      const version = this.decisions.get(pkg);
      if (pkg === ROOT || version === undefined) continue;
      const [base, extra] = splitExtra(pkg);
      if (extra) {
        const set = extras.get(base) ?? new Set<string>();
        set.add(extra);
        extras.set(base, set);
      } else {
        decisions.set(
          base,
          this.releases.get(base)!.find((r) => r.version.toString() === version)!,
        );
      }
    }
    return { decisions, extras };
  }

  // ---- reporting ------------------------------------------------------------------------------

  private failure(root: Incompatibility): ResolverError {
    const leaves: Incompatibility[] = [];
    const collect = (i: Incompatibility) => {
      if (i.cause.kind === 'derived') {
        collect(i.cause.left);
        collect(i.cause.right);
      } else if (!leaves.includes(i)) leaves.push(i);
    };
    collect(root);
    const facts = leaves.filter(
      (l) => l.cause.kind !== 'root' && !(l.cause.kind === 'dependency' && l.terms[0]!.pkg === ROOT),
    );
    const only = facts.length === 1 ? facts[0]! : undefined;
    const asks = leaves
      .filter((l) => l.cause.kind === 'dependency')
      .map((l) => this.describe(l))
      .join('; ');
    if (only?.cause.kind === 'no-versions') return only.cause.error ?? this.noMatch(only.terms[0]!.pkg, asks);
    // A root requirement no known release satisfies: its term said nothing and was dropped.
    const first = leaves.find((l) => l.cause.kind === 'dependency');
    if (facts.length === 0 && first?.cause.kind === 'dependency') return this.noMatch(first.cause.pkg, asks);
    const roots = leaves
      .filter((l) => l.cause.kind === 'dependency' && l.terms[0]!.pkg === ROOT)
      .map((l) => this.describe(l));
    return new ResolverError(
      'RESOLUTION_CONFLICT',
      `Cannot resolve the requirements:\n${this.report(root)}\nTo fix it, relax or remove one of these requirements: ${roots.join('; ')} — or pin versions whose dependencies agree.`,
    );
  }

  private noMatch(pkg: string, asks: string): ResolverError {
    const [base] = splitExtra(pkg);
    const available = [...(this.releases.get(base) ?? [])].slice(0, 10).map((r) => r.version.toString());
    return new ResolverError(
      'NO_MATCHING_DISTRIBUTION',
      `No distribution of ${base} satisfies ${asks || base} on ${this.provider.describeSources()} (${available.length ? `available: ${available.join(', ')}` : 'no files usable by the target interpreter'}). Check the name and version, or the index configuration.`,
    );
  }

  /** The derivation tree as numbered lines, each "Because A and B, C." ending in the failure. */
  private report(root: Incompatibility): string {
    const lines: string[] = [];
    const ids = new Map<Incompatibility, number>();
    const write = (i: Incompatibility): string => {
      if (i.cause.kind !== 'derived') return this.describe(i);
      const known = ids.get(i);
      if (known !== undefined) return `${this.describe(i)} (${known})`;
      const left = write(i.cause.left);
      const right = write(i.cause.right);
      lines.push(`Because ${left} and ${right}, ${this.describe(i)}.`);
      ids.set(i, lines.length);
      return this.describe(i);
    };
    write(root);
    return lines.map((l, n) => `  (${n + 1}) ${l}`).join('\n');
  }

  private show(t: Term): string {
    return `${t.pkg} ${t.universe.describe(t.none ? negate(t) : t)}`;
  }

  private describe(i: Incompatibility): string {
    const c = i.cause;
    switch (c.kind) {
      case 'dependency':
        return `${c.from} requires ${c.requirement}`;
      case 'invalid-metadata':
        return `${i.terms[0]!.pkg} ${c.version} has invalid metadata: ${c.reason}`;
      case 'requires-python':
        return `${i.terms[0]!.pkg} ${c.version} requires Python ${c.requiresPython} (the target has ${this.python?.toString() ?? 'another version'})`;
      case 'constraint':
        return `the constraint ${c.requirement} excludes ${this.show(i.terms[0]!)}`;
      case 'no-versions':
        return c.error
          ? `${this.show(i.terms[0]!)} has no wheel for the target`
          : `no release of ${this.show(i.terms[0]!)} is available`;
      case 'root':
        return 'the request is resolved';
      case 'derived':
        break;
    }
    const terms = i.terms.filter((t) => !(t.pkg === ROOT && !t.none));
    const viaRoot = terms.length !== i.terms.length;
    if (terms.length === 0) return 'version solving failed';
    const pos = terms.filter((t) => !t.none);
    const neg = terms.filter((t) => t.none);
    if (viaRoot && terms.length === 1)
      return neg.length ? `the request requires ${this.show(neg[0]!)}` : `the request forbids ${this.show(pos[0]!)}`;
    if (terms.length === 1)
      return neg.length ? `${this.show(neg[0]!)} is required` : `${this.show(pos[0]!)} cannot be used`;
    if (terms.length === 2 && pos.length === 1) return `${this.show(pos[0]!)} requires ${this.show(neg[0]!)}`;
    if (terms.length === 2 && pos.length === 2)
      return `${this.show(pos[0]!)} is incompatible with ${this.show(pos[1]!)}`;
    return `these cannot all hold: ${terms.map((t) => (t.none ? `not ${this.show(t)}` : this.show(t))).join(', ')}`;
  }
}
