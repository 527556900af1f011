// Index faults through the fixture index: 5xx, resets, truncated bodies (wrong Content-Length), slow
// bodies, wrong advertised sha256, missing PEP 658 metadata and ignored Range headers, in random
// rounds against one shared artifact cache. Every round either succeeds with verified wheels or fails
// with a ResolverError; afterwards the cache holds no corrupt entry and a clean fetch succeeds.
// Default: ~60 injected faults; NX_PEX_LONG=1: at least 1000.
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { buildWheel, type FaultOptions } from '@nx-pex/tools';
import { afterAll, describe, expect, it } from 'vitest';
import { ResolverError, type ResolverErrorCode } from '../errors.js';
import { fetchArtifacts } from '../fetch/fetch-artifacts.js';
import type { LocalArtifact } from '../fetch/local-artifact.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { fixtureSuite } from '../testing/fixture-suite.js';
import { LONG, runs } from '../testing/reliability-fuzz.js';

const FAULTS = runs(60, 1000);
const target: TargetInterpreter = {
  implementation: 'cp',
  version: [3, 11, 7],
  tags: ['py3-none-any'],
  markers: { python_version: '3.11', sys_platform: 'linux' },
};
const requirements = ['alpha', 'gamma'];
/** What a faulty index may legitimately produce; anything else (or an untyped error) fails. */
const EXPECTED_CODES = new Set<ResolverErrorCode>(['INDEX_ERROR', 'HASH_MISMATCH', 'METADATA_ERROR']);

const suite = fixtureSuite('nx-pex-faults-', async (dir) => {
  await buildWheel(
    { name: 'alpha', version: '1.0', requiresDist: ['beta>=1'], modules: { 'alpha/__init__.py': 'A = 1\n' } },
    dir,
  );
  await buildWheel({ name: 'beta', version: '1.0', modules: { 'beta/__init__.py': 'B = 1\n' } }, dir);
  await buildWheel({ name: 'beta', version: '2.0', modules: { 'beta/__init__.py': 'B = 2\n' } }, dir);
  // Incompressible and several 64 KiB chunks long, so slow and truncated bodies hit the middle of a download.
  await buildWheel(
    {
      name: 'gamma',
      version: '1.0',
      modules: { 'gamma/__init__.py': 'G = 1\n', 'gamma/blob.bin': randomBytes(300_000) },
    },
    dir,
  );
});

/** Deterministic PRNG (mulberry32), so a failing round can be replayed with the same NX_PEX_FC_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Every wheel entry hashes to its address; metadata entries equal the index's. Temp files are only
 * reported with `temps`: after a failed round, downloads the failing fetch abandoned may still be
 * writing theirs (readers never see a temp file; only a rename makes an entry).
 */
async function corruptEntries(cacheDir: string, metadataOf?: Map<string, Buffer>, temps = false): Promise<string[]> {
  const bad: string[] = [];
  for await (const path of walk(join(cacheDir, 'wheels'))) {
    const parts = relative(join(cacheDir, 'wheels', 'sha256'), path).split(sep);
    const name = parts[parts.length - 1]!;
    if (name.endsWith('.tmp')) {
      if (temps) bad.push(`temp file left: ${path}`);
    } else if (parts.length !== 3 || sha256(await readFile(path)) !== parts[1])
      bad.push(`corrupt wheel entry: ${path}`);
  }
  for await (const path of metadataOf ? walk(join(cacheDir, 'metadata')) : []) {
    const actual = await readFile(path);
    const wheelSha = /([0-9a-f]{64})\.metadata$/.exec(path)?.[1] ?? '';
    const expected = metadataOf!.get(wheelSha);
    // An entry under an advertised-but-wrong sha256 holds real metadata (see the it.fails below); never junk bytes.
    const known = expected ? actual.equals(expected) : [...metadataOf!.values()].some((m) => m.equals(actual));
    if (!known) bad.push(`corrupt metadata entry: ${path} (${actual.length} bytes)`);
  }
  return bad;
}

function verified(artifacts: LocalArtifact[]): Promise<void[]> {
  return Promise.all(artifacts.map(async (a) => expect(sha256(await readFile(a.path)), a.filename).toBe(a.sha256)));
}

