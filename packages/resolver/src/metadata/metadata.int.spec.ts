import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel, startFixtureIndex } from '@nx-pex/tools';
import { describe, expect, it } from 'vitest';
import { fetchArtifacts } from '../fetch/fetch-artifacts.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { fixtureSuite } from '../testing/fixture-suite.js';
import { readWheelMetadata } from './wheel-metadata.js';
import { readMetadataByRanges, UnsupportedZip, type RangeFetcher } from './zip-ranges.js';

const target: TargetInterpreter = { implementation: 'cp', version: [3, 11, 7], tags: ['py3-none-any'] };

let bigWheel: string;
const suite = fixtureSuite('nx-pex-metadata-', async (wheels) => {
  // lib 2.0 is examined and rejected (its dependency does not exist): its wheel must never be downloaded.
  await buildWheel({ name: 'top', version: '1.0', requiresDist: ['lib>=1', 'big'] }, wheels);
  await buildWheel({ name: 'lib', version: '2.0', requiresDist: ['nothere>=1'] }, wheels);
  await buildWheel({ name: 'lib', version: '1.0', requiresDist: ['base'] }, wheels);
  await buildWheel({ name: 'base', version: '1.0' }, wheels);
  // Incompressible and larger than the 16 KiB tail: METADATA still sits near the end (dist-info last).
  bigWheel = (
    await buildWheel(
      { name: 'big', version: '1.0', requiresDist: ['base>=1'], modules: { 'big/blob.bin': randomBytes(200_000) } },
      wheels,
    )
  ).path;
});

const resolve = (requirements: string[]) =>
  fetchArtifacts({ requirements, target, cacheDir: suite.cacheDir, http: { backoffMs: 5 }, index: suite.index() });
const wheelGets = () => suite.server.requests.filter((r) => r.path.endsWith('.whl'));
const metadataGets = () => suite.server.requests.filter((r) => r.path.endsWith('.metadata'));
const fileOf = (r: { path: string }) => r.path.split('/').pop();

const chosen = [
  'top-1.0-py3-none-any.whl',
  'lib-1.0-py3-none-any.whl',
  'big-1.0-py3-none-any.whl',
  'base-1.0-py3-none-any.whl',
];

