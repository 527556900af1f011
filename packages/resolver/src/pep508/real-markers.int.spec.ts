import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { currentPackaging, describeOracle, Disagreements, runOracle } from '@nx-pex/tools';
import { Marker, type MarkerEnvironment } from './marker.js';

// Markers from the metadata of real distributions (collected by tools/scripts/collect-markers.mjs,
// committed: this test needs no index) evaluated in three target environments, each with no extra
// and with every extra the marker names, against the pinned packaging.
const oracle = await currentPackaging();
const data = JSON.parse(readFileSync(new URL('../../../../tools/data/real-markers.json', import.meta.url), 'utf8')) as {
  markers: { marker: string; projects: string[] }[];
};

const common = { implementation_name: 'cpython', platform_python_implementation: 'CPython' };
const ENVS: Record<string, MarkerEnvironment> = {
  'linux x86_64 CPython 3.12': {
    ...common,
    python_version: '3.12',
    python_full_version: '3.12.8',
    implementation_version: '3.12.8',
    os_name: 'posix',
    sys_platform: 'linux',
    platform_system: 'Linux',
    platform_machine: 'x86_64',
    platform_release: '6.1.0-18-amd64',
    platform_version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)',
  },
  'macOS arm64 CPython 3.9': {
    ...common,
    python_version: '3.9',
    python_full_version: '3.9.18',
    implementation_version: '3.9.18',
    os_name: 'posix',
    sys_platform: 'darwin',
    platform_system: 'Darwin',
    platform_machine: 'arm64',
    platform_release: '23.4.0',
    platform_version:
      'Darwin Kernel Version 23.4.0: Fri Mar 15 00:10:42 PDT 2024; root:xnu-10063.101.17~1/RELEASE_ARM64_T6000',
  },
  'windows AMD64 CPython 3.13': {
    ...common,
    python_version: '3.13',
    python_full_version: '3.13.1',
    implementation_version: '3.13.1',
    os_name: 'nt',
    sys_platform: 'win32',
    platform_system: 'Windows',
    platform_machine: 'AMD64',
    platform_release: '11',
    platform_version: '10.0.22631',
  },
};

/** No extra, then each extra the marker compares with. */
function extrasOf(marker: string): string[] {
  return ['', ...new Set([...marker.matchAll(/extra\s*==\s*(['"])([^'"]*)\1/g)].map((m) => m[2]!))];
}

const SCRIPT = `
from pip._vendor.packaging.markers import Marker
data = json.load(sys.stdin)
out = []
for marker, extras in data["cases"]:
    row = []
    for env in data["envs"]:
        for e in extras:
            try:
                row.append(Marker(marker).evaluate(dict(env, extra=e)))
            except Exception as x:
                row.append("error")
    out.append(row)
print(json.dumps(out))
`;

describe(`real markers against ${describeOracle(oracle)}`, () => {
  it(`evaluates the ${data.markers.length} collected markers like packaging in ${Object.keys(ENVS).join(', ')}`, async () => {
    const cases = data.markers.map(({ marker }) => [marker, extrasOf(marker)] as const);
    const envs = Object.values(ENVS);
    const expected = await runOracle<(boolean | 'error')[][]>(oracle, SCRIPT, { cases, envs });
    const diff = new Disagreements();
    cases.forEach(([marker, extras], i) => {
      const parsed = Marker.parse(marker);
      const actual = envs.flatMap((env) =>
        extras.map((extra) => {
          try {
            return parsed.evaluate({ ...env, extra });
          } catch {
            return 'error';
          }
        }),
      );
      diff.check(marker, actual, expected[i]);
    });
    console.log(
      `[real markers] ${diff.summary(`${cases.length} markers × ${envs.length} environments × their extras`)}`,
    );
    expect(diff.count, diff.summary('real markers')).toBe(0);
    expect(cases.length).toBeGreaterThan(100);
    // Real markers evaluate to both answers in each environment (the data is not degenerate), and never fail.
    expect(expected.flat()).toContain(true);
    expect(expected.flat()).toContain(false);
    expect(expected.flat()).not.toContain('error');
  });
});
