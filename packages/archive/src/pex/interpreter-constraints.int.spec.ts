// Differential tests of the interpreter-constraint checks against packaging (the release the
// resolver's PEP 440 suites pin, installed by the resolver's oracle; test-only import):
//  - the runtime (runtime/nx_pex_runtime/specifiers.py, run by the oldest and the newest CPython found)
//    decides generated constraints × interpreter versions (pre-releases like 3.13.0rc1, +local builds)
//    like `SpecifierSet(...).contains(version, prereleases=True)`, and rejects the same invalid sets;
//  - "can any CPython X.Y.Z or X.Y.Z{a,b,rc}N match?" — the runtime's interval answer and the build's (allowsCPython with the resolver's SpecifierSet, as nx-pex passes it) — against
//    packaging asked about every version of a grid that covers the generated numbers.
import { execFile } from 'node:child_process';
import { SpecifierSet } from '@nx-pex/resolver';
import {
  findPythons,
  currentPackaging,
  describeOracle,
  Disagreements,
  runOracle,
  specifierSetText,
} from '@nx-pex/tools';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RUNTIME_DIR } from '../bootstrap/runtime-files.js';
import { allowsCPython } from './interpreter-constraints.js';

const oracle = await currentPackaging();
const pythons = (await findPythons()).found;
const SEED = Number(process.env.NX_PEX_FC_SEED ?? 440);
const CONTAINS_CASES = 40_000;
const SERIES_CONSTRAINTS = 600;

// pex's constraint form (our wrapper, the same on both sides): an optional implementation prefix.
const SPLIT = `
def split(constraint):
    text = constraint.strip()
    end = 0
    while end < len(text) and text[end].isascii() and text[end].isalpha():
        end += 1
    return text[:end], text[end:]
`;

const ORACLE_CONTAINS = `${SPLIT}
from pip._vendor.packaging.specifiers import SpecifierSet, InvalidSpecifier
out = []
for constraint, version in json.load(sys.stdin):
    name, rest = split(constraint)
    try:
        s = SpecifierSet(rest)
    except InvalidSpecifier:
        out.append([False, False])
        continue
    out.append([True, (not name or name.lower() == "cpython") and s.contains(version, prereleases=True)])
print(json.dumps(out))
`;

const RUNTIME_CONTAINS = `
import json, sys
sys.path.insert(0, sys.argv[1])
from nx_pex_runtime.specifiers import contains, parse_constraint
print(json.dumps([[parse_constraint(c) is not None, contains(c, "CPython", v)] for c, v in json.load(sys.stdin)]))
`;

function runRuntime<T>(python: string, script: string, input: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = execFile(python, ['-c', script, RUNTIME_DIR], { maxBuffer: 1 << 28 }, (error, stdout, stderr) =>
      error ? reject(new Error(stderr || String(error))) : resolve(JSON.parse(stdout) as T),
    );
    child.stdin?.end(JSON.stringify(input));
  });
}

const num = (max: number) => fc.integer({ min: 0, max }).map(String);
/** Interpreter versions as CPython reports them (3.13.0rc1), some with a +local label (a patched build). */
const interpreterVersion = fc
  .tuple(
    fc.constantFrom('3', '3', '3', '2', '4'),
    fc.oneof(num(30), fc.integer({ min: 8, max: 15 }).map(String)),
    fc.oneof(num(30), num(8)),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('a', 'b', 'rc'), num(5)).map(([k, n]) => k + n) },
    ),
    fc.oneof(
      { weight: 4, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.constantFrom('+local', '+abc.5', '+1', '+ubuntu-2') },
    ),
  )
  .map(([major, minor, patch, pre, local]) => `${major}.${minor}.${patch}${pre}${local}`);
const implementation = fc.constantFrom('', '', '', 'CPython', 'cpython', 'PyPy');

