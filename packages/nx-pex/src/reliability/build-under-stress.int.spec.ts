// `nx-pex build` (the built CLI, one process per build) under SIGKILL at random points and under
// concurrency: the output path only ever holds a complete pex (byte-identical to the reference build),
// the artifact cache never holds a corrupt entry, and a clean build afterwards succeeds.
// Default: 10 kills; NX_PEX_LONG=1: 200.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWheel, startFixtureIndex, type FixtureIndex, writeTree } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LONG = process.env['NX_PEX_LONG'] === '1';
const KILLS = LONG ? 200 : 10;
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'main.js');

let tmp: string;
let ws: string;
let cache: string;
let index: FixtureIndex;
let env: NodeJS.ProcessEnv;
let reference: { sha256: string; ms: number };

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI; `killAfterMs` sends SIGKILL then (the build may finish first). */
function cli(args: string[], killAfterMs?: number): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ws, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** Wheel entries that do not hash to their address, prepared trees that are not complete JSON. (Temp files are allowed: a killed writer leaves them, readers never see them.) */
async function corruptCacheEntries(): Promise<string[]> {
  const bad: string[] = [];
  for await (const path of walk(join(cache, 'wheels', 'sha256'))) {
    const parts = relative(join(cache, 'wheels', 'sha256'), path).split(sep);
    if (parts[parts.length - 1]!.endsWith('.tmp')) continue;
    if (parts.length !== 3 || (await sha256(path)) !== parts[1]) bad.push(path);
  }
  for await (const path of walk(join(cache, 'installed_wheels'))) {
    if (!path.endsWith('.json') || path.split(sep).pop()!.startsWith('.')) continue;
    try {
      JSON.parse(await readFile(path, 'utf8'));
    } catch {
      bad.push(path);
    }
  }
  return bad;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'nx-pex-stress-'));
  const wheels = join(tmp, 'wheels');
  mkdirSync(wheels);
  await buildWheel({ name: 'tiny', version: '1.0', modules: { 'tiny/__init__.py': 'T = 1\n' } }, wheels);
  // Large and incompressible, so downloads, installs and writes each take long enough to be killed in.
  await buildWheel(
    {
      name: 'bulky',
      version: '2.0',
      requiresDist: ['tiny'],
      modules: { 'bulky/__init__.py': 'B = 1\n', 'bulky/data.bin': randomBytes(3_000_000) },
    },
    wheels,
  );
  index = await startFixtureIndex({ wheelsDir: wheels });
  cache = join(tmp, 'cache');
  ws = join(tmp, 'ws');
  const files: Record<string, string> = {
    'nx.json': '{}',
    'apps/svc/pyproject.toml':
      '[project]\nname = "svc"\nversion = "0.1.0"\ndependencies = ["bulky==2.0"]\n[project.scripts]\nsvc = "svc.main:main"\n',
    'apps/svc/src/svc/__init__.py': '',
    'apps/svc/src/svc/main.py': 'def main():\n    print("ok")\n',
  };
  writeTree(ws, files);
  env = {
    ...process.env,
    PIP_INDEX_URL: index.url,
    PIP_FIND_LINKS: '',
    PIP_CONFIG_FILE: join(tmp, 'no-pip.conf'),
    NX_PEX_CACHE_DIR: cache,
    CI: '1',
  };
  // The reference: a cold build with a scratch cache; its duration bounds the random kill points.
  const started = Date.now();
  const first = await cli(['build', 'apps/svc', '--output', 'ref/svc.pex']);
  expect(first.code, first.stderr).toBe(0);
  reference = { sha256: await sha256(join(ws, 'ref/svc.pex')), ms: Date.now() - started };
  await rm(cache, { recursive: true, force: true });
}, 120_000);

afterAll(async () => {
  await index?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('nx-pex build killed at random points', () => {
  it(
    `after ${KILLS} SIGKILLs the output path never holds a partial pex and the cache no corrupt entry`,
    async () => {
      const output = join(ws, 'dist/apps/svc/svc.pex');
      const outcomes = { killed: 0, finishedFirst: 0, outputAbsent: 0, outputComplete: 0 };
      // Kill points are drawn within the duration of the last build of the same kind that finished, so
      // they fall inside builds; runs that finish first do not count towards the kills.
      const lastMs = [reference.ms, reference.ms, reference.ms, reference.ms];
      for (let i = 0; outcomes.killed < KILLS && i < KILLS * 4; i++) {
        // Vary what is left to do, so kills land while downloading, preparing trees and writing the pex.
        const reset = i % 4;
        if (reset === 1) await rm(join(cache, 'wheels'), { recursive: true, force: true });
        if (reset === 2) await rm(join(cache, 'installed_wheels'), { recursive: true, force: true });
        if (reset === 3) await rm(output, { force: true });
        const started = Date.now();
        const exit = await cli(['build', 'apps/svc'], Math.floor(Math.random() * lastMs[reset]!));
        if (exit.signal === 'SIGKILL') outcomes.killed++;
        else {
          expect(exit.code, exit.stderr).toBe(0);
          outcomes.finishedFirst++;
          lastMs[reset] = Date.now() - started;
        }
        if (existsSync(output)) {
          expect(await sha256(output), `kill ${i}: the output path holds a partial or different pex`).toBe(
            reference.sha256,
          );
          outcomes.outputComplete++;
        } else outcomes.outputAbsent++;
        expect(await corruptCacheEntries(), `kill ${i}`).toEqual([]);
      }
      expect(outcomes.killed).toBe(KILLS);
      const clean = await cli(['build', 'apps/svc']);
      expect(clean.code, clean.stderr).toBe(0);
      expect(await sha256(output)).toBe(reference.sha256);
      console.log(
        `nx-pex build kills: ${outcomes.killed + outcomes.finishedFirst} runs (${outcomes.killed} SIGKILLed, ${outcomes.finishedFirst} finished before the kill); output afterwards absent ${outcomes.outputAbsent}, complete ${outcomes.outputComplete}, partial 0; corrupt cache entries 0; clean build identical`,
      );
    },
    LONG ? 3_600_000 : 300_000,
  );
});

describe('concurrent builds sharing one artifact cache', () => {
  it('4 cold builds at once (own outputs, then one shared output) all succeed with byte-identical pexes', async () => {
    await rm(cache, { recursive: true, force: true });
    const own = await Promise.all([0, 1, 2, 3].map((n) => cli(['build', 'apps/svc', '--output', `par/${n}/svc.pex`])));
    for (const exit of own) expect(exit.code, exit.stderr).toBe(0);
    for (const n of [0, 1, 2, 3]) expect(await sha256(join(ws, `par/${n}/svc.pex`))).toBe(reference.sha256);
    await rm(cache, { recursive: true, force: true });
    const shared = await Promise.all(
      [0, 1, 2, 3].map(() => cli(['build', 'apps/svc', '--output', 'par/shared/svc.pex'])),
    );
    for (const exit of shared) expect(exit.code, exit.stderr).toBe(0);
    expect(await sha256(join(ws, 'par/shared/svc.pex'))).toBe(reference.sha256);
    expect(await corruptCacheEntries()).toEqual([]);
  }, 300_000);
});
