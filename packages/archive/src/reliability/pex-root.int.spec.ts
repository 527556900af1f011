// The runtime's PEX_ROOT under concurrency and corruption: 16 simultaneous first runs of one pex all
// succeed with the same output and leave one complete extraction; a truncated or byte-flipped file in
// an extraction should be detected and re-extracted (pex never heals these). The prepared-tree cache
// of buildPex is checked the same way: a truncated or edited entry is rebuilt, never trusted.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheEntryPath } from '../cache/installed-wheel-cache.js';
import { buildPex } from '../pex/build.js';
import { APP_SOURCES, greetWheel, shoutWheel, writeSources } from '../test-support/fixtures.js';
import { run } from '../test-support/run.js';

const LONG = process.env['NX_PEX_LONG'] === '1';
let work: string;
let pex: string;
let cacheDir: string;
let wheels: { path: string; sha256: string }[];
let sources: Awaited<ReturnType<typeof writeSources>>;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'nx-pex-root-'));
  wheels = [await greetWheel(join(work, 'wheels')), await shoutWheel(join(work, 'wheels'))];
  sources = await writeSources(join(work, 'src'), APP_SOURCES);
  cacheDir = join(work, 'cache');
  pex = (await buildPex({ outputPath: join(work, 'app.pex'), wheels, sources, entryPoint: 'app.main', cacheDir })).path;
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const runPex = (root: string) => run('python3', [pex, 'x'], { env: { PEX_ROOT: root } });
const expectedOutput = (out: string) => out.split('\n').slice(0, 2).join('\n');

describe('PEX_ROOT under concurrency', () => {
  const ROUNDS = LONG ? 10 : 1;
  it(`16 simultaneous first runs (×${ROUNDS}) all succeed with identical output and one complete extraction`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const root = join(work, `root-16-${round}`);
      const runs = await Promise.all(Array.from({ length: 16 }, () => runPex(root)));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expect(new Set(runs.map((r) => expectedOutput(r.stdout))).size).toBe(1);
      expect(expectedOutput(runs[0]!.stdout)).toBe("HELLO WORLD!\nargv ['x']");
      for (const r of runs) expect(r.stderr).not.toMatch(/Traceback|incomplete/);
      // Losers discard their work dirs: only the final directories remain.
      const installed = await readdir(join(root, 'installed_wheels'));
      expect(installed).toHaveLength(2);
      for (const sha of installed) expect(await readdir(join(root, 'installed_wheels', sha))).toHaveLength(1);
      expect(await readdir(join(root, 'user_code'))).toHaveLength(1);
    }
  }, 300_000);
});

/** The extracted `greet/__init__.py` of a warmed PEX_ROOT. */
async function extractedGreet(root: string): Promise<string> {
  const sha = wheels[0]!.sha256;
  return join(root, 'installed_wheels', sha, 'greet-1.0-py3-none-any.whl', 'greet', '__init__.py');
}

describe('PEX_ROOT corruption', () => {
  const damages: Record<string, (path: string) => Promise<void>> = {
    truncated: (path) => truncate(path, 5),
    'byte-flipped': async (path) => {
      const bytes = await readFile(path);
      bytes[bytes.indexOf('hello')] = 'j'.charCodeAt(0);
      await writeFile(path, bytes);
    },
  };
  for (const [name, damage] of Object.entries(damages)) {
    // The completion marker lists every extracted file with its size and mtime; the warm path stats
    // them, so a file damaged behind the marker makes the runtime discard and re-extract the directory.
    it(`a ${name} file in an extraction is detected and re-extracted`, async () => {
      const root = join(work, `root-${name}`);
      expect((await runPex(root)).code).toBe(0);
      await damage(await extractedGreet(root));
      await rm(
        join(root, 'installed_wheels', wheels[0]!.sha256, 'greet-1.0-py3-none-any.whl', 'greet', '__pycache__'),
        { recursive: true, force: true },
      );
      const again = await runPex(root);
      expect(again.code, again.stderr).toBe(0);
      expect(expectedOutput(again.stdout)).toBe("HELLO WORLD!\nargv ['x']");
    });
  }

  it('an extraction without its completion marker (a killed extractor) is re-extracted', async () => {
    const root = join(work, 'root-marker');
    expect((await runPex(root)).code).toBe(0);
    const dir = join(root, 'installed_wheels', wheels[0]!.sha256, 'greet-1.0-py3-none-any.whl');
    await rm(join(dir, '.nx-pex-complete'));
    await truncate(join(dir, 'greet', '__init__.py'), 5);
    const again = await runPex(root);
    expect(again.code, again.stderr).toBe(0);
    expect(expectedOutput(again.stdout)).toBe("HELLO WORLD!\nargv ['x']");
  });
});

describe('prepared-tree cache corruption', () => {
  const damages: Record<string, (path: string) => Promise<void>> = {
    truncated: async (path) => truncate(path, Math.floor((await readFile(path)).length / 2)),
    emptied: (path) => truncate(path, 0),
    'byte-flipped': async (path) => {
      const bytes = await readFile(path);
      const at = bytes.indexOf('"crc32":') + 9;
      bytes[at] = bytes[at] === 0x31 ? 0x32 : 0x31;
      await writeFile(path, bytes);
    },
  };
  for (const [name, damage] of Object.entries(damages)) {
    it(`a ${name} entry is rebuilt and the pex is byte-identical`, async () => {
      const expected = createHash('sha256')
        .update(await readFile(pex))
        .digest('hex');
      const entry = cacheEntryPath(cacheDir, wheels[0]!.sha256);
      await damage(entry);
      const events: string[] = [];
      const rebuilt = await buildPex({
        outputPath: join(work, `rebuilt-${name}.pex`),
        wheels,
        sources,
        entryPoint: 'app.main',
        cacheDir,
        onProgress: (p) => p.detail && events.push(p.detail),
      });
      expect(rebuilt.sha256).toBe(expected);
      expect(events.filter((e) => e.includes('(cached)'))).toHaveLength(1); // the damaged one was not served from the cache
      JSON.parse(await readFile(entry, 'utf8'));
    });
  }
});
