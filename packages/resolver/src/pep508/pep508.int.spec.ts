import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsEmptyArbitraryEquality, diffCases, EMPTY_ARBITRARY_EQUALITY, oracles, runOracle } from '../testing/packaging-oracle.js';
import { EMPTY_OPERATOR_REQUIREMENTS, markerText, requirementText } from '../testing/pep508-arbitraries.js';
import { Marker } from './marker.js';
import { Requirement } from './requirement.js';

// Differential tests against packaging.requirements / packaging.markers, one Python per batch.
const [oracle] = await oracles();
const SEED = Number(process.env.NX_PEX_FC_SEED ?? 508);
const N = diffCases(16_000);
const ENV = {
  python_version: '3.11', python_full_version: '3.11.7', os_name: 'posix', sys_platform: 'linux', platform_release: '6.5.0',
  platform_system: 'Linux', platform_version: '#1 SMP', platform_machine: 'x86_64', platform_python_implementation: 'CPython',
  implementation_name: 'cpython', implementation_version: '3.11.7',
};
const EXTRAS = ['', 'security', 'foo-bar'];

const SCRIPT = `
from pip._vendor.packaging.requirements import Requirement, InvalidRequirement
from pip._vendor.packaging.markers import Marker, InvalidMarker
from pip._vendor.packaging.specifiers import InvalidSpecifier
data = json.load(sys.stdin)
env, extras = data["env"], data["extras"]
def evaluate(m):
    out = []
    for e in extras:
        try:
            out.append(m.evaluate(dict(env, extra=e)))
        except Exception:
            out.append("error")
    return out
reqs = []
for s in data["requirements"]:
    try:
        r = Requirement(s)
    except (InvalidRequirement, InvalidSpecifier):
        reqs.append(None)
        continue
    reqs.append([r.name, sorted(r.extras), str(r.specifier), r.url, evaluate(r.marker) if r.marker else None])
markers = []
for s in data["markers"]:
    try:
        markers.append(evaluate(Marker(s)))
    except InvalidMarker:
        markers.append(None)
print(json.dumps({"requirements": reqs, "markers": markers}))
`;

function evaluate(m: Marker): (boolean | 'error')[] {
  return EXTRAS.map((extra) => {
    try {
      return m.evaluate({ ...ENV, extra });
    } catch {
      return 'error';
    }
  });
}

describe.runIf(oracle)('PEP 508 against packaging', () => {
  it('parses requirements and evaluates their markers like packaging', async () => {
    const requirements = [...EMPTY_OPERATOR_REQUIREMENTS, ...fc.sample(requirementText, { numRuns: Math.round(N * 0.2), seed: SEED })];
    const markers = fc.sample(markerText, { numRuns: Math.round(N * 0.2), seed: SEED + 1 });
    // packaging < 26 accepted an empty `===` (and compared `=== ""` as a version); we follow packaging 26.
    const oldPackaging = acceptsEmptyArbitraryEquality(oracle!);
    const divergent = (s: string) => oldPackaging && (EMPTY_ARBITRARY_EQUALITY.test(s) || /===\s*extra\b/.test(s));
    const expected = await runOracle<{ requirements: unknown[]; markers: unknown[] }>(oracle!, SCRIPT, { env: ENV, extras: EXTRAS, requirements, markers });
    requirements.forEach((s, i) => {
      let actual: unknown;
      try {
        const r = Requirement.parse(s);
        actual = [r.name, [...r.extras].sort(), r.specifier.toString(), r.url ?? null, r.marker ? evaluate(r.marker) : null];
      } catch {
        actual = null;
      }
      if (EMPTY_OPERATOR_REQUIREMENTS.includes(s)) expect(actual, s).toBeNull();
      else if (!divergent(s)) expect(actual, s).toEqual(expected.requirements[i]);
    });
    markers.forEach((s, i) => {
      let actual: unknown;
      try {
        actual = evaluate(Marker.parse(s));
      } catch {
        actual = null;
      }
      if (!divergent(s)) expect(actual, s).toEqual(expected.markers[i]);
    });
    expect(expected.requirements.filter(Boolean).length).toBeGreaterThan(requirements.length / 6);
    expect(expected.markers.filter(Boolean).length).toBeGreaterThan(markers.length / 3);
  });
});
