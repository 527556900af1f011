import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { Version } from '../pep440/version.js';
import { Requirement } from '../pep508/requirement.js';
import { BatchPrefetcher } from './batch-prefetch.js';
import type { Provider } from './provider.js';
import type { Release } from './release.js';
import { Solver } from './resolve.js';

/** name → version → [Requires-Dist, Requires-Python?]; `!` before a version = no wheel, `~` = yanked. */
type Db = Record<string, Record<string, string[] | [string[], string]>>;

function provider(db: Db, preferences: Record<string, string> = {}) {
  const metadataCalls: string[] = [];
  const p: Provider = {
    releases: async (name) =>
      Object.keys(db[name] ?? {})
        .map((v): Release => ({
          version: Version.parse(v.replace(/^[!~]/, '')),
          ...(v.startsWith('!') ? {} : { best: {} as never }),
          yanked: v.startsWith('~'),
          hasSdist: v.startsWith('!'),
          incompatibleWheels: [],
        }))
        .sort((a, b) => b.version.compare(a.version)),
    metadata: async (name, release) => {
      metadataCalls.push(`${name} ${release.version}`);
      const key = Object.keys(db[name]!).find(
        (k) => Version.parse(k.replace(/^[!~]/, '')).compare(release.version) === 0,
      )!;
      const entry = db[name]![key]!;
      return Array.isArray(entry[0])
        ? { requiresDist: entry[0], requiresPython: entry[1] as string }
        : { requiresDist: entry as string[] };
    },
    noWheel: (name, release) =>
      new ResolverError('NO_COMPATIBLE_WHEEL', `${name} ${release.version} has only an sdist`),
    describeSources: () => 'the test index',
    preference: (name) => preferences[name],
  };
  return { p, metadataCalls };
}

const env = { python_full_version: '3.11.7', python_version: '3.11', sys_platform: 'linux' };

async function solve(
  db: Db,
  roots: string[],
  options: { preferences?: Record<string, string>; constraints?: string[]; labels?: string[] } = {},
) {
  const { p, metadataCalls } = provider(db, options.preferences);
  const solver = new Solver(
    p,
    env,
    (options.constraints ?? []).map((c) => Requirement.parse(c)),
  );
  const { decisions, extras } = await solver.resolve(
    roots.map((r) => Requirement.parse(r)),
    options.labels,
  );
  return {
    picked: [...decisions].map(([n, r]) => `${n} ${r.version}`),
    extras: Object.fromEntries([...extras].map(([n, s]) => [n, [...s].sort()])),
    metadataCalls,
  };
}

