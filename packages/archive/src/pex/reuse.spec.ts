import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildWheel } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPex, type BuildPexOptions, type BuiltPex, type WheelInput } from '../index.js';
import { APP_SOURCES, writeSources } from '../test-support/fixtures.js';

// A rebuild given the previous zipapp keeps its leading part (runtime, installed wheels) from a copy
// of it; each test compares the result with a full build of the same inputs, byte for byte.

let work: string;
let first: WheelInput;
let last: WheelInput;
let base: BuildPexOptions;
let count = 0;

/** A wheel with `size` incompressible bytes (deflate stores them), so the pex is worth reusing. */
async function bigWheel(name: string, version: string, size: number): Promise<WheelInput> {
  return buildWheel(
    { name, version, modules: { [`${name}/__init__.py`]: 'X = 1\n', [`${name}/blob.bin`]: randomBytes(size) } },
    join(work, 'wheels', `${name}-${version}`),
  );
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A fresh output directory per build, so a leftover temp file would show. */
function output(): string {
  count += 1;
  return join(work, `out${count}`, 'app.pex');
}

async function sources(main: string) {
  return writeSources(join(work, `src${++count}`), { ...APP_SOURCES, 'app/main.py': main });
}

/** The same inputs built in full: the bytes a rewrite must give. */
async function expectSameAsFullBuild(rebuilt: BuiltPex, options: BuildPexOptions): Promise<void> {
  const full = await buildPex({ ...options, outputPath: output(), previousPex: undefined });
  expect(full.reuse).toBeUndefined();
  const bytes = await readFile(rebuilt.path);
  expect(bytes.equals(await readFile(full.path))).toBe(true);
  expect(rebuilt.sha256).toBe(full.sha256);
  expect(rebuilt.sha256).toBe(sha256(bytes));
  expect(rebuilt.size).toBe(bytes.length);
  expect(rebuilt.pexInfo).toEqual(full.pexInfo);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-reuse-'));
  // `.deps/aaa…` sorts before `.deps/zzz…`: a change of zzz keeps aaa, a change of aaa keeps less than is worth it.
  [first, last] = await Promise.all([bigWheel('aaa', '1.0', 3 << 20), bigWheel('zzz', '1.0', 3 << 20)]);
  base = {
    outputPath: '',
    wheels: [first, last],
    sources: await sources('print("one")\n'),
    entryPoint: 'app.main',
    cacheDir: join(work, 'cache'),
  };
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('buildPex previousPex (zipapp rewrite)', () => {
  it('a change of one source keeps everything before PEX-INFO and gives the full build’s bytes', async () => {
    const previous = await buildPex({ ...base, outputPath: output() });
    const changed = { ...base, sources: await sources('print("two")\n') };
    const rebuilt = await buildPex({ ...changed, outputPath: previous.path, previousPex: previous });
    expect(rebuilt.reuse).toEqual({ keptBytes: expect.any(Number) });
    const kept = (rebuilt.reuse as { keptBytes: number }).keptBytes;
    expect(kept).toBeGreaterThan(6 << 20); // both wheels' blobs
    expect(kept).toBeLessThan(rebuilt.size);
    expect(rebuilt.sha256).not.toBe(previous.sha256);
    expect(await readdir(join(previous.path, '..'))).toEqual(['app.pex']); // the temp copy was renamed into place
    await expectSameAsFullBuild(rebuilt, changed);
  });

  it('a changed later wheel keeps the entries before it', async () => {
    const previous = await buildPex({ ...base, outputPath: output() });
    const changed = { ...base, wheels: [first, await bigWheel('zzz', '1.1', 3 << 20)] };
    const rebuilt = await buildPex({ ...changed, outputPath: output(), previousPex: previous });
    const kept = (rebuilt.reuse as { keptBytes: number }).keptBytes;
    expect(kept).toBeGreaterThan(3 << 20);
    expect(kept).toBeLessThan(6 << 20);
    await expectSameAsFullBuild(rebuilt, changed);
  });

  it('falls back to a full write when the previous pex is missing', async () => {
    const rebuilt = await buildPex({
      ...base,
      outputPath: output(),
      previousPex: { path: join(work, 'nowhere.pex'), sha256: '0'.repeat(64) },
    });
    expect(rebuilt.reuse).toEqual({ fallback: expect.stringMatching(/cannot be read/) });
    await expectSameAsFullBuild(rebuilt, base);
  });

  it('falls back when the previous pex changed since it was written (same size, other bytes)', async () => {
    const previous = await buildPex({ ...base, outputPath: output() });
    const bytes = await readFile(previous.path);
    const inBlob = bytes.length >> 1; // inside a wheel's incompressible blob: the directory still matches
    bytes[inBlob] = (bytes[inBlob] as number) ^ 0xff;
    await writeFile(previous.path, bytes);
    const changed = { ...base, sources: await sources('print("three")\n') };
    const rebuilt = await buildPex({ ...changed, outputPath: previous.path, previousPex: previous });
    expect(rebuilt.reuse).toEqual({ fallback: expect.stringMatching(/changed since it was written/) });
    await expectSameAsFullBuild(rebuilt, changed);
  });

  it('falls back when the kept part holds other bytes than this build writes (another writer, same sha256 recorded)', async () => {
    const previous = await buildPex({ ...base, outputPath: output() });
    const bytes = await readFile(previous.path);
    const firstHeader = bytes.indexOf('\n') + 1;
    bytes[firstHeader + 4] = (bytes[firstHeader + 4] as number) ^ 1; // "version needed": only the local header says it
    await writeFile(previous.path, bytes);
    const changed = { ...base, sources: await sources('print("four")\n') };
    const rebuilt = await buildPex({
      ...changed,
      outputPath: previous.path,
      previousPex: { ...previous, sha256: sha256(bytes) },
    });
    expect(rebuilt.reuse).toEqual({ fallback: expect.stringMatching(/other bytes at offset/) });
    await expectSameAsFullBuild(rebuilt, changed);
  });

  it('falls back when the first wheel differs (less would be kept than a copy costs)', async () => {
    const previous = await buildPex({ ...base, outputPath: output() });
    const changed = { ...base, wheels: [await bigWheel('aaa', '1.1', 3 << 20), last] };
    const rebuilt = await buildPex({ ...changed, outputPath: output(), previousPex: previous });
    expect(rebuilt.reuse).toEqual({ fallback: expect.stringMatching(/would be kept/) });
    await expectSameAsFullBuild(rebuilt, changed);
  });

  it('keeps no raw copy from a wheel whose sha256 differs, even with the same members', async () => {
    const previous = await buildPex({ ...base, outputPath: output() });
    // The same members, another file: a one-byte zip comment (the EOCD's last field).
    const bytes = await readFile(last.path);
    bytes.writeUInt16LE(1, bytes.length - 2);
    const other = join(await mkdtemp(join(work, 'wheels-')), basename(last.path));
    await writeFile(other, Buffer.concat([bytes, Buffer.from('c')]));
    const changed = { ...base, wheels: [first, { path: other, sha256: sha256(await readFile(other)) }] };
    const rebuilt = await buildPex({ ...changed, outputPath: output(), previousPex: previous });
    const kept = (rebuilt.reuse as { keptBytes: number }).keptBytes;
    expect(kept).toBeGreaterThan(3 << 20);
    expect(kept).toBeLessThan(6 << 20); // zzz's entries were written again, though their bytes are the same
    await expectSameAsFullBuild(rebuilt, changed);
  });

  it('leaves the previous pex whole and no temp file when the rewrite fails', async () => {
    const previous = await buildPex({ ...base, outputPath: output() });
    const before = await readFile(previous.path);
    // Many members after the kept part: the write reports progress (every 1000 entries) while it writes them.
    const modules = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`zzz/m${i}.py`, `I = ${i}\n`]));
    const replacement = await buildWheel({ name: 'zzz', version: '1.3', modules }, join(work, 'wheels', 'zzz-1.3'));
    const failing: BuildPexOptions = {
      ...base,
      wheels: [first, replacement],
      outputPath: previous.path,
      previousPex: previous,
      onProgress: (event) => {
        if (event.phase === 'write') throw new Error('disk full');
      },
    };
    await expect(buildPex(failing)).rejects.toThrow('disk full');
    expect((await readFile(previous.path)).equals(before)).toBe(true);
    expect(await readdir(join(previous.path, '..'))).toEqual(['app.pex']);
  });
});
