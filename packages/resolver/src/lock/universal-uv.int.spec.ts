import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { findPythons } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INDEX_URL, type IndexConfig } from '../config/index-config.js';
import { publicIndexConfig } from '../testing/public-index.js';
import { releasesOf } from '../fetch/releases.js';
import { markerEnvironment } from '../fetch/fetch-artifacts.js';
import { HttpClient } from '../http/client.js';
import { IndexClient } from '../index/client.js';
import { Version } from '../pep440/version.js';
import { Requirement } from '../pep508/requirement.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';
import { universalTargets, environmentPlatform } from '../platform/environments.js';
import { resolveLock } from './resolve-lock.js';
import { selectFromLock } from './select.js';

// Opt-in (NX_PEX_REAL_WORLD=1; needs pypi.org and uv from NX_PEX_INTEROP_BIN or PATH): a universal
// lock of real sets against `uv pip compile --universal` with the same requires-python. For every
// environment of the lock, the versions nx-pex selects are compared with the uv lines whose markers
// hold there. A difference is accepted only with a reason checked here: uv's version has no wheel
// for that environment (uv would build it from source; nx-pex forks to a version with a wheel).
// NX_PEX_REAL_WORLD_REPORT: write the comparison (and both tools' times, cold and warm cache) as JSON.
const ENABLED = process.env.NX_PEX_REAL_WORLD === '1';
const run = promisify(execFile);
const REQUIRES_PYTHON = '>=3.10';

