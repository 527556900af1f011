import { ResolverError } from '../errors.js';
import { Version } from './version.js';

// PEP 440 "Version specifiers". The version grammar per operator follows packaging's
// `Specifier._regex`: `.*` and local labels only with ==/!=; `~=` needs two release segments;
// `===` takes any non-empty string without whitespace (packaging ≥ 26 rejects `===` with nothing
// after it; older packaging accepted it).
const PRE = '(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?';
const POST = '(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?';
const DEV = '(?:[-_.]?dev[-_.]?[0-9]*)?';
const LOCAL = '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
const EPOCH = '(?:[0-9]+!)?';
const RELEASE = `v?${EPOCH}[0-9]+(?:\\.[0-9]+)*`;
/** Version grammar per operator (unanchored; packaging's `Specifier._version_regex_str`). Reused by the PEP 508 tokenizer. */
export const SPECIFIER_VERSION_SOURCE: Record<Operator, string> = {
  '===': '[^\\s;)]+',
  '==': `${RELEASE}(?:\\.\\*|${PRE}${POST}${DEV}${LOCAL})`,
  '!=': `${RELEASE}(?:\\.\\*|${PRE}${POST}${DEV}${LOCAL})`,
  '~=': `v?${EPOCH}[0-9]+(?:\\.[0-9]+)+${PRE}${POST}${DEV}`,
  '<=': `${RELEASE}${PRE}${POST}${DEV}`,
  '>=': `${RELEASE}${PRE}${POST}${DEV}`,
  '<': `${RELEASE}${PRE}${POST}${DEV}`,
  '>': `${RELEASE}${PRE}${POST}${DEV}`,
};
const VERSION_BY_OPERATOR = Object.fromEntries(
  Object.entries(SPECIFIER_VERSION_SOURCE).map(([op, source]) => [op, new RegExp(`^(?:${source})$`, 'i')]),
) as Record<Operator, RegExp>;

export type Operator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';
const OPERATOR = /^\s*(~=|===|==|!=|<=|>=|<|>)\s*(.*?)\s*$/s;

/** One PEP 440 version clause, e.g. `>=1.2`, `==1.4.*`, `~=2.2.post3`. */
export class Specifier {
  readonly operator: Operator;
  /** The version text as written (packaging keeps it raw; `~=` and `.*` logic works on it). */
  readonly version: string;

  constructor(text: string) {
    const m = OPERATOR.exec(text);
    const op = m?.[1] as Operator | undefined;
    const version = m?.[2];
    if (!op || version === undefined || !VERSION_BY_OPERATOR[op].test(version)) {
      throw new ResolverError(
        'INVALID_SPECIFIER',
        `Invalid version specifier ${JSON.stringify(text)}: expected an operator (==, !=, <=, >=, <, >, ~=, ===) and a PEP 440 version, e.g. ">=1.2" or "==1.4.*".`,
      );
    }
    this.operator = op;
    this.version = version;
  }

  toString(): string {
    return `${this.operator}${this.version}`;
  }

  /**
   * Whether the clause names a pre-release, as packaging ≥ 26 (`Specifier.prereleases`): every
   * operator but `!=` and `==V.*` whose version is a pre-release (`<2.0a1` too); `===` with a
   * non-version is unknown (undefined). The solver uses it as pip does: such a requirement lets
   * pre-releases be chosen although final releases are allowed.
   */
  get prereleases(): boolean | undefined {
    if (this.operator === '!=' || (this.operator === '==' && this.version.endsWith('.*'))) return false;
    return Version.tryParse(this.version)?.isPrerelease;
  }

  /**
   * packaging ≥ 26: with `prereleases` unset a pre-release is admitted (one version has no
   * alternatives, so PEP 440's "only if necessary" lets it in); only `false` rejects it.
   */
  contains(item: Version, prereleases?: boolean): boolean {
    if (prereleases === false && item.isPrerelease) return false;
    return this.matches(item);
  }

  /** `contains` for a marker's environment value (PEP 508): `===` compares the text as written; a non-version never matches. */
  containsText(text: string): boolean {
    if (this.operator === '===') return text.toLowerCase() === this.version.toLowerCase();
    const version = Version.tryParse(text);
    return version !== undefined && this.matches(version);
  }

  /** The operator's comparison alone, without the pre-release gate. */
  matches(v: Version): boolean {
    const spec = this.version;
    switch (this.operator) {
      case '==':
        return equal(v, spec);
      case '!=':
        return !equal(v, spec);
      case '<=':
        return v.withoutLocal().compare(Version.parse(spec)) <= 0;
      case '>=':
        return v.withoutLocal().compare(Version.parse(spec)) >= 0;
      case '<':
        return lessThan(v, Version.parse(spec));
      case '>':
        return greaterThan(v, Version.parse(spec));
      case '~=':
        return compatible(v, Version.parse(spec));
      case '===':
        // PEP 440 arbitrary equality: plain case-insensitive string comparison.
        return v.toString().toLowerCase() === spec.toLowerCase();
    }
  }
}

function equal(v: Version, spec: string): boolean {
  if (spec.endsWith('.*')) {
    // PEP 440 prefix matching: compare the padded, shortened candidate against the prefix.
    const prefix = splitVersion(canonicalText(spec.slice(0, -2)));
    const candidate = splitVersion(canonical(v.withoutLocal()));
    const padded = padRelease(candidate, prefix).slice(0, prefix.length);
    return padded.length === prefix.length && padded.every((x, i) => x === prefix[i]);
  }
  const target = Version.parse(spec);
  // PEP 440: without a local label in the specifier, the candidate's local label is ignored.
  return (target.local ? v : v.withoutLocal()).equals(target);
}

