// Smoke test of the harness without network: argument parsing, the results file name and the
// results JSON shape. The benchmark itself never runs in the test suite.
import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs, WORKLOAD_IDS } from './args.js';
import { REAL_WORLD_SETS } from './projects.js';
import { emptyReport } from './harness.js';
import { finishWorkload, resultFileName, stripCredentials, validateReport } from './report.js';

describe('parseBenchArgs', () => {
  it('defaults: 5 counted runs after 1 warm-up, every workload but torch and the real-world sets', () => {
    const o = parseBenchArgs([]);
    expect(o).toMatchObject({
      runs: 5,
      warmup: 1,
      quick: false,
      torch: false,
      torchCuda: false,
      python: 'python3',
      keep: false,
      resolveSets: false,
    });
    expect(o.workloads).toEqual(WORKLOAD_IDS.filter((id) => !id.startsWith('torch') && !id.startsWith('resolve-sets')));
    expect(o.workloads).toContain('resolve-universal-warm');
  });
  it('--quick: 2 runs, no warm-up, unless given', () => {
    expect(parseBenchArgs(['--quick'])).toMatchObject({ runs: 2, warmup: 0, quick: true });
    expect(parseBenchArgs(['--quick', '--runs', '3', '--warmup', '1'])).toMatchObject({ runs: 3, warmup: 1 });
  });
  it('--only takes ids and groups, comma-separated or repeated, and keeps the run order', () => {
    expect(parseBenchArgs(['--only', 'resolve,build-noop']).workloads).toEqual([
      'build-noop',
      'resolve-cold',
      'resolve-warm',
      'resolve-backtrack-cold',
      'resolve-backtrack-warm',
      'resolve-backtrack-relock',
      'resolve-universal-cold',
      'resolve-universal-warm',
    ]);
    expect(parseBenchArgs(['--only', 'resolve-universal']).workloads).toEqual([
      'resolve-universal-cold',
      'resolve-universal-warm',
    ]);
    expect(parseBenchArgs(['--only', 'scale-30,build-lock,cli']).workloads).toEqual([
      'cli-help',
      'build-lock-noop',
      'build-lock-change',
      'scale-30-cached',
      'scale-30-cold',
    ]);
    expect(parseBenchArgs(['--only', 'scale']).workloads).toEqual(WORKLOAD_IDS.filter((id) => id.startsWith('scale-')));
    expect(parseBenchArgs(['--only', 'start-first', '--only', 'build-cold']).workloads).toEqual([
      'build-cold',
      'start-first',
    ]);
  });
  it('the real-world sets: one cold and one warm workload per set, by family, temperature, set or --resolve-sets', () => {
    const cold = REAL_WORLD_SETS.map((s) => `resolve-sets-cold-${s.id}`);
    const warm = REAL_WORLD_SETS.map((s) => `resolve-sets-warm-${s.id}`);
    expect(REAL_WORLD_SETS.length).toBeGreaterThanOrEqual(13);
    expect(parseBenchArgs(['--only', 'resolve-sets']).workloads).toEqual([...cold, ...warm]);
    expect(parseBenchArgs(['--only', 'resolve-sets-warm']).workloads).toEqual(warm);
    expect(parseBenchArgs(['--only', 'resolve-sets-cold-jupyterlab,cli']).workloads).toEqual([
      'cli-help',
      'resolve-sets-cold-jupyterlab',
    ]);
    // They run after the other resolve rows and before scale.
    const withSets = parseBenchArgs(['--resolve-sets']);
    expect(withSets.resolveSets).toBe(true);
    expect(withSets.workloads.slice(withSets.workloads.indexOf('resolve-universal-warm') + 1)).toEqual([
      ...cold,
      ...warm,
      ...WORKLOAD_IDS.filter((id) => id.startsWith('scale-')),
    ]);
    // The group `resolve` adds them only with the flag.
    expect(parseBenchArgs(['--only', 'resolve', '--resolve-sets']).workloads).toHaveLength(7 + cold.length * 2);
    expect(() => parseBenchArgs(['--only', 'resolve-sets-cold-nope'])).toThrow(/unknown workload/);
  });
  it('the real-world sets have distinct slug ids and requirements', () => {
    const ids = REAL_WORLD_SETS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of REAL_WORLD_SETS) {
      expect(s.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(s.requirements.length).toBeGreaterThan(0);
    }
  });
  it('torch workloads only on request; --only torch and --torch-cuda imply --torch', () => {
    expect(parseBenchArgs(['--torch']).workloads).toEqual(WORKLOAD_IDS.filter((id) => !id.startsWith('resolve-sets')));
    expect(parseBenchArgs(['--only', 'torch'])).toMatchObject({
      torch: true,
      workloads: ['torch-build', 'torch-lock-noop', 'torch-lock-change', 'torch-start-warm', 'torch-start-first'],
    });
    expect(parseBenchArgs(['--torch-cuda'])).toMatchObject({ torch: true, torchCuda: true });
  });
  it('the torch rows with a lock: by prefix or id, with the torch family only, never by build-lock', () => {
    expect(parseBenchArgs(['--only', 'torch-lock', '--torch-cuda'])).toMatchObject({
      torch: true,
      torchCuda: true,
      workloads: ['torch-lock-noop', 'torch-lock-change'],
    });
    // Selected without --torch-cuda they are still listed: the workload itself says it needs the download.
    expect(parseBenchArgs(['--only', 'torch-lock-change'])).toMatchObject({
      torch: true,
      torchCuda: false,
      workloads: ['torch-lock-change'],
    });
    expect(parseBenchArgs(['--only', 'build-lock']).workloads).toEqual(['build-lock-noop', 'build-lock-change']);
    expect(parseBenchArgs(['--only', 'build']).workloads).not.toContain('torch-lock-noop');
    expect(parseBenchArgs([]).workloads.some((id) => id.startsWith('torch-lock'))).toBe(false);
    // With the family on, the default run has them after torch-build and before the torch start-up rows.
    const all = parseBenchArgs(['--torch-cuda']).workloads;
    expect(all.slice(all.indexOf('torch-build'))).toEqual([
      'torch-build',
      'torch-lock-noop',
      'torch-lock-change',
      'torch-start-warm',
      'torch-start-first',
    ]);
  });
  it('rejects unknown workloads, bad counts and unknown options with a usage error', () => {
    expect(() => parseBenchArgs(['--only', 'nope'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow(/--runs must be an integer ≥ 1/);
    expect(() => parseBenchArgs(['--warmup', '-1'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--fast'])).toThrow(BenchUsageError);
  });
});

describe('results JSON', () => {
  it('is named <YYYY-MM-DD>-<host>.json (UTC date, file-safe host)', () => {
    expect(resultFileName(new Date('2026-03-04T23:59:00Z'), 'Build Box.local')).toBe('2026-03-04-build-box.local.json');
    expect(resultFileName(new Date('2026-03-04T00:00:00Z'), '???')).toBe('2026-03-04-host.json');
  });

  it('has the shape a later comparison reads, through a JSON round trip', () => {
    const report = emptyReport(
      parseBenchArgs(['--quick', '--only', 'build-noop']),
      '3.11.7',
      new Date('2026-03-04T10:00:00Z'),
    );
    report.index = { indexUrl: 'https://example.invalid/simple/', extraIndexUrls: [], findLinks: [], noIndex: false };
    report.workloads.push(
      finishWorkload({
        id: 'build-noop',
        title: 'no-op',
        reference: 'pex',
        notes: [],
        contenders: [
          {
            id: 'nx-pex',
            label: 'nx-pex',
            samples: [
              { wallMs: 10, cpuMs: 8, maxRssKb: 1000 },
              { wallMs: 12, cpuMs: 9, maxRssKb: 1100 },
            ],
          },
          {
            id: 'pex',
            label: 'pex',
            samples: [
              { wallMs: 20, cpuMs: 34, maxRssKb: 500 },
              { wallMs: 22, cpuMs: 34, maxRssKb: 500 },
            ],
          },
        ],
      }),
    );
    const parsed: unknown = JSON.parse(JSON.stringify(report));
    expect(validateReport(parsed)).toEqual([]);
    expect(parsed).toMatchObject({
      schema: 1,
      options: { runs: 2, warmup: 0, quick: true, only: ['build-noop'] },
      workloads: [
        {
          id: 'build-noop',
          reference: 'pex',
          contenders: [
            {
              id: 'nx-pex',
              wall: { n: 2, median: 11 },
              cpu: { median: 8.5 },
              ratio: 0.5238095238095238,
              cpuRatio: 0.25,
            },
            { id: 'pex', ratio: 1 },
          ],
        },
      ],
    });
    expect(validateReport({ schema: 2, workloads: [{}] })).toEqual(
      expect.arrayContaining(['schema must be 1', 'workloads[0] needs id, reference and contenders']),
    );
  });

  it('never carries index credentials', () => {
    expect(stripCredentials('https://user:secret@example.invalid/simple/')).toBe('https://example.invalid/simple/');
    expect(stripCredentials('/local/wheels')).toBe('/local/wheels');
  });
});
