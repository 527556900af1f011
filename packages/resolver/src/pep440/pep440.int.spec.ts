import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acceptsEmptyArbitraryEquality, diffCases, EMPTY_ARBITRARY_EQUALITY, oracles, runOracle } from '../testing/packaging-oracle.js';
import { maybeInvalidVersion, specifierSetText, versionText } from '../testing/pep440-arbitraries.js';
import { SpecifierSet } from './specifier.js';
import { Version } from './version.js';

// Differential tests against packaging.version / packaging.specifiers, batched: one Python per suite.
const [oracle] = await oracles();
const SEED = Number(process.env.NX_PEX_FC_SEED ?? 440);
// NX_PEX_DIFF_CASES is the total over versions, specifiers, markers and tags (see tags-generated.int.spec.ts).
const N = diffCases(16_000);

const VERSION_SCRIPT = `
from pip._vendor.packaging.version import Version, InvalidVersion
out = {"parse": [], "compare": []}
data = json.load(sys.stdin)
for s in data["parse"]:
    try:
        v = Version(s)
        out["parse"].append([str(v), v.is_prerelease, v.is_postrelease, v.public, v.base_version])
    except InvalidVersion:
        out["parse"].append(None)
for a, b in data["compare"]:
    x, y = Version(a), Version(b)
    out["compare"].append((x > y) - (x < y))
print(json.dumps(out))
`;

const SPEC_SCRIPT = `
from pip._vendor.packaging.specifiers import SpecifierSet, InvalidSpecifier
from pip._vendor.packaging.version import Version
out = []
for spec, versions in json.load(sys.stdin):
    try:
        s = SpecifierSet(spec)
    except InvalidSpecifier:
        out.append(None)
        continue
    row = []
    for v in versions:
        try:
            row.append([s.contains(Version(v)), s.contains(Version(v), prereleases=True)])
        except Exception as e:
            row.append(str(e))
    out.append(row)
print(json.dumps(out))
`;

describe.runIf(oracle)('PEP 440 against packaging', () => {
  it('parses and normalises versions exactly like packaging.version.Version', async () => {
    const inputs = fc.sample(maybeInvalidVersion, { numRuns: Math.round(N * 0.25), seed: SEED });
    const validPool = fc.sample(versionText, { numRuns: 600, seed: SEED + 1 });
    const pairs = fc.sample(fc.tuple(fc.constantFrom(...validPool), fc.constantFrom(...validPool)), { numRuns: Math.round(N * 0.15), seed: SEED + 2 });
    const expected = await runOracle<{ parse: ([string, boolean, boolean, string, string] | null)[]; compare: number[] }>(oracle!, VERSION_SCRIPT, { parse: inputs, compare: pairs });
    const actual = inputs.map((s) => {
      const v = Version.tryParse(s);
      return v ? [v.toString(), v.isPrerelease, v.isPostrelease, v.public, v.baseVersion.toString()] : null;
    });
    expect(actual).toEqual(expected.parse);
    expect(expected.parse.filter(Boolean).length).toBeGreaterThan(inputs.length / 4); // the generator mostly makes valid versions
    expect(pairs.map(([a, b]) => Math.sign(Version.parse(a).compare(Version.parse(b))))).toEqual(expected.compare);
  });

  it('evaluates specifier sets exactly like packaging.specifiers.SpecifierSet', async () => {
    const versions = fc.sample(versionText, { numRuns: 300, seed: SEED + 3 }).map((v) => v.trim());
    const specs = fc.sample(specifierSetText, { numRuns: Math.round(N * 0.15), seed: SEED + 4 });
    // Candidates near each specifier's own versions make boundary cases likely.
    const cases = specs.map((spec, i) => {
      const own = [...spec.matchAll(/[0-9][^,\s*]*/g)].map((m) => m[0].replace(/\.$/, ''));
      return [spec, [...own, ...versions.slice((i * 7) % 280, ((i * 7) % 280) + 20)].filter((v) => Version.tryParse(v))] as [string, string[]];
    });
    const expected = await runOracle<([boolean, boolean] | string)[][] | null[]>(oracle!, SPEC_SCRIPT, cases);
    const actual = cases.map(([spec, vs]) => {
      let set: SpecifierSet;
      try {
        set = new SpecifierSet(spec);
      } catch {
        return null;
      }
      return vs.map((v) => [set.contains(Version.parse(v)), set.contains(Version.parse(v), true)]);
    });
    const oldPackaging = acceptsEmptyArbitraryEquality(oracle!);
    for (let i = 0; i < cases.length; i++) {
      let want = expected[i];
      // packaging < 26 accepted an empty `===`; we follow packaging 26, which rejects it.
      if (oldPackaging && EMPTY_ARBITRARY_EQUALITY.test(cases[i]![0])) want = null;
      // packaging raises InvalidVersion from `prereleases` for `===<not a version>`; PEP 440 says
      // `===` is plain string equality, which is what we do. Only those rows are skipped.
      const packagingRaised = Array.isArray(want) && want.some((x) => typeof x === 'string');
      if (packagingRaised) expect(cases[i]![0]).toContain('===');
      else expect(actual[i], JSON.stringify(cases[i])).toEqual(want);
    }
    expect(expected.filter(Boolean).length).toBeGreaterThan(cases.length / 5);
    expect(cases.filter(([spec]) => EMPTY_ARBITRARY_EQUALITY.test(spec)).length).toBeGreaterThan(0);
  });
});