async function failure(db: Db, roots: string[], labels?: string[]): Promise<ResolverError> {
  const err = await solve(db, roots, labels ? { labels } : {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ResolverError);
  return err as ResolverError;
}

describe('PubGrub solver', () => {
  it('resolves with conflict resolution on a partial satisfier (pub solver docs example)', async () => {
    const db: Db = {
      foo: { '1.0.0': [], '1.1.0': ['left>=1,<2', 'right>=1,<2'] },
      left: { '1.0.0': ['shared>=1'] },
      right: { '1.0.0': ['shared<2'] },
      shared: { '1.0.0': ['target>=1,<2'], '2.0.0': [] },
      target: { '1.0.0': [], '2.0.0': [] },
    };
    const { picked } = await solve(db, ['foo>=1,<2', 'target>=2,<3']);
    expect(picked.sort()).toEqual(['foo 1.0.0', 'target 2.0.0']);
  });

  it('explains a failure as a chain ending in what to change', async () => {
    const db: Db = { foo: { '1.0': ['bar>=2,<3'] }, bar: { '2.0': ['baz>=3,<4'] }, baz: { '1.0': [], '3.0': [] } };
    const err = await failure(db, ['foo>=1,<2', 'baz>=1,<2'], ['project api', 'project api']);
    expect(err.code).toBe('RESOLUTION_CONFLICT');
    expect(err.message).toMatch(/bar 2\.0 requires baz<4,>=3/);
    expect(err.message).toMatch(/foo 1\.0 requires bar<3,>=2/);
    expect(err.message).toMatch(/project api requires baz<2,>=1/);
    expect(err.message).toMatch(
      /version solving failed\.\nTo fix it, relax or remove one of these requirements: project api requires/,
    );
    // Each line is "Because A and B, C." and the last one ends the chain.
    const lines = err.message.split('\n').filter((l) => /^\s+\(\d+\)/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^\s+\(\d+\) Because .+ and .+, .+\.$/);
  });

  it('reports a missing version, a missing project and an sdist-only release with their own codes', async () => {
    const db: Db = { a: { '1.0': [], '2.0': [] }, src: { '!1.0': [] } };
    const missing = await failure(db, ['a==3']);
    expect(missing.code).toBe('NO_MATCHING_DISTRIBUTION');
    expect(missing.message).toContain('available: 2.0, 1.0');
    expect((await failure(db, ['nope'])).code).toBe('NO_MATCHING_DISTRIBUTION');
    const sdist = await failure(db, ['src']);
    expect(sdist.code).toBe('NO_COMPATIBLE_WHEEL');
    expect(sdist.message).toBe('src 1.0 has only an sdist');
  });

  it('handles extras as virtual packages at the base version', async () => {
    const db: Db = {
      app: { '1.0': ['web[async]'] },
      web: { '1.0': ['aio; extra == "async"'], '2.0': ['aio2; extra == "async"', 'core'] },
      aio: { '1.0': [] },
      aio2: { '1.0': [] },
      core: { '1.0': [] },
    };
    const { picked, extras } = await solve(db, ['app', 'web<2']);
    expect(picked.sort()).toEqual(['aio 1.0', 'app 1.0', 'web 1.0']);
    expect(extras).toEqual({ web: ['async'] });
    // web 1.0[async] needs aio, which does not exist: the explanation says so.
    const err = await failure({ ...db, aio: {} }, ['app', 'web<2']);
    expect(err.message).toMatch(/web\[async\] 1\.0 requires aio/);
    const ok = await solve(db, ['app']);
    expect(ok.picked.sort()).toEqual(['aio2 1.0', 'app 1.0', 'core 1.0', 'web 2.0']);
  });

  it('keeps preferences while allowed, takes pre-releases only if necessary, skips yanked unless pinned', async () => {
    const db: Db = { a: { '1.0': [], '1.5': [], '2.0b1': [] }, b: { '3.0rc1': [] }, y: { '1.0': [], '~2.0': [] } };
    expect((await solve(db, ['a'])).picked).toEqual(['a 1.5']);
    expect((await solve(db, ['a'], { preferences: { a: '1.0' } })).picked).toEqual(['a 1.0']);
    expect((await solve(db, ['a>=1.1'], { preferences: { a: '1.0' } })).picked).toEqual(['a 1.5']);
    expect((await solve(db, ['a>=1.6'])).picked).toEqual(['a 2.0b1']);
    expect((await solve(db, ['b'])).picked).toEqual(['b 3.0rc1']);
    expect((await solve(db, ['y'])).picked).toEqual(['y 1.0']);
    expect((await solve(db, ['y==2.0'])).picked).toEqual(['y 2.0']);
  });

  it('takes the newest pre-release when a requirement names one (packse prerelease scenarios, as pip)', async () => {
    const db: Db = {
      a: { '0.1.0': [], '0.2.0a1': [], '0.3.0': [], '1.0.0a1': [] },
      c: { '0.1.0': [], '0.2.0': [], '0.2.0a1': [], '0.2.0a2': [], '0.3.0': [] },
    };
    expect((await solve(db, ['a>=0.1.0a1'])).picked).toEqual(['a 1.0.0a1']);
    expect((await solve(db, ['a>=0.1.0'])).picked).toEqual(['a 0.3.0']);
    expect((await solve(db, ['c<=0.2.0a2'])).picked).toEqual(['c 0.2.0a2']);
    // packaging ≥ 26 (pip ≥ 26 vendors it): `<0.2.0a2` names a pre-release too, so pip, uv and we pick 0.2.0a1
    // (pip < 26 picked 0.1.0).
    expect((await solve(db, ['c<0.2.0a2'])).picked).toEqual(['c 0.2.0a1']);
  });

  it('honours Requires-Python from metadata and constraints', async () => {
    const db: Db = { x: { '1.0': [], '2.0': [[], '>=3.12'] }, s: { '1.0': [], '2.0': [] }, t: { '1.0': ['s'] } };
    expect((await solve(db, ['x'])).picked).toEqual(['x 1.0']);
    const err = await failure(db, ['x==2.0']);
    expect(err.message).toMatch(/x 2\.0 requires Python >=3\.12 \(the target has 3\.11\.7\)/);
    expect((await solve(db, ['t'], { constraints: ['s<2', 'unused==9'] })).picked).toEqual(['t 1.0', 's 1.0']);
  });

  it('decides a package first once another decision has ruled out its versions 5 times (packse wrong-backtracking-basic, as uv)', async () => {
    // Every b 2.0.x needs a==1.0.0; a (required first) is decided 2.0.0, so b walks down its releases.
    const db = (newer: number): Db => {
      const b: Record<string, string[]> = { '1.0.0': ['too-old'] };
      for (let i = 0; i < newer; i++) b[`2.0.${i}`] = ['a==1.0.0'];
      return { a: { '1.0.0': [], '2.0.0': [] }, b, 'too-old': { '1.0.0': [] } };
    };
    // Ten clashes: after five, b goes first, a's decision is undone, and both get a valid newest b.
    expect((await solve(db(10), ['a', 'b'])).picked.sort()).toEqual(['a 1.0.0', 'b 2.0.9']);
    // Four clashes stay under the threshold: the walk down b's releases ends at b 1.0.0, as before.
    expect((await solve(db(4), ['a', 'b'])).picked.sort()).toEqual(['a 2.0.0', 'b 1.0.0', 'too-old 1.0.0']);
    // Five clashes reach it.
    expect((await solve(db(5), ['a', 'b'])).picked.sort()).toEqual(['a 1.0.0', 'b 2.0.4']);
    // A pin rules b's versions out, not a decision: nothing to undo, each release of b read once.
    const pinned = await solve(db(10), ['a==2.0.0', 'b']);
    expect(pinned.picked.sort()).toEqual(['a 2.0.0', 'b 1.0.0', 'too-old 1.0.0']);
    expect(pinned.metadataCalls.filter((c) => c.startsWith('b '))).toHaveLength(11);
  });

  it('derives a failure by propagation instead of trying every version', async () => {
    // 30 versions of a, each fine on its own; b conflicts with c, which every a needs.
    const a: Record<string, string[]> = {};
    for (let i = 1; i <= 30; i++) a[`${i}.0`] = ['c'];
    const db: Db = { a, b: { '1.0': ['c>=2'] }, c: { '1.0': [] } };
    const { p, metadataCalls } = provider(db);
    const err = await new Solver(p, env).resolve([Requirement.parse('b'), Requirement.parse('a')]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as ResolverError).code).toBe('RESOLUTION_CONFLICT');
    // Propagation alone proves the failure from b 1.0: none of the 30 versions of a is examined.
    expect(metadataCalls).toEqual(['b 1.0']);
  });
});

