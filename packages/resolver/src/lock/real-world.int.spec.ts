import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPythons, REAL_WORLD_SETS } from '@nx-pex/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INDEX_URL, type IndexConfig } from '../config/index-config.js';
import { publicIndexConfig } from '../testing/public-index.js';
import { inspectInterpreter, type TargetInterpreter } from '../interpreter/inspect.js';
import { pipDryRun } from '../testing/pip-report.js';
import { resolveLock } from './resolve-lock.js';

// Opt-in (NX_PEX_REAL_WORLD=1; needs the public index): resolveLock against pypi.org for CPython 3.11,
// compared with `pip install --dry-run --report - --ignore-installed --only-binary :all:` of the same
// requirements. The sets are @nx-pex/tools' REAL_WORLD_SETS, the same the bench's resolve-sets rows
// time against uv. NX_PEX_REAL_WORLD_REPORT: write the comparison as JSON.
const ENABLED = process.env.NX_PEX_REAL_WORLD === '1';
const python = ENABLED ? (await findPythons()).found.find((p) => p.version === '3.11') : undefined;

describe.runIf(ENABLED)('real-world resolutions against pip (pypi.org, CPython 3.11)', () => {
  let work: string;
  let target: TargetInterpreter;
  let index: IndexConfig;
  const report: Record<string, unknown> = {};

  beforeAll(async () => {
    if (!python) throw new Error('NX_PEX_REAL_WORLD needs a CPython 3.11 (pyenv or python3.11 on PATH).');
    work = await mkdtemp(join(tmpdir(), 'nx-pex-real-'));
    target = await inspectInterpreter(python.path);
    index = await publicIndexConfig();
  });
  afterAll(async () => {
    if (process.env.NX_PEX_REAL_WORLD_REPORT)
      await writeFile(process.env.NX_PEX_REAL_WORLD_REPORT, JSON.stringify(report, null, 2));
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const { id: name, requirements } of REAL_WORLD_SETS) {
    it(`${name}: the same versions as pip`, async () => {
      const started = performance.now();
      const lock = await resolveLock({
        roots: { app: [...requirements] },
        index,
        targets: [target],
        cacheDir: join(work, 'cache'),
      });
      const ms = Math.round(performance.now() - started);
      const ours = Object.fromEntries(lock.packages.map((p) => [p.name, p.version ?? '']));
      // Wheels only, as the resolver (it builds no sdist) and as the bench's uv rows.
      const pips = await pipDryRun(python!.path, [
        '--index-url',
        DEFAULT_INDEX_URL,
        '--only-binary=:all:',
        ...requirements,
      ]);
      if (!pips) throw new Error(`pip found no solution for ${requirements.join(' ')}`);
      const names = [...new Set([...Object.keys(ours), ...Object.keys(pips)])].sort();
      const differences = names
        .filter((n) => ours[n] !== pips[n])
        .map((n) => `${n}: nx-pex ${ours[n] ?? '-'}, pip ${pips[n] ?? '-'}`);
      report[name] = { packages: names.length, nxPexMs: ms, differences };
      expect(differences).toEqual([]);
    }, 300_000);
  }
});
