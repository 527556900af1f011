import { describe, expect, it } from 'vitest';
import { formatDuration, formatKib, formatRatio, ratio, summarize } from './stats.js';
import { finishWorkload, type BenchReport, type WorkloadResult } from './report.js';
import { renderTable } from './table.js';

describe('summarize', () => {
  it('gives min, median and max of an odd count', () => {
    expect(summarize([5, 1, 3])).toEqual({ n: 3, min: 1, median: 3, max: 5 });
  });
  it('takes the mean of the middle two for an even count, whatever the input order', () => {
    expect(summarize([4, 1, 3, 2])).toEqual({ n: 4, min: 1, median: 2.5, max: 4 });
  });
  it('has nothing to say about no samples', () => {
    expect(summarize([])).toBeUndefined();
  });
  it('does not reorder its input', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('ratio', () => {
  it('is median(A) / median(B)', () => {
    expect(ratio(summarize([1, 2, 100]), summarize([4, 4, 4]))).toBe(0.5);
  });
  it('is undefined without both sides or with a zero reference', () => {
    expect(ratio(undefined, summarize([1]))).toBeUndefined();
    expect(ratio(summarize([1]), summarize([0]))).toBeUndefined();
  });
});

describe('formatting', () => {
  it('durations', () => {
    expect(formatDuration(3.21)).toBe('3.2 ms');
    expect(formatDuration(850.4)).toBe('850 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(15_550)).toBe('15.6 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
  });
  it('sizes from KiB', () => {
    expect(formatKib(512)).toBe('512 KiB');
    expect(formatKib(5 * 1024 + 512)).toBe('5.5 MiB');
    expect(formatKib(300 * 1024)).toBe('300 MiB');
    expect(formatKib(3 * 1024 * 1024)).toBe('3.00 GiB');
  });
  it('ratios', () => {
    expect(formatRatio(0.1234)).toBe('0.12×');
    expect(formatRatio(12.34)).toBe('12.3×');
    expect(formatRatio(1234)).toBe('1234×');
    expect(formatRatio(undefined)).toBe('–');
  });
});

function report(workloads: WorkloadResult[]): BenchReport {
  return {
    schema: 1,
    startedAt: '2026-01-02T03:04:05.000Z',
    finishedAt: '2026-01-02T03:14:05.000Z',
    host: {
      hostname: 'box',
      platform: 'linux',
      arch: 'x64',
      cpus: 2,
      cpuModel: 'cpu',
      memoryBytes: 2 ** 30,
      node: '24.0.0',
      python: '3.11.7',
      loadAverage: { start: 0.5, end: 1.25 },
    },
    options: { runs: 3, warmup: 1, quick: false, only: [], torch: false, torchCuda: false },
    index: { indexUrl: 'https://example.invalid/simple/', extraIndexUrls: [], findLinks: ['/wheels'], noIndex: false },
    tools: [
      { name: 'pex', version: '1.0', installed: true },
      { name: 'uv', version: '0.1', installed: false, error: 'no wheel' },
    ],
    workloads,
  };
}

describe('finishWorkload and renderTable', () => {
  const w = finishWorkload({
    id: 'build-noop',
    title: 'no-op rebuild',
    reference: 'pex',
    notes: ['same pins for everyone'],
    loadAverage: 3.25,
    contenders: [
      {
        id: 'nx-pex',
        label: 'nx-pex',
        samples: [1000, 3000, 2000].map((wallMs) => ({ wallMs, cpuMs: wallMs / 2, maxRssKb: 100 * 1024 })),
        detail: '1.3 MiB written',
      },
      {
        id: 'pex',
        label: 'pex CLI',
        samples: [8000, 8000, 8000].map((wallMs) => ({ wallMs, cpuMs: 2000, maxRssKb: 50 * 1024 })),
      },
      { id: 'uv', label: 'uv', samples: [], skipped: 'uv could not be installed' },
      { id: 'nx', label: 'nx build', samples: [], failed: 'exit code 1: boom' },
    ],
  });

  it("computes each contender's statistics and its ratios to the reference", () => {
    const [nxPex, pex, uv] = w.contenders;
    expect(nxPex!.wall).toEqual({ n: 3, min: 1000, median: 2000, max: 3000 });
    expect(nxPex!.ratio).toBe(0.25);
    expect(nxPex!.cpu?.median).toBe(1000);
    expect(nxPex!.cpuRatio).toBe(0.5);
    expect(nxPex!.rssRatio).toBe(2);
    expect(pex!.ratio).toBe(1);
    expect(uv!.wall).toBeUndefined();
    expect(uv!.ratio).toBeUndefined();
  });

  it('prints one row per contender with figures, and says what was skipped or failed and why', () => {
    const text = renderTable(
      report([
        w,
        {
          id: 'torch-start-warm',
          title: 'torch-start-warm',
          reference: '',
          notes: [],
          contenders: [],
          skipped: 'needs --torch-cuda',
        },
      ]),
    );
    const lines = text.split('\n');
    const row = (label: string) => lines.find((l) => l.startsWith(`  ${label}`))!;
    expect(
      row('nx-pex ')
        .split(/\s{2,}/)
        .filter(Boolean),
    ).toEqual(['nx-pex', '3', '1.00 s', '2.00 s', '3.00 s', '0.25×', '1.00 s', '0.50×', '100 MiB', '2.00×']);
    expect(row('pex CLI (ref)')).toContain('1.00×');
    expect(row('uv ')).toContain('skipped');
    expect(text).toContain('skipped uv: uv could not be installed');
    expect(text).toContain('failed nx build: exit code 1: boom');
    expect(text).toContain('nx-pex: 1.3 MiB written');
    expect(text).toContain('note: same pins for everyone');
    expect(text).toContain('skipped: needs --torch-cuda');
    expect(text).toContain('uv 0.1 (NOT INSTALLED: skipped)');
    expect(text).toContain('find-links: /wheels');
    expect(text).toContain('load average 0.5 at start, 1.3 at end');
    expect(text).toContain('build-noop: no-op rebuild [load average 3.3]');
    expect(renderTable(report([{ ...w, perUnit: { count: 4, unit: 'project' } }]))).toContain(
      'nx-pex: per project (median / 4): 500 ms wall, 250 ms CPU',
    );
  });

  it('aligns the figure columns of every contender row', () => {
    const lines = renderTable(report([w]))
      .split('\n')
      .filter((l) => /^ {2}\S/.test(l) && / \d+(\.\d+)? (ms|s)\b/.test(l));
    const ends = new Set(lines.map((l) => (l.indexOf(' s ') >= 0 ? l.search(/\d\.\d\d s {2}/) : -1)));
    expect(lines.length).toBe(2);
    expect(ends.size).toBe(1);
  });
});
