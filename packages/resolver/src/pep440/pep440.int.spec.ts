import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currentPackaging,
  describeOracle,
  differentialCases,
  Disagreements,
  oracles,
  runOracleBatched,
  type Oracle,
  maybeInvalidVersion,
  specifierSetText,
  versionText,
} from '@nx-pex/tools';
import { SpecifierSet } from './specifier.js';
import { Version } from './version.js';

// Differential tests against packaging.version / packaging.specifiers (the pinned release from the
// index, see packaging-oracle.ts), batched: one Python per 100k cases. Cases per run: differentialCases()
// (100k; NX_PEX_LONG=1: 1M; NX_PEX_DIFF_CASES) shared out as 30% version parses, 20% comparisons,
// 50% (specifier set, version) pairs, each asked with prereleases unset, true and false.
const oracle = await currentPackaging();
const [vendored] = await oracles({ vendoredOnly: true });
const SEED = Number(process.env.NX_PEX_FC_SEED ?? 440);
const N = differentialCases();
const TIMEOUT = Math.max(120_000, N * 3);

const PARSE_SCRIPT = `
from pip._vendor.packaging.version import Version, InvalidVersion
out = []
for s in json.load(sys.stdin):
    try:
        v = Version(s)
        out.append([str(v), v.is_prerelease, v.is_postrelease, v.public, v.base_version])
    except InvalidVersion:
        out.append(None)
print(json.dumps(out))
`;

const COMPARE_SCRIPT = `
from pip._vendor.packaging.version import Version
out = []
for a, b in json.load(sys.stdin):
    x, y = Version(a), Version(b)
    out.append((x > y) - (x < y))
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
            x = Version(v)
            row.append([s.contains(x), s.contains(x, prereleases=True), s.contains(x, prereleases=False)])
        except Exception as e:
            row.append("error: " + type(e).__name__)
    out.append([str(s), bool(s.prereleases), row])
print(json.dumps(out))
`;

type Parsed = [string, boolean, boolean, string, string] | null;

function parseOurs(s: string): Parsed {
  const v = Version.tryParse(s);
  return v ? [v.toString(), v.isPrerelease, v.isPostrelease, v.public, v.baseVersion.toString()] : null;
}

function log(line: string): void {
  console.log(`[pep440 differential] ${line}`);
}

describe(`PEP 440 against ${describeOracle(oracle)}`, () => {
  log(`comparing against ${describeOracle(oracle)}; ${N} cases`);

  it(
    'parses and normalises versions exactly like packaging.version.Version',
    async () => {
      const inputs = fc.sample(maybeInvalidVersion, { numRuns: Math.round(N * 0.3), seed: SEED });
      const expected = await runOracleBatched<string, Parsed>(oracle, PARSE_SCRIPT, inputs);
      const diff = new Disagreements();
      inputs.forEach((s, i) => diff.check(s, parseOurs(s), expected[i]));
      log(diff.summary('version parse'));
      expect(diff.count, diff.summary('version parse')).toBe(0);
      expect(expected.filter(Boolean).length).toBeGreaterThan(inputs.length / 4); // the generator mostly makes valid versions
    },
    TIMEOUT,
  );

  it(
    'orders versions exactly like packaging',
    async () => {
      const validPool = fc.sample(versionText, { numRuns: 2_000, seed: SEED + 1 });
      const pairs = fc.sample(fc.tuple(fc.constantFrom(...validPool), fc.constantFrom(...validPool)), {
        numRuns: Math.round(N * 0.2),
        seed: SEED + 2,
      });
      const expected = await runOracleBatched<[string, string], number>(oracle, COMPARE_SCRIPT, pairs);
      const diff = new Disagreements();
      pairs.forEach(([a, b], i) =>
        diff.check([a, b], Math.sign(Version.parse(a).compare(Version.parse(b))), expected[i]),
      );
      log(diff.summary('version order'));
      expect(diff.count, diff.summary('version order')).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'evaluates specifier sets exactly like packaging.specifiers.SpecifierSet (prereleases unset, true, false)',
    async () => {
      const versions = fc.sample(versionText, { numRuns: 400, seed: SEED + 3 }).map((v) => v.trim());
      const PER_SET = 10;
      const specs = fc.sample(specifierSetText, { numRuns: Math.round((N * 0.5) / 8), seed: SEED + 4 });
      // Candidates near each specifier's own versions make boundary cases likely.
      const cases = specs.map((spec, i) => {
        const own = [...spec.matchAll(/[0-9][^,\s*]*/g)].flatMap((m) => {
          const v = Version.tryParse(m[0].replace(/\.$/, ''));
          return v
            ? [
                v.toString(),
                v.replace({ dev: 0n }).toString(),
                v.replace({ post: (v.post ?? 0n) + 1n }).toString(),
                `${v.baseVersion}rc1`,
              ]
            : [];
        });
        return [
          spec,
          [...own, ...versions.slice((i * 7) % 390, ((i * 7) % 390) + PER_SET)].filter((v) => Version.tryParse(v)),
        ] as [string, string[]];
      });
      const expected = await runOracleBatched<
        [string, string[]],
        [string, boolean, ([boolean, boolean, boolean] | string)[]] | null
      >(oracle, SPEC_SCRIPT, cases, 5_000);
      const diff = new Disagreements();
      let pairs = 0;
      cases.forEach(([spec, vs], i) => {
        let set: SpecifierSet;
        try {
          set = new SpecifierSet(spec);
        } catch {
          diff.check(spec, null, expected[i]);
          return;
        }
        pairs += vs.length;
        const want = expected[i];
        diff.check(spec, [set.toString(), Boolean(set.prereleases)], want && want.slice(0, 2));
        vs.forEach((v, j) => {
          const x = Version.parse(v);
          diff.check([spec, v], [set.contains(x), set.contains(x, true), set.contains(x, false)], want?.[2][j]);
        });
      });
      log(`${diff.summary('specifier sets')} (${pairs} (set, version) pairs, 3 answers each)`);
      expect(diff.count, diff.summary('specifier sets')).toBe(0);
      expect(pairs).toBeGreaterThan(N * 0.4);
      expect(expected.filter(Boolean).length).toBeGreaterThan(cases.length / 5);
    },
    TIMEOUT,
  );

  // Extra check: pip's vendored packaging (what pip on this machine runs) parses versions the same way.
  it.runIf(vendored)(
    "parses versions like pip's vendored packaging too",
    async () => {
      const inputs = fc.sample(maybeInvalidVersion, { numRuns: 5_000, seed: SEED + 5 });
      const expected = await runOracleBatched<string, Parsed>(vendored as Oracle, PARSE_SCRIPT, inputs);
      const diff = new Disagreements();
      inputs.forEach((s, i) => diff.check(s, parseOurs(s), expected[i]));
      log(diff.summary(`version parse vs pip-vendored packaging ${vendored!.packagingVersion}`));
      expect(diff.count, diff.summary('version parse (vendored)')).toBe(0);
    },
    TIMEOUT,
  );
});
