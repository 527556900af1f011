import { describe, expect, it } from 'vitest';
import { acceptFiles, joinAccepted, namesChecked, type SkippedLink } from './accept.js';
import { parseSimpleJson } from './json.js';
import type { IndexFile } from './types.js';

const SHA = 'a'.repeat(64);
const page = 'https://idx.example/simple/pkg/';
const file = (filename: string, extra: Partial<IndexFile> = {}): IndexFile => ({
  filename,
  url: `https://idx.example/files/${filename}`,
  hashes: { sha256: SHA },
  yanked: false,
  coreMetadata: false,
  source: page,
  ...extra,
});

describe('acceptFiles', () => {
  it('keeps usable files in page order and reports each skipped one with its reason', () => {
    const files = [
      file('pkg-1.0-py3-none-any.whl'),
      file('pkg-1.0.tar.gz', { hashes: { sha256: SHA.toUpperCase() } }),
      file('pkg-1.0-py3-none-any.whl', { coreMetadata: { hashes: { sha256: 'x' } } }),
      file('pkg-1.0.exe'),
      file('pkg-1.0-py3-none-any.whl', { url: 'ftp://idx.example/pkg-1.0-py3-none-any.whl' }),
      file('pkg-2.0.zip'),
    ];
    const skipped: SkippedLink[] = [];
    const usable = acceptFiles(files, page, skipped, true);
    expect(usable).toEqual([files[0], files[5]]);
    expect(skipped.map((s) => s.reason)).toEqual([
      'its sha256 is not 64 hex digits',
      'the sha256 of its metadata file (PEP 658) is not 64 hex digits',
      expect.stringMatching(/^the filename is not "\{name\}-\{version\}"/),
      'the URL uses the scheme ftp: (only http:, https: are fetched)',
    ]);
  });

  it('marks its lists, and joins of them, as checked: grouping them by release checks no name again', () => {
    const checked = acceptFiles([file('pkg-1.0-py3-none-any.whl')], page, [], true);
    expect(namesChecked(checked)).toBe(true);
    expect(namesChecked([file('pkg-1.0-py3-none-any.whl')])).toBe(false);
    expect(namesChecked(joinAccepted([checked, [], checked]))).toBe(true);
    expect(namesChecked(joinAccepted([checked, [file('../x-1.0.tar.gz')]]))).toBe(false);
    expect(joinAccepted([checked, [], checked])).toHaveLength(2);
  });
});

describe('parseSimpleJson hashes', () => {
  it('lower-cases algorithms and digests, keeps only strings, and never takes `__proto__` as an algorithm', () => {
    const doc = (hashes: string) =>
      `{"meta":{"api-version":"1.1"},"files":[{"filename":"pkg-1.0.tar.gz","url":"https://idx.example/f/pkg-1.0.tar.gz","hashes":${hashes}}]}`;
    const hashesOf = (hashes: string) => parseSimpleJson(doc(hashes), page, page)[0]!.hashes;
    expect(hashesOf(`{"sha256":"${SHA}"}`)).toEqual({ sha256: SHA });
    expect(hashesOf(`{"SHA256":"${SHA.toUpperCase()}","md5":1}`)).toEqual({ sha256: SHA });
    expect(Object.keys(hashesOf(`{"__proto__":"${SHA}","sha256":"${SHA}"}`))).toEqual(['sha256']);
    expect(hashesOf(`["${SHA}"]`)).toEqual({ 0: SHA });
    expect(hashesOf('null')).toEqual({});
  });
});
