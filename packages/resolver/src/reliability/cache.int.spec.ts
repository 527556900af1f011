// The artifact cache under corruption and concurrency: truncated or byte-flipped wheel entries are
// detected and fetched again; concurrent fetches into one cache all succeed with the same artifacts.
import { createHash } from 'node:crypto';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { buildWheel } from '@nx-pex/tools';
import { describe, expect, it } from 'vitest';
import { fetchArtifacts } from '../fetch/fetch-artifacts.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { fixtureSuite } from '../testing/fixture-suite.js';
import { runs } from '../testing/reliability-fuzz.js';

const target: TargetInterpreter = {
  implementation: 'cp',
  version: [3, 11, 7],
  tags: ['py3-none-any'],
  markers: { python_version: '3.11', sys_platform: 'linux' },
};
const suite = fixtureSuite('nx-pex-cache-', async (dir) => {
  await buildWheel(
    { name: 'app', version: '1.0', requiresDist: ['lib'], modules: { 'app/__init__.py': 'A = 1\n' } },
    dir,
  );
  await buildWheel({ name: 'lib', version: '3.0', modules: { 'lib/__init__.py': 'L = "x" * 100\n' } }, dir);
});
const fetch = () =>
  fetchArtifacts({
    requirements: ['app'],
    index: suite.index(),
    target,
    cacheDir: suite.cacheDir,
    http: { backoffMs: 1 },
  });
const digest = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
const downloads = () =>
  suite.server.requests.filter((r) => r.path.startsWith('/files/') && r.path.endsWith('.whl') && !r.range).length;

describe('artifact cache corruption', () => {
  const damages = {
    truncated: (path: string) => truncate(path, 10),
    emptied: (path: string) => truncate(path, 0),
    'byte-flipped': async (path: string) => {
      const bytes = await readFile(path);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x20;
      await writeFile(path, bytes);
    },
    'replaced by another wheel': async (path: string, others: string[]) => writeFile(path, await readFile(others[0]!)),
  };
  for (const [name, damage] of Object.entries(damages)) {
    it(`a ${name} wheel entry is detected, downloaded again and intact afterwards`, async () => {
      const first = await fetch();
      const victim = first.find((a) => a.name === 'lib')!;
      await damage(
        victim.path,
        first.filter((a) => a !== victim).map((a) => a.path),
      );
      suite.server.requests.length = 0;
      const again = await fetch();
      expect(again.map((a) => [a.filename, a.sha256, a.path])).toEqual(
        first.map((a) => [a.filename, a.sha256, a.path]),
      );
      for (const a of again) expect(await digest(a.path)).toBe(a.sha256);
      expect(downloads()).toBe(1); // only the damaged one
    });
  }
});

describe('concurrent fetches sharing one artifact cache', () => {
  const ROUNDS = runs(3, 25);
  it(`${ROUNDS} rounds of 4 cold fetches at once all succeed with identical artifacts`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      suite.cacheDir = `${suite.cacheDir}-r${round}`;
      const results = await Promise.all([fetch(), fetch(), fetch(), fetch()]);
      const views = results.map((r) => JSON.stringify(r.map((a) => [a.filename, a.sha256, a.path])));
      expect(new Set(views).size).toBe(1);
      for (const a of results[0]!) expect(await digest(a.path)).toBe(a.sha256);
    }
  });
});
