// The solver's loop (PubGrub): turns requirements into incompatibilities, alternates unit
// propagation (propagate.ts) with decisions (the version candidates.ts picks for the first
// required undecided package, those that keep clashing reordered by conflicts.ts), and returns the
// decisions; the other parts decide the rest.
import { ResolverError } from '../errors.js';
import { Version } from '../pep440/version.js';
import type { MarkerEnvironment } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import { BATCH_PREFETCH, BatchPrefetcher } from './batch-prefetch.js';
import { allowedReleases, CandidateSelector } from './candidates.js';
import { ConflictTracker } from './conflicts.js';
import { IncompatibilityStore, type Incompatibility } from './incompatibility.js';
import { extraPackage, ROOT, splitExtra } from './package.js';
import { PartialSolution, type Assignment } from './partial-solution.js';
import { SpeculativePrefetch } from './prefetch.js';
import { propagate } from './propagate.js';
import type { Provider } from './provider.js';
import { pythonAllowed, type Release } from './release.js';
import { ReleaseMetadata } from './release-metadata.js';
import { explainFailure, type ReportContext } from './report.js';
import { isSubset, negate, notSelected, positive, positiveBits, Universe } from './term.js';

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

const MAX_STEPS = 20_000;

/**
 * PubGrub version solving (Natalie Weizenbaum, "PubGrub: Next-Generation Version Solving"; the
 * algorithm as documented for Dart pub): unit propagation over incompatibilities, decisions on the
 * first-required undecided package (as uv, a package whose versions keep being ruled out by another's
 * decision goes first and that other last, see conflicts.ts) (newest allowed version; a preferred one first; pre-releases
 * only when no final release is allowed), conflict resolution with backjumping that learns a new
 * incompatibility, and a derivation-tree report when no solution exists.
 *
 * Version sets are finite: the releases the index lists for the target (see `term.ts`). Markers
 * are evaluated for one target environment; extras are virtual packages `name[extra]` (`package.ts`).
 */
export class Solver {
  private readonly universes = new Map<string, Universe>();
  private readonly releases = new Map<string, Release[]>();
  private readonly store = new IncompatibilityStore();
  private readonly solution = new PartialSolution((pkg) => this.u(pkg));
  /** Packages in the order they were first required: decisions follow it. */
  private readonly order: string[] = [];
  private readonly python: Version | undefined;
  private steps = 0;
  private roots: Requirement[] = [];
  private rootLabels: string[] = [];
  private readonly candidates: CandidateSelector;
  private readonly speculation: SpeculativePrefetch;
  private readonly batch: BatchPrefetcher | undefined;
  private readonly metadata: ReleaseMetadata;
  private readonly report: ReportContext;
  private readonly conflicts = new ConflictTracker();

  constructor(
    private readonly provider: Provider,
    private readonly env: MarkerEnvironment,
    private readonly constraints: Requirement[] = [],
    options: SolverOptions = {},
  ) {
    this.python = Version.tryParse(env.python_full_version ?? '');
    this.candidates = new CandidateSelector(provider.preference?.bind(provider));
    this.speculation = new SpeculativePrefetch(provider, env, this.candidates);
    const read = provider.prefetchMetadata?.bind(provider);
    const window = options.batchPrefetch ?? BATCH_PREFETCH;
    this.batch = read && window > 0 ? new BatchPrefetcher(read, window) : undefined;
    this.metadata = new ReleaseMetadata(options.onWarning);
    this.report = {
      python: this.python,
      releases: (base) => this.releases.get(base),
      describeSources: () => provider.describeSources(),
    };
  }

  /** `labels[i]` names who asked for `roots[i]` in messages (default: "the request"). */
  async resolve(roots: Requirement[], labels: (string | undefined)[] = []): Promise<Resolution> {
    this.universes.set(ROOT, new Universe([Version.parse('0')]));
    this.require(ROOT);
    this.store.add({ terms: [notSelected(ROOT, this.u(ROOT))], cause: { kind: 'root' } });
    this.roots = roots;
    this.rootLabels = roots.map((_, i) => labels[i] ?? 'the request');
    const explain = (failure: Incompatibility) => explainFailure(failure, this.report);
    let next: string | undefined = ROOT;
    while (next !== undefined) {
      if (++this.steps > MAX_STEPS) {
        throw new ResolverError(
          'RESOLUTION_CONFLICT',
          `Resolution gave up after ${MAX_STEPS} steps while choosing ${next}. Add tighter version constraints to the requirements.`,
        );
      }
      propagate(next, this.store, this.solution, explain);
      next = await this.decide();
    }
    return this.result();
  }

  // ---- packages and their incompatibilities -------------------------------------------------

  private require(pkg: string): void {
    if (!this.order.includes(pkg)) this.order.push(pkg);
  }