describe('metadata for resolution', () => {
  it('uses PEP 658 metadata files: only the chosen wheels are downloaded', async () => {
    const result = await resolve(['top']);
    expect(result.map((a) => a.filename)).toEqual(chosen);
    expect(
      metadataGets()
        .map((r) => fileOf(r))
        .sort(),
    ).toEqual([
      'base-1.0-py3-none-any.whl.metadata',
      'big-1.0-py3-none-any.whl.metadata',
      'lib-1.0-py3-none-any.whl.metadata',
      'lib-2.0-py3-none-any.whl.metadata',
      'top-1.0-py3-none-any.whl.metadata',
    ]);
    expect(
      wheelGets()
        .map((r) => fileOf(r))
        .sort(),
    ).toEqual([...chosen].sort());
    expect(wheelGets().every((r) => r.range === undefined)).toBe(true);
  });

  // Metadata is cached on disk once a wheel with its sha256 was verified (see MetadataSource), and
  // PEP 658 files by their own advertised sha256: a rejected candidate's (lib 2.0) is reused too.
  it('caches metadata: a second run needs only the project pages', async () => {
    await resolve(['top']);
    suite.server.requests.length = 0;
    await resolve(['top']);
    const other = suite.server.requests.filter((r) => !r.path.startsWith('/simple/')).map((r) => r.path);
    expect(other).toEqual([]);
  });

  it('reads METADATA by range requests when the index has no PEP 658 files', async () => {
    suite.server.setFaults({ noMetadata: true });
    const result = await resolve(['top']);
    expect(result.map((a) => a.filename)).toEqual(chosen);
    expect(result.find((a) => a.name === 'big')!.requiresDist).toEqual(['base>=1']);
    expect(metadataGets()).toEqual([]);
    const lib2 = wheelGets().filter((r) => fileOf(r) === 'lib-2.0-py3-none-any.whl');
    expect(lib2.map((r) => [r.range, r.status])).toEqual([['bytes=-16384', 206]]);
    // Each wheel: one ranged read (small wheels fit in the tail), then the chosen ones in full.
    const big = wheelGets().filter((r) => fileOf(r) === 'big-1.0-py3-none-any.whl');
    expect(big.map((r) => r.status)).toEqual([206, 200]);
  });

  // Range-read METADATA is cached by (wheel URL, advertised sha256): lib 2.0, rejected and never
  // downloaded, is not asked for again; the chosen wheels come from the wheel cache.
  it('caches range-read metadata: a second resolve without PEP 658 makes no metadata requests', async () => {
    suite.server.setFaults({ noMetadata: true });
    await resolve(['top']);
    expect(wheelGets().some((r) => r.range !== undefined)).toBe(true);
    suite.server.requests.length = 0;
    const again = await resolve(['top']);
    expect(again.map((a) => a.filename)).toEqual(chosen);
    expect(suite.server.requests.filter((r) => !r.path.startsWith('/simple/')).map((r) => r.path)).toEqual([]);
  });

  it('uses a range-read entry only for the index that served it: the same files on another index are read again', async () => {
    suite.server.setFaults({ noMetadata: true });
    await resolve(['top']);
    const other = await startFixtureIndex({ wheelsDir: join(suite.work, 'wheels'), faults: { noMetadata: true } });
    try {
      const result = await fetchArtifacts({
        requirements: ['top'],
        target,
        cacheDir: suite.cacheDir,
        http: { backoffMs: 5 },
        index: suite.index(other.url),
      });
      expect(result.map((a) => a.filename)).toEqual(chosen);
      // The rejected lib 2.0 has no verified wheel: its metadata comes from this index, not the other's entry.
      const lib2 = other.requests.filter((r) => r.path.endsWith('lib-2.0-py3-none-any.whl'));
      expect(lib2.map((r) => r.range)).toEqual(['bytes=-16384']);
    } finally {
      await other.close();
    }
  });

  it('falls back to full downloads when the server ignores Range, asking only once per origin', async () => {
    suite.server.setFaults({ noMetadata: true, noRange: true });
    const result = await resolve(['top']);
    expect(result.map((a) => a.filename)).toEqual(chosen);
    const ranged = wheelGets().filter((r) => r.range !== undefined);
    expect(ranged).toHaveLength(1);
    expect(ranged[0]!.status).toBe(200);
    // Everything examined is downloaded in full once (lib 2.0 included: no cheaper way).
    const full = wheelGets()
      .filter((r) => r.range === undefined)
      .map((r) => fileOf(r))
      .sort();
    expect(new Set(full).size).toBe(full.length);
    expect(full).toContain('lib-2.0-py3-none-any.whl');
  });
});

describe('readMetadataByRanges', () => {
  async function overBuffer(data: Buffer) {
    const calls: string[] = [];
    const fetch: RangeFetcher = async (start, end) => {
      const from = start < 0 ? Math.max(0, data.length + start) : start;
      const to = end === undefined ? data.length : Math.min(end + 1, data.length);
      calls.push(`${from}-${to}`);
      return { start: from, data: data.subarray(from, to), total: data.length };
    };
    return { fetch, calls };
  }

  it('walks EOCD → central directory → local header with one request each when the tail is small', async () => {
    const data = await readFile(bigWheel);
    const { fetch, calls } = await overBuffer(data);
    const text = await readMetadataByRanges(fetch, 'big', 200);
    const expected = await readWheelMetadata(bigWheel, 'big', 'big-1.0-py3-none-any.whl');
    expect(text).toContain('Name: big');
    expect(text).toContain('Requires-Dist: base>=1');
    expect(expected.requiresDist).toEqual(['base>=1']);
    expect(calls).toHaveLength(3);
    expect(calls[0]).toBe(`${data.length - 200}-${data.length}`);
  });

  it('answers undefined when Range is ignored, and refuses what is not a plain ZIP', async () => {
    expect(await readMetadataByRanges(async () => undefined, 'big')).toBeUndefined();
    const { fetch } = await overBuffer(Buffer.from('not a zip at all'));
    await expect(readMetadataByRanges(fetch, 'big')).rejects.toBeInstanceOf(UnsupportedZip);
  });
});
