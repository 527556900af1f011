import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildWheel, startFixtureIndex, type FixtureIndex } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchSession, markerEnvironment, noWheel } from '../fetch/fetch-artifacts.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { Requirement } from '../pep508/requirement.js';
import type { Release } from './release.js';
import { Solver } from './resolve.js';

const target: TargetInterpreter = { implementation: 'cp', version: [3, 11, 7], tags: ['py3-none-any'] };

// a has N releases, a==i needs b==i; the request pins b==PINNED, so the solver walks down a.
const N = 40;
const PINNED = 3;
const WALK = N - PINNED + 1;

let work: string;
let server: FixtureIndex;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-batch-prefetch-'));
  const wheels = join(work, 'wheels');
  for (let i = 1; i <= N; i++) {
    await buildWheel({ name: 'a', version: `${i}.0`, requiresDist: [`b==${i}.0`] }, wheels);
    await buildWheel({ name: 'b', version: `${i}.0` }, wheels);
  }
  // Every response waits before its body: a latency-bound index, where round trips dominate.
  server = await startFixtureIndex({ wheelsDir: wheels, faults: { slowBodyMs: 60 } });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

/**
 * Resolve `a` with `b==PINNED` against the fixture index (PEP 658 metadata) through a FetchSession,
 * counting round trips and the most metadata reads in flight at once. A round trip starts when the
 * solver waits for a read that started after the previous round trip began: a read already in flight
 * then (prefetched) arrives with that round's answers, so waiting for it is not one more round trip.
 */
async function walk(batchPrefetch: number, cacheDir: string) {
  const session = new FetchSession({
    requirements: [],
    index: { indexUrl: server.url, extraIndexUrls: [], findLinks: [], noIndex: false },
    target,
    cacheDir,
  });
  // One read per release (session.metadata shares them too, but returns a new promise per call).
  const reads = new Map<string, { pending: Promise<unknown>; done: boolean; round: number }>();
  let rounds = 0;
  let inFlight = 0;
  let peak = 0;
  const read = (name: string, release: Release) => {
    const key = `${name} ${release.version}`;
    let r = reads.get(key);
    if (!r) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      const entry = { pending: session.metadata(name, release), done: false, round: rounds };
      void entry.pending
        .finally(() => {
          inFlight--;
          entry.done = true;
        })
        .catch(() => undefined);
      reads.set(key, (r = entry));
    }
    return r;
  };
  const solver = new Solver(
    {
      releases: (name) => session.releasesOf(name),
      metadata: async (name, release) => {
        const r = read(name, release);
        if (!r.done && r.round === rounds) rounds++;
        return r.pending as ReturnType<FetchSession['metadata']>;
      },
      prefetchMetadata: (name, release) => read(name, release).pending as ReturnType<FetchSession['metadata']>,
      noWheel: (name, release) => noWheel(name, release, session),
      describeSources: () => session.index.describeSources(),
    },
    markerEnvironment(target),
    [],
    { batchPrefetch },
  );
  try {
    const { decisions } = await solver.resolve([Requirement.parse('a'), Requirement.parse(`b==${PINNED}.0`)]);
    return { picked: [...decisions].map(([n, r]) => `${n} ${r.version}`).sort(), rounds, peak };
  } finally {
    await session.close();
  }
}

describe('batch metadata prefetch against the fixture index (slow responses)', () => {
  it('finds the same versions in about N/k round trips instead of N, with at most k reads of the walk in flight', async () => {
    const without = await walk(0, join(work, 'cache-off'));
    const k = 8;
    const withBatch = await walk(k, join(work, 'cache-on'));
    expect(without.picked).toEqual([`a ${PINNED}.0`, `b ${PINNED}.0`]);
    expect(withBatch.picked).toEqual(without.picked);
    // Without prefetch every version of the walk is a round trip of its own.
    expect(without.rounds).toBeGreaterThanOrEqual(WALK);
    // With it, about WALK / k: the first two versions one at a time, then k per round trip.
    expect(withBatch.rounds).toBeLessThanOrEqual(Math.ceil(WALK / k) + 4);
    // k prefetches + the solver's own read + the speculative guesses of the two requirements.
    expect(withBatch.peak).toBeLessThanOrEqual(k + 3);
    expect(withBatch.peak).toBeGreaterThan(2);
  }, 120_000);
});
