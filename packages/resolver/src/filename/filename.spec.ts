import { describe, expect, it } from 'vitest';
import { ResolverError } from '../errors.js';
import { parseSdistFilename, sdistFilenameProblem, sdistVersionOf } from './sdist.js';
import { pathComponentProblem } from './component.js';
import {
  parseWheelFilename,
  tryParseWheelFilename,
  wheelFilenameProblem,
  wheelTagSets,
  wheelVersionOf,
} from './wheel.js';

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

describe('wheelFilenameProblem', () => {
  it('names the rule a name breaks, part by part', () => {
    expect(wheelFilenameProblem('pkg-1.0-py3-none-any.whl')).toBeUndefined();
    expect(wheelFilenameProblem('pkg-1.0-py3-none-any.whl.whl')).toBeUndefined(); // the platform tag is `any.whl`
    expect(wheelFilenameProblem('pkg-1.0-py3-none-any.zip')).toBe('does not end in .whl');
    expect(wheelFilenameProblem('pkg-1.0-py3-none.whl')).toBe('has 4 dash-separated parts, not 5 or 6');
    expect(wheelFilenameProblem('a-b-c-d-e-f-g.whl')).toBe('has 7 dash-separated parts, not 5 or 6');
    expect(wheelFilenameProblem('pkg.-1.0-py3-none-any.whl')).toMatch(/name "pkg\."/);
    expect(wheelFilenameProblem('pkg-1.0~1-py3-none-any.whl')).toMatch(/version "1\.0~1"/);
    expect(wheelFilenameProblem('pkg-1.0.0.0.x-py3-none-any.whl')).toMatch(
      /version "1\.0\.0\.0\.x", which is not a PEP 440/,
    );
    expect(wheelFilenameProblem('pkg-1.0-b1-py3-none-any.whl')).toMatch(/build tag "b1"/);
    expect(wheelFilenameProblem('pkg-1.0-py3-none-.any.whl')).toMatch(/tag "\.any"/);
    expect(wheelFilenameProblem('pkg-1.0-py3-none-any.whl'.padStart(256, 'p'))).toMatch(/longer than 255 bytes/);
    expect(wheelFilenameProblem('pkg-1.0-py3-none-any.whl'.padStart(255, 'p'))).toBeUndefined();
  });

  it('agrees with the part-by-part checks on names built from their pieces', () => {
    const pieces = [
      'pkg',
      'Pkg_2',
      '1.0',
      '2!1.0rc1.post2+loc',
      '1',
      '12abc',
      'py3',
      'py2.py3',
      'cp312',
      'none',
      'any',
      '',
      '.',
      'a..b',
      'x~',
    ];
    for (const a of pieces)
      for (const b of pieces)
        for (const c of ['', '-1', '-x', '-py3']) {
          const name = `${a}-${b}${c}-py3-${a}-${b}.whl`;
          const parsed = tryParseWheelFilename(name);
          expect(wheelFilenameProblem(name) === undefined, name).toBe(parsed !== undefined);
          if (parsed) expect(parsed.tags.length, name).toBeGreaterThan(0);
        }
  });
});

describe('wheelVersionOf / wheelTagSets', () => {
  it('give the version and tag sets as written, for the named project only', () => {
    const name = 'Foo_Bar-1.0.POST1-7-py2.py3-none-any.whl';
    expect(wheelVersionOf(name, 'foo-bar')).toBe('1.0.POST1');
    expect(wheelVersionOf(name, 'foo')).toBeUndefined();
    expect(wheelVersionOf('foo_bar-one-py3-none-any.whl', 'foo-bar')).toBeUndefined();
    expect(wheelTagSets(name)).toBe('py2.py3-none-any');
    expect(wheelTagSets('numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl')).toBe(
      'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64',
    );
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

  it('takes the first split whose name is the project (legacy names), suffixes in any case', () => {
    expect(sdistVersionOf('foo-bar-1.0-2.TAR.GZ', 'foo-bar')).toBe('1.0-2');
    expect(sdistVersionOf('foo-bar-1.0-2.tar.gz', 'foo')).toBeUndefined(); // "bar-1.0-2" is not a version
    expect(sdistFilenameProblem('foo-bar-1.0-2.tar.gz')).toBeUndefined();
    expect(sdistFilenameProblem('foo.tar.gz')).toBe('does not split into a PEP 508 name and a PEP 440 version');
    expect(sdistFilenameProblem('pkg-1.0.tar.gz'.padStart(256, 'p'))).toMatch(/longer than 255 bytes/);
    expect(sdistFilenameProblem('pkg-1.0 .tar.gz')).toMatch(/is not "\{name\}-\{version\}"/);
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
