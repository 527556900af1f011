import { ResolverError } from '../errors.js';

// PEP 440 "Appendix B: Parsing version strings with regular expressions" (the permissive
// form that accepts every spelling pip accepts and normalises it).
const VERSION_PATTERN = new RegExp(
  '^\\s*v?' +
    '(?:(?<epoch>[0-9]+)!)?' +
    '(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?' +
    '(?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?' +
    '(?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?' +
    '\\s*$',
  'i',
);

export type PreReleaseLabel = 'a' | 'b' | 'rc';
export type LocalSegment = bigint | string;

interface VersionParts {
  epoch: bigint;
  release: bigint[];
  pre?: [PreReleaseLabel, bigint] | undefined;
  post?: bigint | undefined;
  dev?: bigint | undefined;
  local?: LocalSegment[] | undefined;
}

const PRE_LABELS: Record<string, PreReleaseLabel> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};

const MEMO_LIMIT = 50_000;
const memo = new Map<string, Version | undefined>();

/** A PEP 440 version: parsed, normalised, totally ordered. Numbers are bigint (no size limit in PEP 440). */
export class Version {
  readonly epoch: bigint;
  readonly release: readonly bigint[];
  readonly pre: readonly [PreReleaseLabel, bigint] | undefined;
  readonly post: bigint | undefined;
  readonly dev: bigint | undefined;
  readonly local: readonly LocalSegment[] | undefined;

  private constructor(parts: VersionParts) {
    this.epoch = parts.epoch;
    this.release = parts.release;
    this.pre = parts.pre;
    this.post = parts.post;
    this.dev = parts.dev;
    this.local = parts.local;
  }

  static parse(text: string): Version {
    const parsed = Version.tryParse(text);
    if (!parsed) {
      throw new ResolverError(
        'INVALID_VERSION',
        `Invalid version ${JSON.stringify(text)}: not a PEP 440 version (e.g. "1.2.3", "2.0rc1", "1!2.0.post1+local").`,
      );
    }
    return parsed;
  }

  static tryParse(text: string): Version | undefined {
    // Versions are immutable: the same string (a release listed by many files, a key compared by
    // many specifiers) parses once. Bounded so a long-lived process does not grow without end.
    if (memo.has(text)) return memo.get(text);
    const parsed = Version.parseUncached(text);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, parsed);
    return parsed;
  }

  private static parseUncached(text: string): Version | undefined {
    const m = VERSION_PATTERN.exec(text);
    const g = m?.groups;
    if (!g) return undefined;
    const release = (g.release as string).split('.').map((n) => BigInt(n));
    const parts: VersionParts = { epoch: BigInt(g.epoch ?? '0'), release };
    if (g.pre_l) parts.pre = [PRE_LABELS[g.pre_l.toLowerCase()] as PreReleaseLabel, BigInt(g.pre_n ?? '0')];
    // PEP 440: "1.0-1" is an implicit post-release; "1.0.post" means post0.
    if (g.post) parts.post = BigInt(g.post_n1 ?? g.post_n2 ?? '0');
    if (g.dev) parts.dev = BigInt(g.dev_n ?? '0');
    if (g.local) {
      parts.local = g.local
        .toLowerCase()
        .split(/[-_.]/)
        .map((s) => (/^[0-9]+$/.test(s) ? BigInt(s) : s));
    }
    return new Version(parts);
  }

  get isPrerelease(): boolean {
    return this.pre !== undefined || this.dev !== undefined;
  }

  get isPostrelease(): boolean {
    return this.post !== undefined;
  }

  get isDevrelease(): boolean {
    return this.dev !== undefined;
  }

  /** The public version (everything but the local label). */
  get public(): string {
    return this.toString().split('+')[0] as string;
  }

  /** The version without its local label, as a Version. */
  withoutLocal(): Version {
    return this.local === undefined ? this : new Version({ ...this.parts(), local: undefined });
  }

  /** This version with some parts replaced (`undefined` removes a part), e.g. `V.dev0` for `<V`. */
  replace(changes: Partial<Pick<VersionParts, 'post' | 'dev' | 'local'>>): Version {
    return new Version({ ...this.parts(), ...changes });
  }

  /** The version with only epoch and release (PEP 440 "base version"). */
  get baseVersion(): Version {
    return new Version({ epoch: this.epoch, release: [...this.release] });
  }

  private parts(): VersionParts {
    return {
      epoch: this.epoch,
      release: [...this.release],
      ...(this.pre ? { pre: [...this.pre] as [PreReleaseLabel, bigint] } : {}),
      ...(this.post !== undefined ? { post: this.post } : {}),
      ...(this.dev !== undefined ? { dev: this.dev } : {}),
      ...(this.local ? { local: [...this.local] } : {}),
    };
  }

  /** The PEP 440 normal form, e.g. "1.0a1.post2.dev3+ubuntu.1". */
  toString(): string {
    return (this.#normal ??= this.format());
  }

  #normal: string | undefined;

  private format(): string {
    let s = this.epoch !== 0n ? `${this.epoch}!` : '';
    s += this.release.join('.');
    if (this.pre) s += `${this.pre[0]}${this.pre[1]}`;
    if (this.post !== undefined) s += `.post${this.post}`;
    if (this.dev !== undefined) s += `.dev${this.dev}`;
    if (this.local) s += `+${this.local.join('.')}`;
    return s;
  }

  compare(other: Version): number {
    return compareVersions(this, other);
  }

  equals(other: Version): boolean {
    return compareVersions(this, other) === 0;
  }
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRelease(a: readonly bigint[], b: readonly bigint[]): number {
  // PEP 440: release segments compare as if padded with zeros ("1.0" == "1.0.0").
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = cmp(a[i] ?? 0n, b[i] ?? 0n);
    if (c !== 0) return c;
  }
  return 0;
}