describe('speculative metadata prefetch', () => {
  it('prefetches the likely release of every requirement down the tree; a wrong guess does not change the decisions', async () => {
    // app needs lib (newest 2.0) and pin; pin rules lib 2.0 out, so the guess lib 2.0 is wrong.
    const db: Db = {
      app: { '1.0': ['lib', 'pin', 'win; sys_platform == "win32"'] },
      lib: { '1.0': ['base'], '2.0': ['extra'] },
      pin: { '1.0': ['lib<2'] },
      base: { '1.0': [] },
      extra: { '1.0': [] },
      win: { '1.0': [] },
    };
    const { p } = provider(db);
    const prefetched: string[] = [];
    p.prefetchMetadata = (name, release) => {
      prefetched.push(`${name} ${release.version}`);
      return p.metadata(name, release);
    };
    const solver = new Solver(p, env);
    const { decisions } = await solver.resolve([Requirement.parse('app')]);
    expect([...decisions].map(([n, r]) => `${n} ${r.version}`).sort()).toEqual([
      'app 1.0',
      'base 1.0',
      'lib 1.0',
      'pin 1.0',
    ]);
    // Let the remaining guesses settle, then check what was read ahead: the wrong guess lib 2.0 and
    // its requirement extra, and base once lib 1.0 was decided; markers applied (no win).
    await new Promise((r) => setTimeout(r, 0));
    expect(prefetched.sort()).toEqual(['app 1.0', 'base 1.0', 'extra 1.0', 'lib 2.0', 'pin 1.0']);
  });
});

