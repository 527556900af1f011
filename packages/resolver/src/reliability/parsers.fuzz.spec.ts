// Property tests over hostile input: every parser either returns a value or throws ResolverError with a
// code — never a TypeError, RangeError (stack overflow) or other untyped exception. What parses must
// print and re-parse to the same thing. Default: a few thousand inputs; NX_PEX_LONG=1: 200 000 per parser.
import fc from 'fast-check';
import { parse as parseToml, stringify as stringifyToml } from 'smol-toml';
import { afterAll, describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { formatLock } from '../lock/format.js';
import type { Lock } from '../lock/model.js';
import { parseLock } from '../lock/parse.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Version } from '../pep440/version.js';
import { Marker } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import { maybeInvalidVersion, specifierText, versionText } from '@nx-pex/tools';
import { markerText, requirementText } from '../testing/pep508-arbitraries.js';
import { anyText, FUZZ_TIMEOUT, fcParams, mutated, nested, runs, Tally } from '../testing/reliability-fuzz.js';

const RUNS = runs(2_000, 200_000);
const tally = new Tally();
afterAll(() => console.log(tally.report('resolver parser fuzz')));

/** Run `parse`; a ResolverError is a fine answer, anything else fails the property. */
function typed<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ResolverError && typeof error.code === 'string' && error.message.length > 0) return undefined;
    throw new Error(`untyped exception: ${String(error)}`, { cause: error });
  }
}

const env = {
  python_version: '3.11',
  python_full_version: '3.11.7',
  os_name: 'posix',
  sys_platform: 'linux',
  platform_machine: 'x86_64',
  platform_python_implementation: 'CPython',
  implementation_name: 'cpython',
  implementation_version: '3.11.7',
  platform_release: '6.1',
  platform_system: 'Linux',
  platform_version: '#1',
  extra: 'security',
};

const oddEnv = {
  ...env,
  platform_release: '6.1.0-18-amd64',
  python_full_version: '3.13.0+',
  platform_version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1',
};
const emptyEnv = Object.fromEntries(Object.keys(env).map((k) => [k, '']));

describe('PEP 440 / 508 parsers under hostile input', () => {
  const versionInput = fc.oneof(
    versionText,
    maybeInvalidVersion,
    mutated(versionText),
    anyText,
    fc.bigInt({ min: 0n, max: 10n ** 40n }).map((n) => `${n}.${n}!${n}`),
  );
  it(
    'Version.parse: a Version or INVALID_VERSION; normal form is stable',
    () => {
      fc.assert(
        fc.property(versionInput, versionText, (text, other) => {
          tally.count('version');
          const v = typed(() => Version.parse(text));
          if (!v) return;
          expect(Version.parse(v.toString()).toString()).toBe(v.toString());
          const w = Version.tryParse(other);
          if (w) typed(() => v.compare(w));
        }),
        fcParams(RUNS),
      );
    },
    FUZZ_TIMEOUT,
  );

  const specifierInput = fc.oneof(
    specifierText,
    mutated(specifierText),
    fc.array(specifierText, { maxLength: 6 }).map((xs) => xs.join(',')),
    anyText,
  );
  it(
    'SpecifierSet.parse: a set or INVALID_SPECIFIER; contains() never throws an untyped error',
    () => {
      fc.assert(
        fc.property(specifierInput, versionInput, fc.boolean(), (text, version, pre) => {
          tally.count('specifier');
          const set = typed(() => SpecifierSet.parse(text));
          if (!set) return;
          const again = SpecifierSet.parse(set.toString());
          expect(again.toString()).toBe(set.toString());
          const v = Version.tryParse(version);
          const inside = v ? typed(() => set.contains(v, pre)) : undefined;
          if (inside !== undefined) expect(typeof inside).toBe('boolean');
        }),
        fcParams(RUNS),
      );
    },
    FUZZ_TIMEOUT,
  );

  const markerInput = fc.oneof(
    { weight: 6, arbitrary: markerText },
    { weight: 6, arbitrary: mutated(markerText) },
    { weight: 3, arbitrary: anyText },
    { weight: 1, arbitrary: nested('(', 'python_version >= "3"', ')') },
    { weight: 1, arbitrary: nested('os_name == "a" and (', 'extra == "x"', ')') },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 1_000 }).map((n) => Array(n).fill('python_version > "3"').join(' or ')),
    },
  );
  it(
    'Marker.parse and evaluate: a boolean or INVALID_MARKER, and the printed form re-parses',
    () => {
      fc.assert(
        fc.property(markerInput, (text) => {
          tally.count('marker');
          const marker = typed(() => Marker.parse(text));
          if (!marker) return;
          // Also where values are not versions or are empty (packaging ≥ 26 evaluates those, no error).
          for (const e of [env, oddEnv, emptyEnv]) {
            const result = typed(() => marker.evaluate(e));
            if (result !== undefined) expect(typeof result).toBe('boolean');
          }
          const again = Marker.parse(marker.toString());
          expect(again.toString()).toBe(marker.toString());
        }),
        fcParams(RUNS),
      );
    },
    FUZZ_TIMEOUT,
  );

  const requirementInput = fc.oneof(
    { weight: 6, arbitrary: requirementText },
    { weight: 6, arbitrary: mutated(requirementText) },
    { weight: 3, arbitrary: anyText },
    { weight: 1, arbitrary: nested('a[', 'b', ']') },
    { weight: 1, arbitrary: nested('a (', '>=1', ')') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'a @ https://u:p@host/x.whl',
        'a @ file:///../../etc/passwd',
        'a @ ',
        '@',
        'a;',
        'a ; ;',
      ),
    },
  );
  it(
    'Requirement.parse: a requirement or INVALID_REQUIREMENT / INVALID_MARKER, and the printed form re-parses',
    () => {
      fc.assert(
        fc.property(requirementInput, (text) => {
          tally.count('requirement');
          const req = typed(() => Requirement.parse(text));
          if (!req) return;
          expect(Requirement.parse(req.toString()).toString()).toBe(req.toString());
          if (req.marker) typed(() => req.marker!.evaluate(env));
        }),
        fcParams(RUNS),
      );
    },
    FUZZ_TIMEOUT,
  );
});