/**
 * PEP 440: `<V` excludes pre-releases of V unless V is itself a pre-release. As packaging ≥ 26,
 * that means `< V.dev0` (V's post part kept), so `<3.post3` admits 3rc1 and 3.dev1.
 */
function lessThan(v: Version, spec: Version): boolean {
  const bound = spec.isPrerelease ? spec : spec.replace({ dev: 0n, local: undefined });
  return v.compare(bound) < 0;
}

/**
 * PEP 440: `>V` excludes post-releases (and local versions) of V unless V is itself a post-release.
 * As packaging ≥ 26: `>V.devN` starts at V.dev(N+1); `>V.postN` at V.post(N+1).dev0; otherwise
 * every version sharing V's release and pre-release part (V+local, V.postN…) is excluded.
 */
function greaterThan(v: Version, spec: Version): boolean {
  if (spec.dev !== undefined) return v.compare(spec.replace({ dev: spec.dev + 1n, local: undefined })) >= 0;
  if (spec.post !== undefined) return v.compare(spec.replace({ post: spec.post + 1n, dev: 0n, local: undefined })) >= 0;
  if (v.compare(spec) <= 0) return false;
  const samePre = v.pre?.[0] === spec.pre?.[0] && v.pre?.[1] === spec.pre?.[1];
  return !(samePre && v.baseVersion.equals(spec.baseVersion));
}

/** PEP 440: `~=V.N` means `>=V.N, ==V.*`: from V up to (not including) the next prefix's first dev release. */
function compatible(v: Version, spec: Version): boolean {
  const prefix = spec.release.slice(0, -1);
  prefix[prefix.length - 1]! += 1n;
  return v.compare(spec) >= 0 && v.compare(Version.parse(`${spec.epoch}!${prefix.join('.')}.dev0`)) < 0;
}

/** packaging's `canonicalize_version(strip_trailing_zero=False)` without local. */
function canonical(v: Version): string {
  return v.withoutLocal().toString();
}

/** As packaging: text that is not a valid version is used as written. */
function canonicalText(text: string): string {
  const v = Version.tryParse(text);
  return v ? canonical(v) : text;
}

/** packaging's `_version_split`: epoch first, then dot parts, splitting `1rc1` into `1`, `rc1`. */
function splitVersion(version: string): string[] {
  const bang = version.lastIndexOf('!');
  const out = [bang === -1 ? '0' : version.slice(0, bang) || '0'];
  for (const item of version.slice(bang + 1).split('.')) {
    const m = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (m) out.push(m[1] as string, m[2] as string);
    else out.push(item);
  }
  return out;
}

/** packaging's `_pad_version` (left side only): zero-pad the numeric prefix to the other's length. */
function padRelease(left: string[], right: string[]): string[] {
  const numeric = (xs: string[]) => {
    let n = 0;
    while (n < xs.length && /^[0-9]+$/.test(xs[n] as string)) n++;
    return n;
  };
  const l = numeric(left);
  const r = numeric(right);
  return [...left.slice(0, l), ...Array<string>(Math.max(0, r - l)).fill('0'), ...left.slice(l)];
}

/** packaging's `canonicalize_version`: normal form, trailing `.0`s of the release dropped; non-versions as written. */
function canonicalKey(text: string, stripTrailingZero: boolean): string {
  const v = Version.tryParse(text);
  if (!v) return text;
  let s = v.epoch !== 0n ? `${v.epoch}!` : '';
  const release = v.release.join('.');
  s += stripTrailingZero ? release.replace(/(\.0)+$/, '') : release;
  return (
    s +
    v
      .toString()
      .slice(v.toString().indexOf('!') + 1)
      .slice(release.length)
  );
}

/** A comma-separated set of specifiers; a version must satisfy all of them. */
export class SpecifierSet {
  readonly specifiers: readonly Specifier[];

  constructor(text = '') {
    // As packaging (a frozenset): equal clauses (`!=19` and `!= 19`, `==1.0` and `==1.0.0`) count once.
    const seen = new Set<string>();
    this.specifiers = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => new Specifier(s))
      .filter((s) => {
        const key = `${s.operator}${canonicalKey(s.version, s.operator !== '~=')}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  }

  static parse(text: string): SpecifierSet {
    return new SpecifierSet(text);
  }

  /** True when a clause names a pre-release (see `Specifier.prereleases`); undefined for an empty set. */
  get prereleases(): boolean | undefined {
    if (this.specifiers.length === 0) return undefined;
    return this.specifiers.some((s) => s.prereleases);
  }

  /**
   * Whether one version is in the set. As packaging ≥ 26, `prereleases` unset admits a pre-release
   * (a single version has no alternatives); `false` rejects it. Choosing among candidates (prefer
   * final releases unless a clause names a pre-release) is the solver's job, not this one's.
   */
  contains(item: Version | string, prereleases?: boolean): boolean {
    const v = typeof item === 'string' ? Version.parse(item) : item;
    if (prereleases === false && v.isPrerelease) return false; // also for an empty set
    return this.specifiers.every((s) => s.matches(v));
  }

  toString(): string {
    return this.specifiers.map(String).sort().join(',');
  }
}
