import { describe, expect, it } from 'vitest';
import { negotiateFormat, SIMPLE_HTML, SIMPLE_JSON, TEXT_HTML } from './negotiate.js';

describe('PEP 691 content negotiation', () => {
  it.each<[string | undefined, string | undefined]>([
    [undefined, TEXT_HTML],
    ['', TEXT_HTML],
    ['*/*', TEXT_HTML],
    ['text/html', TEXT_HTML],
    [SIMPLE_JSON, SIMPLE_JSON],
    ['application/vnd.pypi.simple.latest+json', SIMPLE_JSON],
    ['application/vnd.pypi.simple.latest+html', SIMPLE_HTML],
    // pip's header
    [`${SIMPLE_JSON}, ${SIMPLE_HTML}; q=0.1, text/html; q=0.01`, SIMPLE_JSON],
    [`${SIMPLE_JSON};q=0.5, text/html;q=0.9`, TEXT_HTML],
    // ties go to the first listed
    [`${SIMPLE_HTML}, ${SIMPLE_JSON}`, SIMPLE_HTML],
    [`${SIMPLE_JSON};q=0, text/html;q=0.1`, TEXT_HTML],
    ['APPLICATION/VND.PYPI.SIMPLE.V1+JSON', SIMPLE_JSON],
    ['application/xml', undefined],
    [`${SIMPLE_JSON};q=0`, undefined],
    [`${SIMPLE_JSON};q=abc`, undefined],
  ])('Accept %j -> %s', (accept, want) => {
    expect(negotiateFormat(accept)).toBe(want);
  });
});