const PRE_ORDER: Record<PreReleaseLabel, number> = { a: 0, b: 1, rc: 2 };

/** Rank of the pre-release part: a dev-only release sorts before every pre-release of the same release. */
function preRank(v: Version): [number, number, bigint] {
  if (!v.pre) {
    // PEP 440: "1.0.dev1" < "1.0a1" (no pre, no post, dev → before all pre-releases).
    if (v.post === undefined && v.dev !== undefined) return [-1, 0, 0n];
    return [1, 0, 0n];
  }
  return [0, PRE_ORDER[v.pre[0]], v.pre[1]];
}

function compareLocal(a: readonly LocalSegment[] | undefined, b: readonly LocalSegment[] | undefined): number {
  // PEP 440: a version without a local label sorts before the same version with one;
  // numeric segments sort after alphanumeric ones; strings compare lexicographically.
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as LocalSegment;
    const y = b[i] as LocalSegment;
    if (typeof x === 'bigint' && typeof y === 'bigint') {
      const c = cmp(x, y);
      if (c !== 0) return c;
    } else if (typeof x === 'bigint') {
      return 1;
    } else if (typeof y === 'bigint') {
      return -1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length === 0 ? 0 : a.length < b.length ? -1 : 1;
}

export function compareVersions(a: Version, b: Version): number {
  let c = cmp(a.epoch, b.epoch);
  if (c !== 0) return c;
  c = compareRelease(a.release, b.release);
  if (c !== 0) return c;
  const [ar, al, an] = preRank(a);
  const [br, bl, bn] = preRank(b);
  if (ar !== br) return ar < br ? -1 : 1;
  if (al !== bl) return al < bl ? -1 : 1;
  c = cmp(an, bn);
  if (c !== 0) return c;
  // No post-release sorts before any post-release.
  if (a.post !== b.post) {
    if (a.post === undefined) return -1;
    if (b.post === undefined) return 1;
    c = cmp(a.post, b.post);
    if (c !== 0) return c;
  }
  // No dev-release sorts after any dev-release.
  if (a.dev !== b.dev) {
    if (a.dev === undefined) return 1;
    if (b.dev === undefined) return -1;
    c = cmp(a.dev, b.dev);
    if (c !== 0) return c;
  }
  return compareLocal(a.local, b.local);
}
