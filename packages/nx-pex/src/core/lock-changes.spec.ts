import type { Lock } from '@nx-pex/resolver';
import { describe, expect, it } from 'vitest';
import { lockChanges, summarizeChanges } from './lock-changes.js';
import { describeLock, type LockOutcome } from './lock-target.js';

const lock = (...packages: [string, string?][]): Lock => ({
  lockVersion: '1.0',
  createdBy: 'nx-pex',
  packages: packages.map(([name, version]) => ({ name, ...(version ? { version } : {}), wheels: [] })),
});

describe('lockChanges: what a new lock changes against the previous one', () => {
  it('names added, removed and changed packages in name order, and nothing for unchanged ones', () => {
    const before = lock(['flask', '3.0.0'], ['click', '8.1.7'], ['itsdangerous', '2.1.2']);
    const after = lock(['flask', '3.0.3'], ['click', '8.1.7'], ['blinker', '1.8.2']);
    expect(lockChanges(before, after)).toEqual(['+ blinker 1.8.2', 'flask 3.0.0 → 3.0.3', '- itsdangerous 2.1.2']);
    expect(lockChanges(after, after)).toEqual([]);
  });

  it('compares the versions of a universal lock as a set in PEP 440 order (one per fork)', () => {
    const before = lock(['numpy', '2.0.2'], ['numpy', '1.26.4']);
    expect(lockChanges(before, lock(['numpy', '1.26.4'], ['numpy', '2.0.2']))).toEqual([]);
    expect(lockChanges(before, lock(['numpy', '1.26.4'], ['numpy', '2.10.0']))).toEqual([
      'numpy 1.26.4, 2.0.2 → 1.26.4, 2.10.0',
    ]);
  });

  it('a first lock adds everything; a version another tool left out or wrote outside PEP 440 still compares', () => {
    expect(lockChanges(undefined, lock(['a', '1.0']))).toEqual(['+ a 1.0']);
    expect(lockChanges(lock(['a'], ['b', 'not a version']), lock(['a', '1.0'], ['b', 'weird']))).toEqual([
      'a ? → 1.0',
      'b not a version → weird',
    ]);
  });

  it('summarizes a long list in one line', () => {
    const many = Array.from({ length: 13 }, (_, i) => `+ p${i} 1.0`);
    expect(summarizeChanges(many, 10)).toBe(`${many.slice(0, 10).join(', ')} and 3 more`);
    expect(summarizeChanges(many.slice(0, 2))).toBe('+ p0 1.0, + p1 1.0');
  });
});

describe('describeLock: the line a lock run leaves', () => {
  const outcome: LockOutcome = {
    lockFile: 'apps/svc/pylock.toml',
    current: true,
    changed: true,
    reasons: [],
    unchecked: [],
    packages: 3,
    writer: 'nx-pex',
  };
  it('says what changed and which environments a universal lock leaves out', () => {
    expect(describeLock(outcome, false)).toBe('nx-pex: wrote apps/svc/pylock.toml (3 packages)');
    expect(
      describeLock(
        { ...outcome, changes: ['flask 3.0.0 → 3.0.3'], leftOut: ['win_amd64-cp-315-cp315: binonly 1.0 has no wheel'] },
        false,
      ),
    ).toBe(
      'nx-pex: wrote apps/svc/pylock.toml (3 packages: flask 3.0.0 → 3.0.3); left out of the universal lock (builds for them fail): win_amd64-cp-315-cp315: binonly 1.0 has no wheel',
    );
  });
});