const sha = (c: string) => c.repeat(64);
const validLock: Lock = {
  lockVersion: '1.0',
  environments: ["python_version == '3.11' and sys_platform == 'linux'"],
  requiresPython: '>=3.9',
  createdBy: 'nx-pex',
  packages: [
    {
      name: 'web',
      version: '2.0',
      wheels: [
        {
          name: 'web-2.0-py3-none-any.whl',
          url: 'https://files.example/web-2.0-py3-none-any.whl',
          size: 10,
          hashes: { sha256: sha('a') },
        },
      ],
      nxPex: { requiresDist: ['core>=1', 'aio; extra == "async"'] },
    },
    {
      name: 'core',
      version: '1.5',
      marker: "sys_platform == 'linux'",
      wheels: [
        {
          name: 'core-1.5-py3-none-any.whl',
          url: 'https://files.example/core-1.5-py3-none-any.whl',
          hashes: { sha256: sha('b') },
        },
      ],
      nxPex: { requiresDist: [] },
    },
  ],
  nxPex: {
    roots: { api: ['web[async]>=2'] },
    targets: [{ python: '3.11.7', tag: 'py3-none-any', markers: { python_version: '3.11', sys_platform: 'linux' } }],
  },
};
const validText = formatLock(validLock);

type Toml = ReturnType<typeof parseToml>;
const tomlLeaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('1.0', '', 'web', sha('c'), 'not a url', '>=3', 'python_version >'),
  fc.integer(),
  fc.constantFrom(-1, 0, 2 ** 53 + 2),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.date({ noInvalidDate: true }),
);
const tomlValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tomlLeaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom('name', 'version', 'url', 'hashes', 'sha256', 'wheels', 'size', 'marker', 'requires-dist', 'x'),
      tie('v'),
      { maxKeys: 3 },
    ),
  ),
})).v;

/** The valid lock's document with the value at one random path replaced (or removed). */
const structurallyBroken: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.option(tomlValue))
  .map(([path, value]) => {
    const doc = parseToml(validText) as Toml;
    let node: Record<string, unknown> | unknown[] = doc;
    for (let depth = 0; depth < path.length; depth++) {
      const keys = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
      if (keys.length === 0) break;
      const key = keys[path[depth]! % keys.length]!;
      const child = (node as Record<string | number, unknown>)[key];
      const last = depth === path.length - 1 || typeof child !== 'object' || child === null || child instanceof Date;
      if (last) {
        if (value === null && !Array.isArray(node)) delete (node as Record<string, unknown>)[key as string];
        else (node as Record<string | number, unknown>)[key] = value;
        break;
      }
      node = child as Record<string, unknown> | unknown[];
    }
    try {
      return stringifyToml(doc);
    } catch {
      return validText; // a value TOML cannot hold (e.g. null in an array): the plain lock instead
    }
  });

describe('pylock.toml parser under hostile input', () => {
  it('the valid lock parses (the mutations start from a real lock)', () => {
    expect(parseLock(validText, 'pylock.toml').packages.map((p) => p.name)).toEqual(['core', 'web']);
  });

  const lockInput = fc.oneof(
    { weight: 4, arbitrary: structurallyBroken },
    { weight: 4, arbitrary: mutated(fc.constant(validText)) },
    { weight: 1, arbitrary: anyText },
    { weight: 1, arbitrary: nested('a = [', '1', ']') },
    { weight: 1, arbitrary: nested('a = { b = ', '1', ' }') },
  );
  it(
    'parseLock: a Lock or INVALID_LOCK (naming the file); a parsed lock formats and re-parses',
    () => {
      fc.assert(
        fc.property(lockInput, (text) => {
          tally.count('pylock');
          let lock: Lock | undefined;
          try {
            lock = parseLock(text, 'pylock.toml');
          } catch (error) {
            if (!(error instanceof ResolverError))
              throw new Error(`untyped exception: ${String(error)}`, { cause: error });
            expect(error.message).toContain('pylock.toml');
            return;
          }
          const again = parseLock(formatLock(lock), 'pylock.toml');
          expect(formatLock(again)).toBe(formatLock(lock));
        }),
        fcParams(RUNS),
      );
    },
    FUZZ_TIMEOUT,
  );
});
