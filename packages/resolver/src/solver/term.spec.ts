import { describe, expect, it } from 'vitest';
import { Version } from '../pep440/version.js';
import { anything, has, intersect, isDisjoint, isSubset, negate, notSelected, positive, size, Universe, versionsOf } from './term.js';

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
