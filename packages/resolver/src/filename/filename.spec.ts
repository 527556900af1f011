import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { parseSdistFilename } from './sdist.js';
import { pathComponentProblem } from './component.js';
import { parseWheelFilename, tryParseWheelFilename } from './wheel.js';

describe('parseWheelFilename', () => {
  it('parses name, version and expands compressed tag sets', () => {
    expect(parseWheelFilename('Foo_Bar-1.0.post1-py2.py3-none-any.whl')).toMatchObject({
      name: 'foo-bar',
      version: '1.0.post1',
      pythonTags: ['py2', 'py3'],
      abiTags: ['none'],
      platformTags: ['any'],
      tags: ['py2-none-any', 'py3-none-any'],
    });
    const w = parseWheelFilename('numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
    expect(w.tags).toEqual(['cp312-cp312-manylinux_2_17_x86_64', 'cp312-cp312-manylinux2014_x86_64']);
  });

  it('parses build tags as (number, rest)', () => {
    expect(parseWheelFilename('pkg-1.0-12abc-py3-none-any.whl').build).toEqual({ number: 12, tag: 'abc' });
  });

  it('rejects malformed names', () => {
    for (const bad of [
      'pkg-1.0-py3-none.whl',
      'pkg-1.0-x-py3-none-any.whl',
      'pkg-1.0.tar.gz',
      'a-b-c-d-e-f-g.whl',
      'pkg--py3-none-any.whl',
    ]) {
      expect(tryParseWheelFilename(bad), bad).toBeUndefined();
    }
    expect(() => parseWheelFilename('nope.whl')).toThrow(ResolverError);
  });
});

describe('parseSdistFilename', () => {
  it('splits on the project name, also for legacy names with dashes', () => {
    expect(parseSdistFilename('Foo.Bar-1.0.tar.gz', 'foo-bar')).toEqual({
      filename: 'Foo.Bar-1.0.tar.gz',
      name: 'foo-bar',
      version: '1.0',
    });
    expect(parseSdistFilename('python-dateutil-2.9.0.post0.tar.gz', 'python_dateutil')?.version).toBe('2.9.0.post0');
    expect(parseSdistFilename('pkg-1.0.zip', 'pkg')?.version).toBe('1.0');
  });

  it('ignores other projects and other files', () => {
    expect(parseSdistFilename('pkgx-1.0.tar.gz', 'pkg')).toBeUndefined();
    expect(parseSdistFilename('pkg-1.0.exe', 'pkg')).toBeUndefined();
  });
});

describe('pathComponentProblem', () => {
  it('measures a name in UTF-8 bytes and names a separator before a control character', () => {
    expect(pathComponentProblem('é'.repeat(127))).toBeUndefined(); // 254 bytes
    expect(pathComponentProblem('é'.repeat(128))).toMatch(/longer than 255 bytes/);
    expect(pathComponentProblem('😀'.repeat(64))).toMatch(/longer than 255 bytes/); // 256 bytes in 128 code units
    expect(pathComponentProblem('a'.repeat(255))).toBeUndefined();
    expect(pathComponentProblem('\u0001a\\b')).toBe('contains a path separator');
    expect(pathComponentProblem('a\u007fb')).toBe('contains a control character');
  });
});