/** Generated pex constraints (half in every PEP 440 spelling and invalid ones, from the resolver's arbitraries; half CPython-shaped, below), each with an interpreter version. */
function containsCases(): [string, string][] {
  const constraint = fc
    .tuple(
      implementation,
      specifierSetText.filter((text) => text.trim() !== ''),
    )
    .map(([name, set]) => `${name}${set}`);
  const fixed: [string, string][] = [
    ['CPython>=3.8,<4', '3.13.0rc1'],
    ['<3.13', '3.13.0rc1'],
    ['>=3.13', '3.13.0rc1'],
    ['==3.13.*', '3.13.0a1'],
    ['>3.12', '3.12.0+local'],
    ['==3.12.1', '3.12.1+abc.5'],
    ['==3.12.1+abc.5', '3.12.1+abc.5'],
    ['<=3.12.1', '3.12.1+local'],
    ['~=3.12.1', '3.13.0b1'],
    ['!=3.12.*', '3.12.0rc2'],
    ['===3.12.1', '3.12.1+local'],
  ];
  const half = Math.floor((CONTAINS_CASES - fixed.length) / 2);
  return [
    ...fixed,
    ...fc.sample(fc.tuple(constraint, interpreterVersion), { seed: SEED, numRuns: half }),
    ...fc.sample(fc.tuple(cpythonConstraint, interpreterVersion), {
      seed: SEED + 1,
      numRuns: CONTAINS_CASES - fixed.length - half,
    }),
  ];
}

// CPython-shaped constraints over small numbers, so that a finite grid decides "some X.Y.* matches".
const clauseVersion = fc
  .tuple(
    fc.constantFrom('3', '3', '3', '3', '2', '4'),
    fc.array(num(6), { minLength: 0, maxLength: 3 }),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant('') },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('a', 'b', 'rc', 'c', 'alpha', '-beta', '.rc'), num(3))
          .map(([k, n]) => k + n),
      },
    ),
    fc.oneof(
      { weight: 5, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.constantFrom('.post1', '-2', '.dev0', '.dev3', '.post0.dev1') },
    ),
  )
  .map(([major, rest, pre, suffix]) => ({ release: [major, ...rest], tail: pre + suffix }));
const cpythonClause = fc
  .tuple(
    fc.constantFrom('==', '!=', '<=', '>=', '<', '>', '~=', '===', '==*', '!=*', '==+', '!=+'),
    clauseVersion,
    fc.constantFrom('+abc', '+1'),
  )
  .map(([op, { release, tail }, local]) => {
    const minorFirst = release.length === 1 ? [...release, '10'] : release; // minors near the series asked about
    const text = [minorFirst[0], String(9 + (Number(minorFirst[1]) % 6)), ...minorFirst.slice(2)].join('.');
    if (op === '==*' || op === '!=*') return `${op.slice(0, 2)}${text}.*`;
    if (op === '==+' || op === '!=+') return `${op.slice(0, 2)}${text}${tail}${local}`;
    return `${op}${text}${tail}`;
  });
const cpythonConstraint = fc
  .tuple(implementation, fc.array(cpythonClause, { minLength: 1, maxLength: 3 }))
  .map(([name, clauses]) => `${name}${clauses.join(',')}`);
const SERIES: [number, number][] = [
  [2, 7],
  [3, 8],
  [3, 9],
  [3, 10],
  [3, 11],
  [3, 12],
  [3, 13],
  [3, 14],
  [3, 15],
  [4, 0],
];

// For each constraint and series: does any CPython version of the grid (X.Y.Z, X.Y.Z{a,b,rc}N over
// the generated numbers and one past them) match? null: an invalid constraint.
const ORACLE_SERIES = `${SPLIT}
from pip._vendor.packaging.specifiers import SpecifierSet, InvalidSpecifier
constraints, series = json.load(sys.stdin)
PRE = [""] + [k + str(n) for k in ("a", "b", "rc") for n in range(5)]
out = []
for constraint in constraints:
    name, rest = split(constraint)
    try:
        s = SpecifierSet(rest)
    except InvalidSpecifier:
        out.append(None)
        continue
    ours = not name or name.lower() == "cpython"
    out.append([ours and any(s.contains("%d.%d.%d%s" % (a, b, patch, pre), prereleases=True) for patch in range(9) for pre in PRE) for a, b in series])
print(json.dumps(out))
`;

const RUNTIME_SERIES = `
import json, sys
sys.path.insert(0, sys.argv[1])
from nx_pex_runtime.specifiers import allows_series
constraints, series = json.load(sys.stdin)
print(json.dumps([[allows_series(c, "CPython", a, b) for a, b in series] for c in constraints]))
`;

const runtimePythons = pythons.length === 0 ? [] : [...new Set([pythons[0]!, pythons.at(-1)!])];