function tool(name: string): string | undefined {
  const dirs = [process.env.NX_PEX_INTEROP_BIN, ...(process.env.PATH ?? '').split(delimiter)].filter((d): d is string =>
    Boolean(d),
  );
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

const CASES: Record<string, string[]> = {
  flask: ['flask'],
  black: ['black'],
  pandas: ['pandas'],
  'requests+pywin32': ['requests', 'pywin32; sys_platform == "win32"'],
  // tools/src/bench RESOLVE_SET: ~55 packages.
  'bench set': [
    'fastapi',
    'uvicorn[standard]',
    'sqlalchemy',
    'alembic',
    'pydantic-settings',
    'httpx',
    'requests',
    'boto3',
    'redis',
    'celery',
    'rich',
    'typer',
    'python-dateutil',
    'pyyaml',
  ],
};

describe.runIf(ENABLED)('universal locks against uv pip compile --universal (pypi.org)', () => {
  let work: string;
  let index: IndexConfig;
  let pages: IndexClient;
  let http: HttpClient;
  const uv = tool('uv');
  let python: string | undefined;
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    if (!uv) throw new Error('NX_PEX_REAL_WORLD universal comparison needs uv (NX_PEX_INTEROP_BIN or PATH).');
    work = await mkdtemp(join(tmpdir(), 'nx-pex-universal-uv-'));
    python = (await findPythons()).found.at(-1)?.path;
    if (!python)
      throw new Error('NX_PEX_REAL_WORLD universal comparison needs a CPython (pyenv or PATH) for uv to run with.');
    index = await publicIndexConfig();
    http = new HttpClient({});
    pages = new IndexClient(http, index);
  });
  afterAll(async () => {
    await http?.close();
    if (process.env.NX_PEX_REAL_WORLD_REPORT)
      await writeFile(process.env.NX_PEX_REAL_WORLD_REPORT, JSON.stringify(report, null, 2));
    if (work) await rm(work, { recursive: true, force: true });
  });

  const uvCompile = async (name: string, requirements: string[], cache: string) => {
    const input = join(work, `${name.replace(/\W+/g, '-')}.in`);
    await writeFile(input, `${requirements.join('\n')}\n`);
    const started = performance.now();
    // No interpreter discovery or download: uv needs none for a universal compile given --python-version.
    const { stdout } = await run(
      uv!,
      [
        'pip',
        'compile',
        '--python',
        python!,
        '--universal',
        '--python-version',
        '3.10',
        '--no-header',
        '--no-annotate',
        '--index-url',
        DEFAULT_INDEX_URL,
        '--cache-dir',
        cache,
        input,
      ],
      { maxBuffer: 16 << 20, env: { ...process.env, UV_PYTHON_DOWNLOADS: 'never' } },
    );
    return {
      ms: Math.round(performance.now() - started),
      lines: stdout
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => Requirement.parse(l)),
    };
  };

  for (const [name, requirements] of Object.entries(CASES)) {
    it(`${name}: the same versions per environment as uv, or uv's version has no wheel there`, async () => {
      const cache = join(work, `cache-${name.replace(/\W+/g, '-')}`);
      const lockOnce = async () => {
        const started = performance.now();
        const lock = await resolveLock({
          roots: { app: requirements },
          index,
          targets: [],
          universal: true,
          requiresPython: REQUIRES_PYTHON,
          cacheDir: join(cache, 'nx-pex'),
        });
        return { lock, ms: Math.round(performance.now() - started) };
      };
      const cold = await lockOnce();
      const warm = await lockOnce();
      const uvCold = await uvCompile(name, requirements, join(cache, 'uv'));
      const uvWarm = await uvCompile(name, requirements, join(cache, 'uv'));
      const differences: string[] = [];
      const explained: string[] = [];
      const oneSided: { i: number; pkg: string; line: string }[] = [];
      const covered = new Set(warm.lock.nxPex!.targets.map((t) => t.tag));
      const targets = universalTargets(REQUIRES_PYTHON).filter((t) => covered.has(t.tags[0]));
      const hasWheel = async (target: TargetInterpreter, pkg: string, version: string) =>
        Boolean(
          releasesOf(await pages.projectFiles(pkg), pkg, target.tags, Version.parse(target.version.join('.'))).find(
            (r) => r.version.toString() === version,
          )?.best,
        );
      const ours = targets.map((t) => new Map(selectFromLock(warm.lock, 'app', t).map((a) => [a.name, a.version])));
      const theirs = targets.map(
        (t) =>
          new Map(
            uvCold.lines
              .filter((r) => r.appliesTo(markerEnvironment(t)))
              .map((r) => [r.key, r.specifier.toString().replace(/^==/, '')]),
          ),
      );
      for (const [i, target] of targets.entries()) {
        const where = `${environmentPlatform(target)} cp3${target.version[1]}`;
        for (const pkg of [...new Set([...ours[i]!.keys(), ...theirs[i]!.keys()])].sort()) {
          const a = ours[i]!.get(pkg);
          const b = theirs[i]!.get(pkg);
          if (a === b) continue;
          const line = `${where}: ${pkg} nx-pex ${a ?? '-'}, uv ${b ?? '-'}`;
          // Explained: uv's version has no wheel here, or none for another platform of this Python that
          // shares nx-pex's version (one version per Python across platforms, as uv's own strategy).
          const why =
            a === undefined || b === undefined
              ? undefined
              : !(await hasWheel(target, pkg, b))
                ? `uv's ${b} has no wheel for ${where}`
                : await (async () => {
                    for (const [j, other] of targets.entries()) {
                      if (
                        other.version[1] === target.version[1] &&
                        ours[j]!.get(pkg) === a &&
                        !(await hasWheel(other, pkg, b))
                      )
                        return `uv's ${b} has no wheel for ${environmentPlatform(other)}, which shares ${a} on this Python`;
                    }
                    return undefined;
                  })();
          if (why) explained.push(`${line} (${why})`);
          else if (a === undefined || b === undefined) oneSided.push({ i, pkg, line });
          else differences.push(line);
        }
      }
      // A package only one side installs is explained when a package whose version differs for an
      // explained reason in that environment requires it (pytz by pandas 2, not by pandas 3).
      for (const { i, pkg, line } of oneSided) {
        const where = line.slice(0, line.indexOf(':'));
        const by = explained
          .filter((e) => e.startsWith(`${where}:`))
          .map((e) => e.split(' ')[2]!)
          .find((name) =>
            warm.lock.packages.some(
              (p) =>
                p.name === name &&
                p.version === ours[i]!.get(name) &&
                p.nxPex?.requiresDist.some((r) => Requirement.parse(r).key === pkg),
            ),
          );
        if (by) explained.push(`${line} (required by nx-pex's ${by} ${ours[i]!.get(by)}, explained above)`);
        else differences.push(line);
      }
      report[name] = {
        packages: new Set(warm.lock.packages.map((p) => p.name)).size,
        entries: warm.lock.packages.length,
        uvLines: uvCold.lines.length,
        environments: covered.size,
        skipped: warm.lock.nxPex!.universal!.skipped ?? [],
        nxPexColdMs: cold.ms,
        nxPexWarmMs: warm.ms,
        uvColdMs: uvCold.ms,
        uvWarmMs: uvWarm.ms,
        explained,
        differences,
      };
      console.log(name, JSON.stringify(report[name], null, 1));
      expect(differences).toEqual([]);
    }, 900_000);
  }
});
