import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ToolsError } from '../errors.js';
import { isDistributionFilename, parseDistributionFilename } from './distribution-filename.js';
import { isValidProjectName, normalizeProjectName, wheelNameComponent } from './normalize.js';

describe('PEP 503 names', () => {
  it.each([
    ['Friendly-Bard', 'friendly-bard'],
    ['FRIENDLY_BARD', 'friendly-bard'],
    ['friendly.bard', 'friendly-bard'],
    ['friendly--._bard', 'friendly-bard'],
  ])('normalises %s to %s', (name, want) => {
    expect(normalizeProjectName(name)).toBe(want);
    expect(wheelNameComponent(name)).toBe(want.replace(/-/g, '_'));
  });

  it('is idempotent and leaves no runs of separators', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/), (name) => {
        const once = normalizeProjectName(name);
        expect(normalizeProjectName(once)).toBe(once);
        expect(once).not.toMatch(/[-_.]{2}|[A-Z_.]/);
      }),
    );
  });

  it('accepts PEP 508 names only', () => {
    expect(isValidProjectName('a')).toBe(true);
    expect(isValidProjectName('zope.interface')).toBe(true);
    expect(isValidProjectName('-a')).toBe(false);
    expect(isValidProjectName('a b')).toBe(false);
    expect(isValidProjectName('')).toBe(false);
  });
});

describe('distribution filenames', () => {
  it('parses wheels with and without a build tag', () => {
    expect(parseDistributionFilename('Foo_Bar-1.0-py3-none-any.whl')).toEqual({
      filename: 'Foo_Bar-1.0-py3-none-any.whl',
      kind: 'wheel',
      project: 'foo-bar',
      version: '1.0',
    });
    expect(parseDistributionFilename('foo-1.0-2-cp311-cp311-manylinux_2_17_x86_64.whl')).toMatchObject({
      project: 'foo',
      version: '1.0',
    });
  });

  it('parses PEP 625 and legacy sdists at the last dash', () => {
    expect(parseDistributionFilename('foo_bar-2.0.tar.gz')).toMatchObject({
      kind: 'sdist',
      project: 'foo-bar',
      version: '2.0',
    });
    expect(parseDistributionFilename('foo-bar-2.0.zip')).toMatchObject({
      kind: 'sdist',
      project: 'foo-bar',
      version: '2.0',
    });
  });

  it.each(['foo.whl', 'foo-1.0.whl', 'a-b-c-d-e-f-g.whl', 'foo.tar.gz', 'foo-.tar.gz', 'foo-1.0.egg'])(
    'rejects %s with a ToolsError',
    (name) => {
      expect(() => parseDistributionFilename(name)).toThrow(ToolsError);
    },
  );

  it('recognises distribution suffixes', () => {
    expect(['a.whl', 'a.tar.gz', 'a.zip', 'a.whl.metadata', 'a.tmp'].map(isDistributionFilename)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