describe(`interpreter constraints against ${describeOracle(oracle)}`, () => {
  const cases = containsCases();
  const expected = runOracle<[boolean, boolean][]>(oracle, ORACLE_CONTAINS, cases);

  it.each(runtimePythons.map((python): [string, string] => [python.full, python.path]))(
    `runtime on CPython %s: ${CONTAINS_CASES} generated constraints × interpreter versions`,
    async (_full, python) => {
      const ours = await runRuntime<[boolean, boolean][]>(python, RUNTIME_CONTAINS, cases);
      const theirs = await expected;
      const disagreements = new Disagreements();
      cases.forEach((input, index) => disagreements.check(input, ours[index], theirs[index]));
      const valid = theirs.filter(([isValid]) => isValid).length;
      const matching = theirs.filter(([isValid, contains]) => isValid && contains).length;
      console.log(
        `${disagreements.summary('runtime contains (valid, contains)')}; ${valid} valid, ${matching} matching`,
      );
      expect(matching).toBeGreaterThan(CONTAINS_CASES / 20);
      expect(disagreements.count, disagreements.summary('runtime contains')).toBe(0);
    },
  );

  const constraints = fc.sample(cpythonConstraint, { seed: SEED, numRuns: SERIES_CONSTRAINTS });
  const grid = runOracle<(boolean[] | null)[]>(oracle, ORACLE_SERIES, [constraints, SERIES]);

  it.each(runtimePythons.map((python): [string, string] => [python.full, python.path]))(
    `runtime on CPython %s: can any X.Y.* match (${SERIES_CONSTRAINTS} constraints × ${SERIES.length} series)`,
    async (_full, python) => {
      const ours = await runRuntime<boolean[][]>(python, RUNTIME_SERIES, [constraints, SERIES]);
      const theirs = await grid;
      const disagreements = new Disagreements();
      constraints.forEach((constraint, index) =>
        SERIES.forEach((series, at) =>
          disagreements.check([constraint, series.join('.')], ours[index]![at], theirs[index]?.[at] ?? false),
        ),
      );
      console.log(disagreements.summary('runtime allows_series'));
      expect(theirs.flat().filter((answer) => answer === true).length).toBeGreaterThan(SERIES_CONSTRAINTS);
      expect(disagreements.count, disagreements.summary('runtime allows_series')).toBe(0);
    },
  );

  it(`build (allowsCPython with the resolver's SpecifierSet): can any X.Y.* match (${SERIES_CONSTRAINTS} constraints × ${SERIES.length} series)`, async () => {
    const theirs = await grid;
    const disagreements = new Disagreements();
    constraints.forEach((constraint, index) => {
      if (theirs[index] === null) return; // invalid: buildPex rejects it before asking
      SERIES.forEach(([major, minor], at) =>
        disagreements.check(
          [constraint, `${major}.${minor}`],
          allowsCPython([constraint], major, minor, (text) => new SpecifierSet(text)),
          theirs[index]![at]!,
        ),
      );
    });
    console.log(disagreements.summary('build allowsCPython'));
    expect(disagreements.compared).toBeGreaterThan(SERIES_CONSTRAINTS * SERIES.length * 0.8);
    expect(disagreements.count, disagreements.summary('build allowsCPython')).toBe(0);
  });
});

// The version the runtime checks: sys.version_info as PEP 440 text (platform.python_version() spells
// pre-releases the same way), for the interpreters found and for pre-release tuples none of them has.
const VERSION_TEXT = `
import json, platform, sys
sys.path.insert(0, sys.argv[1])
from nx_pex_runtime.interpreter import version_text
tuples = [(3, 13, 0, "candidate", 1), (3, 14, 0, "alpha", 0), (3, 12, 0, "beta", 4), (3, 8, 18, "final", 0)]
print(json.dumps([version_text(sys.version_info), platform.python_version()] + [version_text(t) for t in tuples]))
`;

it.each(pythons.map((python): [string, string] => [python.full, python.path]))(
  'the runtime names CPython %s by its PEP 440 version',
  async (_full, python) => {
    const [running, platformVersion, ...others] = await runRuntime<string[]>(python, VERSION_TEXT, null);
    expect(running).toBe(platformVersion);
    expect(others).toEqual(['3.13.0rc1', '3.14.0a0', '3.12.0b4', '3.8.18']);
  },
);
