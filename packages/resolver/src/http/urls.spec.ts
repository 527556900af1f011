import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainHttpsUrl, schemeProblem, urlProblem } from './urls.js';

describe('isPlainHttpsUrl', () => {
  it('holds only for URLs that WHATWG URL parsing takes as they are', () => {
    const plain = [
      'https://files.pythonhosted.org/packages/aa/bb/demo-1.0-py3-none-any.whl',
      'https://127.0.0.1/simple/x/',
      "https://a-b.example/p/q_r~s+t=u,v@w!x$y&z'()*;:.-",
    ];
    for (const url of plain) {
      expect(isPlainHttpsUrl(url), url).toBe(true);
      expect(new URL(url).href).toBe(url);
    }
    const other = [
      'https://1.2.3.999/x', // not an IPv4 address: invalid
      'https://0x10/x', // an IPv4 number: serialized as 0.0.0.16
      'https://a.example/./x',
      'https://a.example/x/..',
      'https://a.example//x',
      'https://A.example/x',
      'https://a.example:443/x',
      'https://a.example/x?y',
      'https://a.example/%2e/x',
      'http://a.example/x',
      'https://a.example',
    ];
    for (const url of other) expect(isPlainHttpsUrl(url), url).toBe(false);
  });

  it('implies that the URL serializes to itself (generated URLs)', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    const host = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
    const path = fc.stringMatching(/^[A-Za-z0-9_~+=,@!$&'()*;:./%?#-]{0,30}$/);
    fc.assert(
      fc.property(host, path, (h, p) => {
        const url = `https://${h}/${p}`;
        if (isPlainHttpsUrl(url)) expect(URL.parse(url)?.href).toBe(url);
        expect(urlProblem(url, ['https:'])).toEqual(URL.parse(url) ? undefined : expect.any(String));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('schemeProblem', () => {
  it('agrees with urlProblem on serialized URLs', () => {
    for (const url of ['https://a.example/x', 'http://a.example/x', 'file:///tmp/x', 'ftp://a.example/x', 'data:,x']) {
      const serialized = new URL(url).href;
      for (const schemes of [['http:', 'https:'], ['http:', 'https:', 'file:'], ['https:']] as const)
        expect(schemeProblem(serialized, schemes)).toBe(urlProblem(serialized, schemes));
    }
  });
});
