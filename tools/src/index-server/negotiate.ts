/** PEP 691 content types the index can answer with. */
export const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML = 'application/vnd.pypi.simple.v1+html';
export const TEXT_HTML = 'text/html';

export type SimpleFormat = typeof SIMPLE_JSON | typeof SIMPLE_HTML | typeof TEXT_HTML;

// PEP 691: `latest` aliases resolve to the newest version the server supports.
const ALIASES: Record<string, SimpleFormat> = {
  [SIMPLE_JSON]: SIMPLE_JSON,
  [SIMPLE_HTML]: SIMPLE_HTML,
  'application/vnd.pypi.simple.latest+json': SIMPLE_JSON,
  'application/vnd.pypi.simple.latest+html': SIMPLE_HTML,
  [TEXT_HTML]: TEXT_HTML,
  'text/*': TEXT_HTML,
  '*/*': TEXT_HTML,
};

/**
 * PEP 691 content negotiation: the acceptable type with the highest q wins; ties go to the one listed
 * first. No Accept header means text/html; nothing acceptable means undefined (406).
 */
export function negotiateFormat(accept: string | undefined): SimpleFormat | undefined {
  if (accept === undefined || accept.trim() === '') return TEXT_HTML;
  let best: { format: SimpleFormat; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    const format = ALIASES[type.toLowerCase()];
    if (format === undefined) continue;
    const qParam = params.find((p) => /^q=/i.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0) continue;
    if (best === undefined || q > best.q) best = { format, q };
  }
  return best?.format;
}
