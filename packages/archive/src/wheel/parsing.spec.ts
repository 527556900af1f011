import { describe, expect, it } from 'vitest';
import { ArchiveError } from '../errors.js';
import { parseWheelFilename } from './filename.js';
import { placeMember } from './layout.js';
import { unsafeMemberNameReason } from './member-name.js';
import { isRecordExempt, parseCsv, parseRecord } from './record.js';

describe('parseWheelFilename (PEP 427)', () => {
  it('splits the five or six dash-separated parts', () => {
    expect(parseWheelFilename('greet-1.0-py3-none-any.whl')).toMatchObject({
      distribution: 'greet',
      version: '1.0',
      buildTag: undefined,
      pythonTag: 'py3',
      abiTag: 'none',
      platformTag: 'any',
    });
    expect(parseWheelFilename('n-2-1b-cp312-cp312-manylinux_2_17_x86_64.whl').buildTag).toBe('1b');
  });

  it.each(['greet-1.0.whl', 'greet-1.0-py3-none-any.zip', 'a/b-1-py3-none-any.whl', 'a--py3-none-any.whl'])(
    'rejects %s',
    (name) => {
      expect(() => parseWheelFilename(name)).toThrow(expect.objectContaining({ code: 'INVALID_WHEEL' }));
    },
  );
});

describe('unsafeMemberNameReason', () => {
  it.each(['pkg/mod.py', 'pkg/', 'a.dist-info/RECORD', 'x..y/z'])('accepts %s', (name) => {
    expect(unsafeMemberNameReason(name)).toBeUndefined();
  });
  it.each(['../evil.py', 'pkg/../../evil', '/etc/passwd', 'C:/x', 'a//b', './a', '', 'a\0b'])('rejects %j', (name) => {
    expect(unsafeMemberNameReason(name)).toBeTypeOf('string');
  });
});

describe('RECORD', () => {
  it('parses csv as Python writes it, quotes and all', () => {
    expect(parseCsv('a,b,c\n"x,y","say ""hi""",3\r\nlast,,\n')).toEqual([
      ['a', 'b', 'c'],
      ['x,y', 'say "hi"', '3'],
      ['last', '', ''],
    ]);
  });

  it('parses quote-free csv (the bulk path) the same way', () => {
    const text = 'a,b,c\r\nlast,,\n\nx\ry';
    const rows = [['a', 'b', 'c'], ['last', '', ''], ['x'], ['y']];
    expect(parseCsv(text)).toEqual(rows);
    expect(parseCsv(`${text}\n"q"`)).toEqual([...rows, ['q']]);
  });

  it('decodes urlsafe base64 digests and skips RECORD itself', () => {
    const rows = parseRecord(
      'm.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\nd.dist-info/RECORD,,\n',
      'w.whl',
    );
    expect([...rows.keys()]).toEqual(['m.py']);
    expect(rows.get('m.py')?.digest.toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(isRecordExempt('d.dist-info/RECORD', 'd.dist-info')).toBe(true);
    expect(isRecordExempt('d.dist-info/METADATA', 'd.dist-info')).toBe(false);
  });

  it('refuses weak hashes and missing sizes', () => {
    expect(() => parseRecord('m.py,md5=abc,1\n', 'w.whl')).toThrow(/sha256 or a stronger/);
    expect(() => parseRecord('m.py,sha256=abc,\n', 'w.whl')).toThrow(ArchiveError);
  });
});

describe('placeMember (PEP 427 spread)', () => {
  const data = 'greet-1.0.data';
  it.each([
    ['greet/__init__.py', 'greet/__init__.py', false],
    [`${data}/purelib/x.py`, 'x.py', false],
    [`${data}/platlib/p/y.so`, 'p/y.so', false],
    [`${data}/scripts/tool`, 'bin/tool', true],
    [`${data}/headers/h.h`, `${data}/headers/h.h`, false],
    [`${data}/data/share/f`, `${data}/data/share/f`, false],
  ])('%s -> %s', (member, path, isScript) => {
    expect(placeMember(member, data, 'greet-1.0-py3-none-any.whl')).toEqual({ path, isScript });
  });

  it('rejects unknown schemes', () => {
    expect(() => placeMember(`${data}/etc/x`, data, 'w.whl')).toThrow(/unknown install scheme 'etc'/);
  });
});
