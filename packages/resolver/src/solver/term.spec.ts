import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpecifierSet } from '../pep440/specifier.js';
import { Version } from '../pep440/version.js';
import { specifierSetText, versionText } from '@nx-pex/tools';
import {
  anything,
  has,
  newestFirst,
  intersect,
  isDisjoint,
  isSubset,
  negate,
  notSelected,
  positive,
  positiveBits,
  size,
  Universe,
  versionsOf,
} from './term.js';

// 70 versions: three 32-bit words, the last one partly used (bits past the end must stay clear).
const keys = Array.from({ length: 70 }, (_, i) => `${i + 1}.0`);
const u = new Universe(keys.map((k) => Version.parse(k)));
const set = (...ks: string[]) => positive('p', ks, u);

describe('terms as bitsets over a universe', () => {
  it('keeps the versions it was made of, across word boundaries, and ignores unknown ones', () => {
    const t = set('1.0', '32.0', '33.0', '64.0', '65.0', '70.0', '99.0');
    expect(versionsOf(t)).toEqual(['1.0', '32.0', '33.0', '64.0', '65.0', '70.0']);
    expect(size(t)).toBe(6);
    expect(has(t, '33.0')).toBe(true);
    expect(has(t, '34.0')).toBe(false);
    expect(has(t, '99.0')).toBe(false);
  });

  it('negates within the universe (no version past its end) and flips "not selected"', () => {
    const t = set('1.0', '70.0');
    const n = negate(t);
    expect(n.none).toBe(true);
    expect(size(n)).toBe(68);
    expect(has(n, '70.0')).toBe(false);
    expect(versionsOf(negate(n))).toEqual(['1.0', '70.0']);
    expect(size(negate(anything('p', u)))).toBe(0);
    expect(negate(anything('p', u)).none).toBe(false);
  });

  it('intersects, and answers subset and disjoint as sets with the none outcome', () => {
    const a = set('10.0', '40.0', '66.0');
    const b = set('40.0', '66.0', '67.0');
    expect(versionsOf(intersect(a, b))).toEqual(['40.0', '66.0']);
    expect(isSubset(intersect(a, b), a)).toBe(true);
    expect(isSubset(a, b)).toBe(false);
    expect(isDisjoint(set('1.0'), set('2.0'))).toBe(true);
    expect(isDisjoint(a, b)).toBe(false);
    // "not selected" is an outcome too: two negative terms always share it.
    expect(isDisjoint(negate(a), negate(b))).toBe(false);
    expect(isSubset(notSelected('p', u), negate(a))).toBe(true);
    expect(isSubset(notSelected('p', u), a)).toBe(false);
    expect(isSubset(a, anything('p', u))).toBe(true);
  });

  it('describes runs of consecutive versions in PEP 440 words', () => {
    expect(u.describe(set('1.0', '2.0', '3.0'))).toBe('<=3.0');
    expect(u.describe(set('5.0', '40.0', '41.0'))).toBe('==5.0 or >=40.0,<=41.0');
    expect(u.describe(set('69.0', '70.0'))).toBe('>=69.0');
    expect(u.describe(set())).toBe('(no version)');
    expect(u.describe(anything('p', u))).toBe('(any version)');
  });
});

describe('Universe.allowedBits (binary search for ordered clauses, cached per clause)', () => {
  // Versions around each clause's own version (its dev, pre, post and local neighbours) are where a
  // threshold could be wrong, so the universe holds them next to random ones.
  const near = (text: string) => {
    const base = text.replace(/\.\*$/, '');
    return [
      base,
      `${base}+local.1`,
      `${base}.post1`,
      `${base}.post0.dev1`,
      `${base}.dev0`,
      `${base}rc1`,
      `${base}a1.post1`,
      `${base}.0`,
      `${base}.1`,
    ];
  };
  it('allows exactly the versions SpecifierSet.contains(v, true) does', () => {
    fc.assert(
      fc.property(fc.array(versionText, { maxLength: 40 }), specifierSetText, (randomVersions, setText) => {
        let specifier: SpecifierSet;
        try {
          specifier = new SpecifierSet(setText);
        } catch {
          return;
        }
        const texts = [...randomVersions, ...specifier.specifiers.flatMap((s) => near(s.version))];
        const byKey = new Map<string, Version>();
        for (const t of texts) {
          const v = Version.tryParse(t);
          if (v) byKey.set(v.toString(), v);
        }
        const universe = new Universe([...byKey.values()].sort((a, b) => a.compare(b)));
        const expected = universe.versions.map((v) => specifier.contains(v, true));
        // Twice: the second answer comes from the cache.
        for (let round = 0; round < 2; round++) {
          const term = positiveBits('p', universe, universe.allowedBits(specifier));
          expect(universe.keys.map((k) => has(term, k))).toEqual(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("lists a term's versions newest first by index", () => {
    const t = set('1.0', '33.0', '70.0');
    expect([...newestFirst(t)].map((i) => u.keys[i])).toEqual(['70.0', '33.0', '1.0']);
  });
});
