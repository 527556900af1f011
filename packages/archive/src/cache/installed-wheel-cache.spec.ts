import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { greetWheel } from '../test-support/fixtures.js';
import { userCacheDir } from './cache-dir.js';
import { cacheEntryPath, prepareInstalledWheelTree } from './installed-wheel-cache.js';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-cache-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('prepareInstalledWheelTree', () => {
  it('installs once, then serves the tree from the cache', async () => {
    const wheel = await greetWheel(join(work, 'w1'));
    const cacheDir = join(work, 'c1');
    const first = await prepareInstalledWheelTree(wheel, cacheDir);
    const second = await prepareInstalledWheelTree(wheel, cacheDir);
    expect([first.fromCache, second.fromCache]).toEqual([false, true]);
    expect(second.tree).toEqual(first.tree);
    expect(cacheEntryPath(cacheDir, wheel.sha256)).toMatch(new RegExp(`${wheel.sha256}\\.v1\\.json$`));
  });

  it.each([
    ['truncated', (text: string) => text.slice(0, text.length / 2)],
    ['edited', (text: string) => text.replace('greet/__init__.py', 'greet/__init__.pz')],
    ['empty', () => ''],
    // The same JSON in other bytes: the checksum covers the tree's bytes as the cache wrote them.
    ['reformatted', (text: string) => JSON.stringify(JSON.parse(text) as unknown, null, 1)],
  ])('detects a %s entry and replaces it', async (_kind, corrupt) => {
    const wheel = await greetWheel(join(work, `w-${_kind}`));
    const cacheDir = join(work, `c-${_kind}`);
    const original = await prepareInstalledWheelTree(wheel, cacheDir);
    const entry = cacheEntryPath(cacheDir, wheel.sha256);
    const good = await readFile(entry, 'utf8');
    await writeFile(entry, corrupt(good));
    const again = await prepareInstalledWheelTree(wheel, cacheDir);
    expect(again.fromCache).toBe(false);
    expect(again.tree).toEqual(original.tree);
    expect(await readFile(entry, 'utf8')).toBe(good);
  });
});

describe('userCacheDir', () => {
  it('prefers NX_PEX_CACHE_DIR, then XDG_CACHE_HOME/nx-pex, then ~/.cache/nx-pex', () => {
    expect(userCacheDir({ NX_PEX_CACHE_DIR: '/a', XDG_CACHE_HOME: '/b' })).toBe('/a');
    expect(userCacheDir({ XDG_CACHE_HOME: '/b' })).toBe(join('/b', 'nx-pex'));
    expect(userCacheDir({})).toMatch(/[/\\]\.cache[/\\]nx-pex$/);
  });
});