  /** The versions of `pkg` (its project's releases, read on first use), with the constraints on it recorded. */
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
          this.store.add({
            terms: [positive(pkg, outside, universe)],
            cause: { kind: 'constraint', requirement: c.toString() },
          });
      }
    }
    return u;
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
    for (const r of requirements) this.speculation.follow(r);
    const added: Incompatibility[] = [];
    for (const [i, r] of requirements.entries()) {
      if (r.url) {
        throw new ResolverError(
          'INVALID_REQUIREMENT',
          `Direct URL requirements are not supported yet: ${JSON.stringify(r.source)} (required by ${labels[i]}). Put the wheel in a find-links directory and require it by name.`,
        );
      }
      this.candidates.note(r);
      const targets = [r.key, ...r.normalizedExtras.map((e) => extraPackage(r.key, e))];
      for (const dep of targets) {
        const u = await this.universe(dep);
        this.require(dep);
        const allowed = positiveBits(dep, u, u.allowedBits(r.specifier));
        const incompatibility: Incompatibility = {
          terms: [positive(pkg, [version], this.u(pkg)), negate(allowed)],
          cause: { kind: 'dependency', from: labels[i]!, requirement: r.toString(), pkg: dep },
        };
        this.store.add(incompatibility);
        added.push(incompatibility);
      }
    }
    return added;
  }

  // ---- decisions --------------------------------------------------------------------------------

  /** Choose a version for the next required package; returns the package to propagate from, or undefined when done. */
  private async decide(): Promise<string | undefined> {
    // A package that keeps ruling out another's versions is decided later: undo its decision (see conflicts.ts).
    for (const culprit of this.conflicts.takeLate()) {
      const level = this.solution.decisionLevel(culprit);
      if (level !== undefined) this.solution.backtrack(level - 1);
    }
    const pkg = this.solution.nextUndecided(this.conflicts.rank(this.order));
    if (pkg === undefined) return undefined;
    const [base, extra] = splitExtra(pkg);
    const allowed = this.solution.termOf(pkg);
    if (pkg === ROOT) return this.decideVersion(pkg, base, undefined, '0', undefined);
    const releases = allowedReleases(this.releases.get(base) ?? [], allowed);
    const usable = this.candidates.usable(base, releases, Boolean(extra));
    // Lazily: the first in preference order, and after it those batch prefetch reads ahead.
    const ordered = this.candidates.order(base, usable, Boolean(extra), this.solution.decided(base));
    const first = ordered.next();
    if (first.done) {
      let withoutWheel: Release | undefined;
      for (const r of releases) {
        if (r.best) continue;
        withoutWheel = r;
        break;
      }
      this.store.add({
        terms: [{ ...allowed, none: false }],
        cause: { kind: 'no-versions', ...(withoutWheel ? { error: this.provider.noWheel(base, withoutWheel) } : {}) },
      });
      return pkg;
    }
    const release = first.value;
    if (!extra) this.batch?.tryVersion(base, release, ordered, this.releases.get(base) ?? []);
    return this.decideVersion(pkg, base, extra, release.version.toString(), release);
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
      const parsed = this.metadata.parse(base, release!, await this.provider.metadata(base, release!));
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
      const parsed = this.metadata.parse(base, release!, await this.provider.metadata(base, release!));
      if ('invalid' in parsed) return this.ruleOut(pkg, version, parsed.invalid);
      const { requiresPython } = parsed;
      if (this.python && requiresPython && !pythonAllowed(requiresPython, this.python)) {
        this.store.add({
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
      level: this.solution.level + 1,
      decision: true,
    };
    const blocked = incompatibilities.find((i) =>
      i.terms.every((t) => (t.pkg === pkg ? isSubset(decision.term, t) : this.solution.relation(t) === 'satisfied')),
    );
    // A clash counts against the packages whose decisions rule the dependency out (not a pin, say).
    if (blocked)
      this.conflicts.record(
        pkg,
        blocked.terms.filter((t) => t.pkg !== pkg && !this.solution.impliedWithoutDecision(t)).map((t) => t.pkg),
      );
    else this.solution.assign(decision);
    return pkg;
  }

  /** "pkg version has invalid metadata": the release is never chosen; warned about once. */
  private ruleOut(pkg: string, version: string, reason: string): string {
    this.store.add({
      terms: [positive(pkg, [version], this.u(pkg))],
      cause: { kind: 'invalid-metadata', version, reason },
    });
    this.metadata.ruledOut(splitExtra(pkg)[0], version, reason);
    return pkg;
  }

  private result(): Resolution {
    const decisions = new Map<string, Release>();
    const extras = new Map<string, Set<string>>();
    for (const pkg of this.order) {
      const version = this.solution.decided(pkg);
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
}
