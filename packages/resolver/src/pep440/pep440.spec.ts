import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { Specifier, SpecifierSet } from './specifier.js';
import { Version } from './version.js';

const sorted = (xs: string[]) => [...xs].sort((a, b) => Version.parse(a).compare(Version.parse(b)));

describe('Version', () => {
  it('normalises every PEP 440 spelling', () => {
    expect(Version.parse(' v1.0-ALPHA.2_post-3.DEV4+Ubuntu-1 ').toString()).toBe('1.0a2.post3.dev4+ubuntu.1');
    expect(Version.parse('1!2.0.c1').toString()).toBe('1!2.0rc1');
    expect(Version.parse('1.0-1').toString()).toBe('1.0.post1');
    expect(Version.parse('1.0.rev').toString()).toBe('1.0.post0');
    expect(Version.parse('1.0+01.abc').toString()).toBe('1.0+1.abc');
    expect(Version.parse('99999999999999999999999.1').toString()).toBe('99999999999999999999999.1');
  });

  it('orders as PEP 440 says', () => {
    const order = [
      '1.0.dev1',
      '1.0a1.dev1',
      '1.0a1',
      '1.0a1.post1.dev1',
      '1.0a1.post1',
      '1.0b1',
      '1.0rc1',
      '1.0',
      '1.0+abc',
      '1.0+abc.1',
      '1.0+1',
      '1.0.post1.dev1',
      '1.0.post1',
      '1.1',
      '1!0.1',
    ];
    expect(sorted([...order].reverse())).toEqual(order);
    expect(Version.parse('1.0').equals(Version.parse('1.0.0'))).toBe(true);
  });

  it('rejects what is not a version', () => {
    expect(Version.tryParse('1.0-')).toBeUndefined();
    expect(() => Version.parse('latest')).toThrow(ResolverError);
  });
});

describe('SpecifierSet', () => {
  // Cases where @renovatebot/pep440 is wrong; packaging and PEP 440 agree with these.
  it('gets the known @renovatebot/pep440 mistakes right', () => {
    expect(new SpecifierSet('>1.7.post2').contains('1.7.0.post3')).toBe(true);
    // `<` does not admit pre-releases by itself (PEP 440), so ask for them explicitly.
    expect(new SpecifierSet('<1.7rc2').contains('1.7rc1', true)).toBe(true);
    expect(new SpecifierSet('==1.0.*').contains('1')).toBe(true);
  });

  it('applies the exclusive-operator rules', () => {
    expect(new SpecifierSet('>1.7').contains('1.7.post1')).toBe(false);
    expect(new SpecifierSet('>1.7').contains('1.7+local')).toBe(false);
    expect(new SpecifierSet('<1.7').contains('1.7rc1', true)).toBe(false);
    expect(new SpecifierSet('<1.7rc2').contains('1.7rc1', false)).toBe(false);
    // packaging ≥ 26: `<V` is `< V.dev0` with V's post part kept; `>V.postN` starts at V.post(N+1).dev0.
    expect(new SpecifierSet('<3.r3').contains('3rc', true)).toBe(true);
    expect(new SpecifierSet('<3.post3').contains('3.post3.dev1', true)).toBe(false);
    expect(new SpecifierSet('>1.0.post1').contains('1.0.post2+local')).toBe(true);
    expect(new SpecifierSet('>1.0a1').contains('1.0.post1')).toBe(true);
    expect(new SpecifierSet('>1.0a1').contains('1.0a1.post1')).toBe(false);
    expect(new SpecifierSet('>1.0.dev1').contains('1.0.post1.dev1')).toBe(true);
  });

  it('matches prefixes, local versions and compatible releases', () => {
    expect(new SpecifierSet('==1.4.*').contains('1.4.5+local')).toBe(true);
    expect(new SpecifierSet('!=1.4.*').contains('1.5')).toBe(true);
    expect(new SpecifierSet('==1.0').contains('1.0+local')).toBe(true);
    expect(new SpecifierSet('==1.0+other').contains('1.0+local')).toBe(false);
    expect(new SpecifierSet('~=2.2').contains('2.9')).toBe(true);
    expect(new SpecifierSet('~=2.2.0').contains('2.3')).toBe(false);
    expect(new SpecifierSet('===1.0').contains('1.0')).toBe(true);
    expect(new SpecifierSet('===1.0').contains('1.0.0')).toBe(false);
  });

  it('admits a pre-release unless told not to (packaging ≥ 26: one version has no alternatives)', () => {
    expect(new SpecifierSet('>=1.0').contains('2.0b1')).toBe(true);
    expect(new SpecifierSet('>=1.0').contains('2.0b1', false)).toBe(false);
    expect(new SpecifierSet('>=1.0b1').contains('2.0b1')).toBe(true);
    expect(new SpecifierSet('').contains('2.0b1')).toBe(true);
    expect(new SpecifierSet('').contains('2.0b1', false)).toBe(false);
    expect(new SpecifierSet('').contains('2.0')).toBe(true);
  });

  it('says whether a clause names a pre-release as packaging ≥ 26 (what the solver asks)', () => {
    expect(new SpecifierSet('>=1.0').prereleases).toBe(false);
    expect(new SpecifierSet('<2.0a2').prereleases).toBe(true);
    expect(new SpecifierSet('!=2.0a2').prereleases).toBe(false);
    expect(new SpecifierSet('>=1.0, ~=2.0rc1').prereleases).toBe(true);
    expect(new SpecifierSet('').prereleases).toBeUndefined();
  });

  it('rejects invalid specifiers', () => {
    for (const bad of ['>=1.0.*', '~=1', '~=1.0.*', '<1.0+local', '=>1.0', '1.0', '==1.0+local.*']) {
      expect(() => new Specifier(bad), bad).toThrow(ResolverError);
    }
  });
});
