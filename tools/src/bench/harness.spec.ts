// Smoke test of the harness without network: argument parsing, the results file name and the
// results JSON shape. The benchmark itself never runs in the test suite.
import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs, WORKLOAD_IDS } from './args.js';
import { emptyReport } from './harness.js';
import { finishWorkload, resultFileName, stripCredentials, validateReport } from './report.js';

describe('parseBenchArgs', () => {
  it('defaults: 5 counted runs after 1 warm-up, every workload but torch', () => {
    const o = parseBenchArgs([]);
    expect(o).toMatchObject({
      runs: 5,
      warmup: 1,
      quick: false,
      torch: false,
      torchCuda: false,
      python: 'python3',
      keep: false,
    });
    expect(o.workloads).toEqual(WORKLOAD_IDS.filter((id) => !id.startsWith('torch')));
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
  it('torch workloads only on request; --only torch and --torch-cuda imply --torch', () => {
    expect(parseBenchArgs(['--torch']).workloads).toEqual([...WORKLOAD_IDS]);
    expect(parseBenchArgs(['--only', 'torch'])).toMatchObject({
      torch: true,
      workloads: ['torch-build', 'torch-start-warm', 'torch-start-first'],
    });
    expect(parseBenchArgs(['--torch-cuda'])).toMatchObject({ torch: true, torchCuda: true });
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
