import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currentPackaging, describeOracle, differentialCases, Disagreements, runOracleBatched } from '@nx-pex/tools';
import { EMPTY_OPERATOR_REQUIREMENTS, markerText, requirementText } from '../testing/pep508-arbitraries.js';
import { Marker, type MarkerEnvironment } from './marker.js';
import { Requirement } from './requirement.js';

// Differential tests against packaging.requirements / packaging.markers (the pinned release from the
// index, see packaging-oracle.ts), one Python per 100k inputs. Cases per run: differentialCases()
// (100k; NX_PEX_LONG=1: 1M; NX_PEX_DIFF_CASES), half markers and half requirements; every marker is
// evaluated in each environment below with each extra.
const oracle = await currentPackaging();
const SEED = Number(process.env.NX_PEX_FC_SEED ?? 508);
const N = differentialCases();
const TIMEOUT = Math.max(120_000, N * 3);

const LINUX = {
  python_version: '3.11',
  python_full_version: '3.11.7',
  os_name: 'posix',
  sys_platform: 'linux',
  platform_release: '6.5.0',
  platform_system: 'Linux',
  platform_version: '#1 SMP',
  platform_machine: 'x86_64',
  platform_python_implementation: 'CPython',
  implementation_name: 'cpython',
  implementation_version: '3.11.7',
};
/** Odd but real: a Debian kernel release and an untagged CPython build (`3.13.0+`), neither a PEP 440 version. */
const DEBIAN = {
  ...LINUX,
  platform_release: '6.1.0-18-amd64',
  platform_version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)',
  python_version: '3.13',
  python_full_version: '3.13.0+',
  implementation_version: '3.13.0',
};
const WINDOWS = {
  python_version: '3.13',
  python_full_version: '3.13.1',
  os_name: 'nt',
  sys_platform: 'win32',
  platform_release: '11',
  platform_system: 'Windows',
  platform_version: '10.0.22631',
  platform_machine: 'AMD64',
  platform_python_implementation: 'CPython',
  implementation_name: 'cpython',
  implementation_version: '3.13.1',
};
/** What `platform` reports when it cannot tell: empty strings. */
const EMPTY = Object.fromEntries(Object.keys(LINUX).map((k) => [k, ''])) as Record<keyof typeof LINUX, string>;
const ENVS: MarkerEnvironment[] = [LINUX, DEBIAN, WINDOWS, EMPTY];
const EXTRAS = ['', 'security', 'Foo.Bar'];

const PRELUDE = `
from pip._vendor.packaging.requirements import Requirement, InvalidRequirement
from pip._vendor.packaging.markers import Marker, InvalidMarker
from pip._vendor.packaging.specifiers import InvalidSpecifier
ENVS = ${JSON.stringify(ENVS)}
EXTRAS = ${JSON.stringify(EXTRAS)}
import pip._vendor.packaging.markers as markers
# packaging >= 26.4: prepare each environment once (what evaluate() does on every call).
prepared = hasattr(markers, "prepare_environment")
PREPARED = [[markers.prepare_environment(dict(env, extra=e)) if prepared else dict(env, extra=e) for e in EXTRAS] for env in ENVS]
def evaluate(m, n):
    out = []
    for envs in PREPARED[:n]:
        for env in envs:
            try:
                out.append(m.evaluate_prepared(env) if prepared else m.evaluate(env))
            except Exception:
                out.append("error")
    return out
`;

const MARKER_SCRIPT = `${PRELUDE}
out = []
for s in json.load(sys.stdin):
    try:
        out.append(evaluate(Marker(s), len(ENVS)))
    except InvalidMarker:
        out.append(None)
print(json.dumps(out))
`;

const REQUIREMENT_SCRIPT = `${PRELUDE}
out = []
for s in json.load(sys.stdin):
    try:
        r = Requirement(s)
    except (InvalidRequirement, InvalidSpecifier):
        out.append(None)
        continue
    out.append([r.name, sorted(r.extras), str(r.specifier), r.url, evaluate(r.marker, 2) if r.marker else None])
print(json.dumps(out))
`;

function evaluate(m: Marker, envs: MarkerEnvironment[]): (boolean | 'error')[] {
  return envs.flatMap((env) =>
    EXTRAS.map((extra) => {
      try {
        return m.evaluate({ ...env, extra });
      } catch {
        return 'error' as const;
      }
    }),
  );
}

function log(line: string): void {
  console.log(`[pep508 differential] ${line}`);
}

describe(`PEP 508 against ${describeOracle(oracle)}`, () => {
  log(`comparing against ${describeOracle(oracle)}; ${N} cases`);

  it(
    `parses markers and evaluates them in ${ENVS.length} environments × ${EXTRAS.length} extras like packaging`,
    async () => {
      // Parentheses around packaging's nesting limit (200) too.
      const nested = [150, 200, 201].map((n) => `${'('.repeat(n)}python_version >= "3"${')'.repeat(n)}`);
      const markers = [...nested, ...fc.sample(markerText, { numRuns: Math.round(N * 0.5), seed: SEED + 1 })];
      const answers = runOracleBatched<string, unknown>(oracle, MARKER_SCRIPT, markers); // runs beside ours
      const actual = markers.map((s) => {
        try {
          return evaluate(Marker.parse(s), ENVS);
        } catch {
          return null;
        }
      });
      const expected = await answers;
      const diff = new Disagreements();
      markers.forEach((s, i) => diff.check(s, actual[i], expected[i]));
      const valid = expected.filter(Boolean).length;
      log(`${diff.summary('markers')} (${valid} valid, ${valid * ENVS.length * EXTRAS.length} evaluations)`);
      expect(diff.count, diff.summary('markers')).toBe(0);
      expect(valid).toBeGreaterThan(markers.length / 3);
      // The odd environments are exercised: some markers evaluate differently there.
      const differs = expected.filter(
        (row) => Array.isArray(row) && JSON.stringify(row.slice(0, 3)) !== JSON.stringify(row.slice(3, 6)),
      ).length;
      expect(differs).toBeGreaterThan(markers.length / 200);
    },
    TIMEOUT,
  );

  it(
    'parses requirements (name, extras, specifier, URL, marker) like packaging',
    async () => {
      const requirements = [
        ...EMPTY_OPERATOR_REQUIREMENTS,
        ...fc.sample(requirementText, { numRuns: Math.round(N * 0.5), seed: SEED }),
      ];
      const answers = runOracleBatched<string, unknown>(oracle, REQUIREMENT_SCRIPT, requirements); // runs beside ours
      const actual = requirements.map((s) => {
        try {
          const r = Requirement.parse(s);
          return [
            r.name,
            [...r.extras].sort(),
            r.specifier.toString(),
            r.url ?? null,
            r.marker ? evaluate(r.marker, ENVS.slice(0, 2)) : null,
          ];
        } catch {
          return null;
        }
      });
      const expected = await answers;
      const diff = new Disagreements();
      requirements.forEach((s, i) => diff.check(s, actual[i], expected[i]));
      log(diff.summary('requirements'));
      expect(diff.count, diff.summary('requirements')).toBe(0);
      expect(expected.filter(Boolean).length).toBeGreaterThan(requirements.length / 6);
    },
    TIMEOUT,
  );
});
