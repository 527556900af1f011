// The failure explanation: when the root incompatibility is derived, say why in the user's terms —
// "no distribution satisfies X" when one missing release explains it all, else the derivation tree
// as numbered "Because A and B, C." lines (the report documented for Dart pub) and which of the
// request's requirements to relax.
import { ResolverError } from '../errors.js';
import type { Version } from '../pep440/version.js';
import type { Incompatibility } from './incompatibility.js';
import { ROOT, splitExtra } from './package.js';
import type { Release } from './release.js';
import { negate, type Term } from './term.js';

/** What a report names besides the incompatibilities. */
export interface ReportContext {
  /** The target's Python version (undefined when the environment does not say). */
  readonly python: Version | undefined;
  /** The releases of a project seen by the solver, newest first. */
  releases(base: string): readonly Release[] | undefined;
  /** Where the releases came from. */
  describeSources(): string;
}

/** The error for the failure `root` (an incompatibility that holds whatever is decided). */
export function explainFailure(root: Incompatibility, ctx: ReportContext): ResolverError {
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
    .map((l) => describe(l, ctx))
    .join('; ');
  if (only?.cause.kind === 'no-versions') return only.cause.error ?? noMatch(only.terms[0]!.pkg, asks, ctx);
  // A root requirement no known release satisfies: its term said nothing and was dropped.
  const first = leaves.find((l) => l.cause.kind === 'dependency');
  if (facts.length === 0 && first?.cause.kind === 'dependency') return noMatch(first.cause.pkg, asks, ctx);
  const roots = leaves
    .filter((l) => l.cause.kind === 'dependency' && l.terms[0]!.pkg === ROOT)
    .map((l) => describe(l, ctx));
  return new ResolverError(
    'RESOLUTION_CONFLICT',
    `Cannot resolve the requirements:\n${derivation(root, ctx)}\nTo fix it, relax or remove one of these requirements: ${roots.join('; ')} — or pin versions whose dependencies agree.`,
  );
}

function noMatch(pkg: string, asks: string, ctx: ReportContext): ResolverError {
  const [base] = splitExtra(pkg);
  const available = [...(ctx.releases(base) ?? [])].slice(0, 10).map((r) => r.version.toString());
  return new ResolverError(
    'NO_MATCHING_DISTRIBUTION',
    `No distribution of ${base} satisfies ${asks || base} on ${ctx.describeSources()} (${available.length ? `available: ${available.join(', ')}` : 'no files usable by the target interpreter'}). Check the name and version, or the index configuration.`,
  );
}

/** The derivation tree as numbered lines, each "Because A and B, C." ending in the failure. */
function derivation(root: Incompatibility, ctx: ReportContext): string {
  const lines: string[] = [];
  const ids = new Map<Incompatibility, number>();
  const write = (i: Incompatibility): string => {
    if (i.cause.kind !== 'derived') return describe(i, ctx);
    const known = ids.get(i);
    if (known !== undefined) return `${describe(i, ctx)} (${known})`;
    const left = write(i.cause.left);
    const right = write(i.cause.right);
    lines.push(`Because ${left} and ${right}, ${describe(i, ctx)}.`);
    ids.set(i, lines.length);
    return describe(i, ctx);
  };
  write(root);
  return lines.map((l, n) => `  (${n + 1}) ${l}`).join('\n');
}

function show(t: Term): string {
  return `${t.pkg} ${t.universe.describe(t.none ? negate(t) : t)}`;
}

function describe(i: Incompatibility, ctx: ReportContext): string {
  const c = i.cause;
  switch (c.kind) {
    case 'dependency':
      return `${c.from} requires ${c.requirement}`;
    case 'invalid-metadata':
      return `${i.terms[0]!.pkg} ${c.version} has invalid metadata: ${c.reason}`;
    case 'requires-python':
      return `${i.terms[0]!.pkg} ${c.version} requires Python ${c.requiresPython} (the target has ${ctx.python?.toString() ?? 'another version'})`;
    case 'constraint':
      return `the constraint ${c.requirement} excludes ${show(i.terms[0]!)}`;
    case 'no-versions':
      return c.error
        ? `${show(i.terms[0]!)} has no wheel for the target`
        : `no release of ${show(i.terms[0]!)} is available`;
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
    return neg.length ? `the request requires ${show(neg[0]!)}` : `the request forbids ${show(pos[0]!)}`;
  if (terms.length === 1) return neg.length ? `${show(neg[0]!)} is required` : `${show(pos[0]!)} cannot be used`;
  if (terms.length === 2 && pos.length === 1) return `${show(pos[0]!)} requires ${show(neg[0]!)}`;
  if (terms.length === 2 && pos.length === 2) return `${show(pos[0]!)} is incompatible with ${show(pos[1]!)}`;
  return `these cannot all hold: ${terms.map((t) => (t.none ? `not ${show(t)}` : show(t))).join(', ')}`;
}
