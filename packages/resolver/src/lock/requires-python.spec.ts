import { describe, expect, it } from 'vitest';
import { SpecifierSet } from '../pep440/specifier.js';
import { lockRequiresPython } from './requires-python.js';

const everywhere = (...ranges: string[]) => ranges.map((requiresPython) => ({ requiresPython }));

/** Every CPython-like version from 2.6 to 3.15, with patch releases and a few pre-releases. */
const GRID = (() => {
  const out: string[] = [];
  for (const [major, minors] of [
    [2, [6, 7]],
    [3, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]],
  ] as const)
    for (const minor of minors) for (const patch of [0, 1, 2, 7, 15]) out.push(`${major}.${minor}.${patch}`);
  return [...out, '3.11.0rc1', '3.13.0a2', '3.10'];
})();

describe('lockRequiresPython: the projects range narrowed by what the lock installs everywhere', () => {
  it('keeps the projects range as written when every package admits it', () => {
    expect(lockRequiresPython('>=3.10', everywhere('>=3.8', '>=3.7,!=3.8.*', '>=2.7, !=3.0.*, !=3.1.*'))).toBe(
      '>=3.10',
    );
    expect(lockRequiresPython('>= 3.10 , <4', everywhere('>=3.9'))).toBe('>= 3.10 , <4');
    expect(lockRequiresPython('>=3.10', [])).toBe('>=3.10');
  });

  it('takes the highest lower bound, and the other clauses that still exclude something', () => {
    expect(lockRequiresPython('>=3.10', everywhere('>=3.11', '>=3.9'))).toBe('>=3.11');
    expect(lockRequiresPython('>=3.10,<4', everywhere('>=3.11', '>=3.12'))).toBe('>=3.12, <4');
    expect(lockRequiresPython('>=3.10', everywhere('>=3.11, !=3.11.0', '<3.14'))).toBe('>=3.11, !=3.11.0, <3.14');
    expect(lockRequiresPython('>=3.10', everywhere('>=2.7, !=3.0.*, !=3.1.*', '>=3.11'))).toBe('>=3.11');
  });

  it('ignores packages under a marker (not installed everywhere) and ranges that do not parse', () => {
    expect(lockRequiresPython('>=3.10', [{ requiresPython: '>=3.12', marker: "python_version >= '3.12'" }])).toBe(
      '>=3.10',
    );
    expect(lockRequiresPython('>=3.10', everywhere('>=3.x'))).toBe('>=3.10');
  });

  it('admits exactly what the projects range and every package range admit (checked on a grid of versions)', () => {
    const projects = ['>=3.8', '>=3.10', '>=3.10,<3.14', '~=3.10', '>=3.9,!=3.9.1'];
    const packages = [
      '>=3.11',
      '>=3.8',
      '>=2.7, !=3.0.*, !=3.1.*, !=3.2.*',
      '>=3.10,!=3.10.0',
      '<3.14',
      '!=3.11.*',
      '>3.10',
      '>=3.9, <4',
      '>=3.12.1',
    ];
    for (const p of projects)
      for (let mask = 1; mask < 1 << 4; mask++)
        for (let offset = 0; offset + 4 <= packages.length; offset++) {
          const chosen = packages.slice(offset, offset + 4).filter((_, i) => mask & (1 << i));
          const result = new SpecifierSet(lockRequiresPython(p, everywhere(...chosen)));
          for (const v of GRID) {
            const expected = [p, ...chosen].every((r) => new SpecifierSet(r).contains(v, true));
            expect(result.contains(v, true), `${p} + ${chosen.join(' + ')} at ${v}`).toBe(expected);
          }
        }
  });
});
