import { describe, expect, it } from 'vitest';
import { redactUrl, Credentials } from '../http/credentials.js';
import { parseSimpleHtml } from './html.js';
import { parseSimpleJson } from './json.js';

describe('parseSimpleHtml (PEP 503 / 592 / 658)', () => {
  const page = `<!DOCTYPE html><html><body>
    <a href="../../files/pkg-1.0-py3-none-any.whl#sha256=ABCDEF" data-requires-python="&gt;=3.8" data-core-metadata="sha256=12ab">pkg-1.0-py3-none-any.whl</a>
    <a href='https://cdn.example/pkg-0.9.tar.gz' data-yanked="">pkg-0.9.tar.gz</a>
    <a data-yanked="bad build" href=/x/pkg%2B-0.8-py3-none-any.whl>x</a>
  </body></html>`;

  it('resolves hrefs, reads hashes, requires-python, yanked and metadata', () => {
    const files = parseSimpleHtml(page, 'http://h/simple/pkg/', 'http://h/simple/pkg/');
    expect(files).toEqual([
      {
        filename: 'pkg-1.0-py3-none-any.whl',
        url: 'http://h/files/pkg-1.0-py3-none-any.whl',
        hashes: { sha256: 'abcdef' },
        requiresPython: '>=3.8',
        yanked: false,
        coreMetadata: { hashes: { sha256: '12ab' } },
        source: 'http://h/simple/pkg/',
      },
      {
        filename: 'pkg-0.9.tar.gz',
        url: 'https://cdn.example/pkg-0.9.tar.gz',
        hashes: {},
        yanked: true,
        coreMetadata: false,
        source: 'http://h/simple/pkg/',
      },
      {
        filename: 'pkg+-0.8-py3-none-any.whl',
        url: 'http://h/x/pkg%2B-0.8-py3-none-any.whl',
        hashes: {},
        yanked: 'bad build',
        coreMetadata: false,
        source: 'http://h/simple/pkg/',
      },
    ]);
  });

  it('honours <base href>', () => {
    const files = parseSimpleHtml(
      '<base href="https://mirror/f/"><a href="a-1.0.tar.gz">a</a>',
      'http://h/simple/a/',
      's',
    );
    expect(files[0]?.url).toBe('https://mirror/f/a-1.0.tar.gz');
  });
});

describe('parseSimpleJson (PEP 691)', () => {
  it('reads files, hashes, yanked reasons and core-metadata', () => {
    const doc = JSON.stringify({
      meta: { 'api-version': '1.1' },
      name: 'pkg',
      files: [
        {
          filename: 'pkg-1.0-py3-none-any.whl',
          url: '../../files/pkg-1.0-py3-none-any.whl',
          hashes: { sha256: 'AA' },
          'requires-python': '>=3.9',
          yanked: 'oops',
          'core-metadata': { sha256: 'bb' },
        },
        { filename: 'pkg-1.0.tar.gz', url: 'https://x/pkg-1.0.tar.gz', hashes: {} },
      ],
    });
    expect(parseSimpleJson(doc, 'http://h/simple/pkg/', 's')).toEqual([
      {
        filename: 'pkg-1.0-py3-none-any.whl',
        url: 'http://h/files/pkg-1.0-py3-none-any.whl',
        hashes: { sha256: 'aa' },
        requiresPython: '>=3.9',
        yanked: 'oops',
        coreMetadata: { hashes: { sha256: 'bb' } },
        source: 's',
      },
      {
        filename: 'pkg-1.0.tar.gz',
        url: 'https://x/pkg-1.0.tar.gz',
        hashes: {},
        yanked: false,
        coreMetadata: false,
        source: 's',
      },
    ]);
  });

  it('rejects an unsupported major API version', () => {
    expect(() => parseSimpleJson('{"meta":{"api-version":"2.0"},"files":[]}', 'http://h/', 's')).toThrow(/only 1.x/);
  });
});

describe('credentials', () => {
  it('never leaves userinfo in URLs and sends it per origin', () => {
    const c = new Credentials();
    expect(c.register('https://me:s%40cret@idx.example/simple/')).toBe('https://idx.example/simple/');
    expect(c.authorization('https://idx.example/files/a.whl')).toBe(
      `Basic ${Buffer.from('me:s@cret').toString('base64')}`,
    );
    expect(c.authorization('https://other.example/files/a.whl')).toBeUndefined();
    expect(redactUrl('https://tok@h/x')).toBe('https://h/x');
    expect(redactUrl('/local/path')).toBe('/local/path');
  });
});
