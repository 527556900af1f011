import { describe, expect, it } from 'vitest';
import { Version } from '../pep440/version.js';
import { Requirement } from '../pep508/requirement.js';
import { allowedReleases, CandidateSelector, preferenceOrder } from './candidates.js';
import type { Release } from './release.js';
import { positive, Universe } from './term.js';

/** Releases newest first; `~` yanked, `!` without a wheel for the target. */
function releases(...specs: string[]): Release[] {
  return specs
    .map((s) => ({
      version: Version.parse(s.replace(/^[~!]/, '')),
      ...(s.startsWith('!') ? {} : { best: {} as never }),
      yanked: s.startsWith('~'),
      hasSdist: false,
      incompatibleWheels: [],
    }))
    .sort((a, b) => b.version.compare(a.version));
}

const versions = (list: Iterable<Release>) => [...list].map((r) => r.version.toString());

describe('candidate selection', () => {
  it('maps a term to the releases it allows, newest first', () => {
    const all = releases('1.0', '1.1', '2.0rc1', '2.0');
    const universe = new Universe([...all].reverse().map((r) => r.version));
    expect(versions(allowedReleases(all, positive('p', ['1.0', '2.0'], universe)))).toEqual(['2.0', '1.0']);
    // Releases listed apart from the universe (another length) are matched by version.
    expect(versions(allowedReleases(all.slice(1), positive('p', ['1.0', '2.0'], universe)))).toEqual(['1.0']);
  });

  it('orders: the preferred version, then final releases, then pre-releases (all newest first when named)', () => {
    const usable = releases('1.0', '1.1', '2.0rc1', '1.2a1');
    expect(versions(preferenceOrder(usable, undefined, false))).toEqual(['1.1', '1.0', '2.0rc1', '1.2a1']);
    expect(versions(preferenceOrder(usable, Version.parse('1.0'), false))).toEqual(['1.0', '1.1', '2.0rc1', '1.2a1']);
    expect(versions(preferenceOrder(usable, Version.parse('3.0'), true))).toEqual(['2.0rc1', '1.2a1', '1.1', '1.0']);
  });

  it('uses a yanked release only through an exact pin, and a release only with a wheel', () => {
    const selector = new CandidateSelector();
    const all = releases('~2.0', '1.0', '!1.5');
    expect(versions(selector.usable('p', all, false))).toEqual(['1.0']);
    selector.note(Requirement.parse('p==2.*'));
    expect(versions(selector.usable('p', all, false))).toEqual(['1.0']);
    selector.note(Requirement.parse('p==2.0'));
    expect(versions(selector.usable('p', all, false))).toEqual(['2.0', '1.0']);
    // An extra takes what its base may: the base's own choice decides.
    expect(versions(selector.usable('q', all, true))).toEqual(versions(all));
  });

  it('takes pre-releases first once a requirement names one; prefers the locked version, or for an extra its base', () => {
    const selector = new CandidateSelector((name) => (name === 'p' ? '1.0' : undefined));
    const usable = releases('1.0', '1.1', '2.0b1');
    expect(versions(selector.order('p', usable, false, undefined))).toEqual(['1.0', '1.1', '2.0b1']);
    expect(versions(selector.order('p', usable, true, '1.1'))).toEqual(['1.1', '1.0', '2.0b1']);
    expect(versions(selector.order('p', usable, true, undefined))).toEqual(['1.1', '1.0', '2.0b1']);
    selector.note(Requirement.parse('p>=2.0b1'));
    expect(versions(selector.order('p', usable, false, undefined))).toEqual(['1.0', '2.0b1', '1.1']);
    expect(selector.likely('p', usable)?.version.toString()).toBe('1.0');
    expect(selector.likely('other', releases('2.0b1', '1.1'))?.version.toString()).toBe('1.1');
    expect(selector.likely('other', releases('2.0b1'))?.version.toString()).toBe('2.0b1');
  });
});