describe('batch metadata prefetch while backtracking', () => {
  // a has N releases; a==v needs b==v; the request pins b to an old version, so the solver walks
  // down a's releases one by one until it reaches that version (the boto3/botocore shape).
  const N = 100;
  const PINNED_B = 4;
  const walkDb = (): Db => {
    const a: Db[string] = {};
    const b: Db[string] = {};
    for (let i = 1; i <= N; i++) {
      a[`${i}.0`] = [`b==${i}.0`];
      b[`${i}.0`] = [];
    }
    return { a, b, c: { '1.0': ['a'] } };
  };
  const roots = ['c', `b==${PINNED_B}.0`];

  /**
   * Metadata reads answer only when the test releases them, all at once: one release = one round
   * trip of a latency-bound index. Reads of the same release share one answer, as the provider's
   * metadata source does. Returns the decisions, the solver's own metadata calls, and the rounds.
   */
  async function gated(batchPrefetch: number) {
    const { p } = provider(walkDb());
    const answer = p.metadata.bind(p);
    const metadataCalls: string[] = [];
    const reads = new Map<string, Promise<{ requiresDist: string[] }>>();
    let waiting: (() => void)[] = [];
    let inFlight = 0;
    let peak = 0;
    const read = (name: string, release: Release) => {
      const key = `${name} ${release.version}`;
      let pending = reads.get(key);
      if (!pending) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        pending = new Promise<void>((r) => waiting.push(r)).then(() => {
          inFlight--;
          return answer(name, release);
        });
        reads.set(key, pending);
      }
      return pending;
    };
    p.metadata = async (name, release) => {
      metadataCalls.push(`${name} ${release.version}`);
      return read(name, release);
    };
    p.prefetchMetadata = read;
    const solver = new Solver(p, env, [], { batchPrefetch });
    let done = false;
    const result = solver.resolve(roots.map((r) => Requirement.parse(r))).finally(() => (done = true));
    let rounds = 0;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      if (done) break;
      expect(waiting.length, 'the solver waits for something that is never read').toBeGreaterThan(0);
      rounds++;
      const release = waiting;
      waiting = [];
      release.forEach((r) => r());
    }
    const { decisions } = await result;
    return { picked: [...decisions].map(([n, r]) => `${n} ${r.version}`), metadataCalls, rounds, peak };
  }

  it('makes the same decisions, through the same metadata calls, with and without batch prefetch', async () => {
    const without = await gated(0);
    const withBatch = await gated(16);
    expect(without.picked).toEqual(['c 1.0', 'b 4.0', 'a 4.0']);
    expect(withBatch.picked).toEqual(without.picked);
    expect(withBatch.metadataCalls).toEqual(without.metadataCalls);
    // The walk went through every release of a from the newest down to the pinned one.
    expect(without.metadataCalls.filter((c) => c.startsWith('a '))).toHaveLength(N - PINNED_B + 1);
  });

  it('walks N releases in about N/k round trips with k reads in flight at most', async () => {
    const walk = N - PINNED_B + 1;
    const without = await gated(0);
    expect(without.rounds).toBeGreaterThanOrEqual(walk);
    for (const k of [8, 16]) {
      const withBatch = await gated(k);
      // The first two versions are read one at a time (the walk is noticed at the second); from
      // then on each round answers the k reads started in the round before.
      expect(withBatch.rounds).toBeLessThanOrEqual(Math.ceil(walk / k) + 4);
      expect(withBatch.peak).toBeLessThanOrEqual(k + 3); // + the solver's own read and the speculative guesses
    }
  });

  it('reads older releases when the allowed set has no next candidate (a pinned dependency), and never a yanked one', async () => {
    const { p } = provider({ a: { '1.0': [], '~2.0': [], '3.0': [], '4.0': [] } });
    const read: string[] = [];
    const prefetcher = new BatchPrefetcher(
      (name, release) => (read.push(`${name} ${release.version}`), Promise.resolve()),
      2,
    );
    const all = await p.releases('a');
    const v = (s: string) => all.find((r) => r.version.toString() === s)!;
    prefetcher.tryVersion('a', v('4.0'), [v('3.0')].values(), all);
    expect(read).toEqual([]); // one version tried: no walk yet
    prefetcher.tryVersion('a', v('3.0'), [].values(), all);
    expect(read).toEqual(['a 1.0']);
  });
});
