import { describe, expect, it } from 'vitest';
import { renderFamilies, summarizeFamilies } from './families.js';
import { finishWorkload, type WorkloadResult } from './report.js';

/** A resolve-sets workload whose resolver and uv took `ours` and `uv` ms (wall; CPU half of it). */
function setWorkload(temp: string, member: string, ours: number[], uv: number[]): WorkloadResult {
  const samples = (ms: number[]) => ms.map((wallMs) => ({ wallMs, cpuMs: wallMs / 2, maxRssKb: 1000 }));
  return finishWorkload({
    id: `resolve-sets-${temp}-${member}`,
    title: member,
    reference: 'uv',
    notes: [],
    family: { id: `resolve-sets-${temp}`, title: `the sets, ${temp}`, member, goal: 2 },
    contenders: [
      { id: 'resolver', label: 'resolver', samples: samples(ours) },
      { id: 'uv', label: 'uv', samples: samples(uv) },
    ],
  });
}

describe('family summaries', () => {
  const workloads: WorkloadResult[] = [
    setWorkload('cold', 'flask', [1000, 3000], [1000, 1000]), // 2× exactly: not above the goal
    setWorkload('cold', 'scrapy', [4500], [1000]),
    setWorkload('cold', 'django', [500], [1000]),
    {
      ...setWorkload('cold', 'sphinx', [], [1000]),
      contenders: [
        { id: 'resolver', label: 'resolver', samples: [], failed: 'exit code 1' },
        { id: 'uv', label: 'uv', samples: [] },
      ],
    },
    setWorkload('warm', 'flask', [300], [100]),
    { id: 'cli-help', title: 'no family', reference: 'node', notes: [], contenders: [] },
  ];

  it('groups by family in run order; median and worst ratio; the members above the goal, worst first', () => {
    const [cold, warm, ...rest] = summarizeFamilies(workloads);
    expect(rest).toEqual([]);
    expect(cold).toMatchObject({
      id: 'resolve-sets-cold',
      reference: 'uv',
      goal: 2,
      wall: { median: 2, worst: 4.5, worstMember: 'scrapy', overGoal: [{ member: 'scrapy', ratio: 4.5 }] },
      cpu: { median: 2, worst: 4.5 },
    });
    expect(cold!.members.map((m) => m.member)).toEqual(['flask', 'scrapy', 'django', 'sphinx']);
    expect(cold!.members[0]).toMatchObject({ wallMs: 2000, refWallMs: 1000, ratio: 2, cpuRatio: 2 });
    expect(cold!.members[3]).toEqual({ member: 'sphinx', missing: 'resolver failed, uv has no runs' });
    expect(warm).toMatchObject({ id: 'resolve-sets-warm', wall: { median: 3, worstMember: 'flask' } });
  });

  it('renders a line per member and the spread lines the closing note quotes', () => {
    const text = renderFamilies(summarizeFamilies(workloads)).join('\n');
    expect(text).toContain('resolve-sets-cold: the sets, cold');
    expect(text).toMatch(/scrapy\s+4\.50 s\s+1\.00 s\s+4\.50×/);
    expect(text).toContain('wall ratio: median 2.00×, worst 4.50× (scrapy); above 2×: 1 of 3 (scrapy 4.50×)');
    expect(text).toContain('sphinx  resolver failed, uv has no runs');
    expect(text).toContain('1 of 4 without figures');
    expect(text).toContain('wall ratio: median 3.00×, worst 3.00× (flask); above 2×: 1 of 1 (flask 3.00×)');
  });

  it('nothing without families', () => {
    expect(renderFamilies(summarizeFamilies([workloads.at(-1)!]))).toEqual([]);
  });
});