describe('index faults', () => {
  const stats = { rounds: 0, faults: 0, succeeded: 0, failedClearly: 0, byKind: new Map<string, number>() };
  afterAll(() => {
    const kinds = [...stats.byKind].map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(
      `index faults: ${stats.faults} injected in ${stats.rounds} rounds (${kinds}); ${stats.succeeded} rounds succeeded after retries, ${stats.failedClearly} failed with a ResolverError; cache clean afterwards`,
    );
  });

  it(
    `survives ${FAULTS} injected faults with a clean cache and a clean fetch afterwards`,
    async () => {
      const { server } = suite;
      const cacheDir = suite.cacheDir;
      const http = { retries: 2, backoffMs: 1, timeoutMs: 5_000 };
      const fetch = () => fetchArtifacts({ requirements, index: suite.index(), target, cacheDir, http });

      // The reference: a fault-free fetch into a scratch cache, and each wheel's PEP 658 metadata.
      const reference = await fetchArtifacts({
        requirements,
        index: suite.index(),
        target,
        cacheDir: join(suite.work, 'reference'),
        http,
      });
      const expected = reference.map((a) => `${a.filename} ${a.sha256}`).sort();
      const metadataOf = new Map<string, Buffer>();
      for (const name of await readdir(join(suite.work, 'wheels'))) {
        const digest = sha256(await readFile(join(suite.work, 'wheels', name)));
        metadataOf.set(
          digest,
          Buffer.from(await (await globalThis.fetch(`${server.fileUrl(name)}.metadata`)).arrayBuffer()),
        );
      }
      const files = reference.map((a) => a.filename);
      const paths = [...files, ...files.map((f) => `${f}.metadata`), 'simple/alpha/', 'simple/beta/', 'simple/gamma/'];

      const random = prng(Number(process.env['NX_PEX_FC_SEED'] ?? 1000));
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
      const counted = ['status5xx', 'resetConnection', 'wrongContentLength'] as const;
      while (stats.faults < FAULTS) {
        stats.rounds++;
        const kind = pick([...counted, 'slowBody', 'wrongSha256', 'noMetadata', 'noRange', 'mixed'] as const);
        const faults: FaultOptions = {};
        // Up to 3 faults on one path: with 2 retries, 3 make the fetch fail (a clear error), fewer are retried away.
        const hits = () => ({ [pick(paths)]: 1 + Math.floor(random() * 3) });
        if (kind === 'mixed') for (const k of counted) faults[k] = hits();
        else if (kind === 'slowBody') faults.slowBodyMs = { [pick(files)]: 1 + Math.floor(random() * 20) };
        else if (kind === 'wrongSha256') faults.wrongSha256 = [pick(files)];
        else if (kind === 'noMetadata') faults.noMetadata = true;
        else if (kind === 'noRange') faults.noRange = true;
        else faults[kind] = hits();
        if (kind === 'slowBody' || kind === 'noMetadata' || kind === 'noRange') faults.status5xx = hits();
        server.setFaults({ ...faults, status5xxCode: pick([500, 502, 503, 504]) });
        server.requests.length = 0;
        // Half the rounds start without some cached entries, so downloads (not only pages) meet the faults.
        if (random() < 0.5) await rm(join(cacheDir, pick(['wheels', 'metadata'])), { recursive: true, force: true });

        const outcome = await fetch().then(
          (a) => a,
          (e: unknown) => e,
        );
        if (Array.isArray(outcome)) {
          expect(outcome.map((a) => `${a.filename} ${a.sha256}`).sort()).toEqual(expected);
          await verified(outcome);
          stats.succeeded++;
        } else {
          if (!(outcome instanceof ResolverError))
            throw new Error(`round ${stats.rounds} (${JSON.stringify(faults)}): untyped ${String(outcome)}`, {
              cause: outcome,
            });
          expect(
            EXPECTED_CODES,
            `round ${stats.rounds} ${JSON.stringify(faults)}: ${outcome.code} ${outcome.message}`,
          ).toContain(outcome.code);
          expect(outcome.message).toMatch(/127\.0\.0\.1|sha256/);
          stats.failedClearly++;
        }
        const fired = server.requests.filter((r) => r.fault !== undefined);
        for (const r of fired) stats.byKind.set(r.fault!, (stats.byKind.get(r.fault!) ?? 0) + 1);
        const advertised = kind === 'wrongSha256' || kind === 'noMetadata' || kind === 'noRange' ? 1 : 0;
        if (advertised) stats.byKind.set(kind, (stats.byKind.get(kind) ?? 0) + 1);
        stats.faults += fired.length + advertised;
        if (LONG || stats.rounds % 10 === 0) expect(await corruptEntries(cacheDir, metadataOf)).toEqual([]);
      }

      expect(await corruptEntries(cacheDir, metadataOf)).toEqual([]);
      server.setFaults({});
      const clean = await fetch();
      expect(clean.map((a) => `${a.filename} ${a.sha256}`).sort()).toEqual(expected);
      await verified(clean);
    },
    LONG ? 3_600_000 : 120_000,
  );

  const gamma = 'gamma-1.0-py3-none-any.whl';
  const once = (faults: FaultOptions, only = requirements) => {
    suite.server.setFaults(faults);
    return fetchArtifacts({
      requirements: only,
      index: suite.index(),
      target,
      cacheDir: suite.cacheDir,
      http: { retries: 2, backoffMs: 1 },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
  };

  it('a download that breaks off (wrong Content-Length) fails as INDEX_ERROR naming the file, not as a cache error, and keeps nothing', async () => {
    const error = await once({ wrongContentLength: { [gamma]: true } }, ['gamma']); // alone: no other download still in flight
    expect(error).toBeInstanceOf(ResolverError);
    expect((error as ResolverError).code).toBe('INDEX_ERROR');
    expect((error as ResolverError).message).toContain(`${gamma} (gamma) from http://127.0.0.1:`);
    expect(await corruptEntries(suite.cacheDir, undefined, true)).toEqual([]);
    expect(await readdir(join(suite.cacheDir, 'wheels', 'sha256')).catch(() => [])).not.toContain('cd');
  });

  // A network error while `consume` reads the body (wrapped in the cache's INDEX_ERROR) is retried too.
  it('retries a download that broke off once', async () => {
    expect(await once({ wrongContentLength: { [gamma]: 1 } })).toBeUndefined();
  });

  // Metadata read by PEP 658 / range requests is cached on disk only once a wheel with the advertised
  // sha256 is verified: an index that lies about a hash leaves no entry for a file that is not X.
  it('does not cache metadata under an advertised sha256 the wheel does not have', async () => {
    const beta = 'beta-2.0-py3-none-any.whl';
    const error = await once({ wrongSha256: [beta] });
    expect((error as ResolverError).code).toBe('HASH_MISMATCH');
    const keys: string[] = [];
    for await (const path of walk(join(suite.cacheDir, 'metadata')))
      keys.push(/([0-9a-f]{64})\.metadata$/.exec(path)![1]!);
    const real = new Set<string>();
    for (const name of await readdir(join(suite.work, 'wheels')))
      real.add(sha256(await readFile(join(suite.work, 'wheels', name))));
    expect(keys.filter((k) => !real.has(k))).toEqual([]);
  });
});
