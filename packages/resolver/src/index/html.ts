import type { IndexFile } from './types.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

// Python's html.unescape (which pip's HTML parser applies): references to C1 controls 0x80–0x9F mean
// the windows-1252 character; out of range, surrogates and 0 give U+FFFD; some code points vanish.
const WINDOWS_1252 =
  '\u20ac\x81\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\x8d\u017d\x8f\x90\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\x9d\u017e\u0178';

function invalidCodePoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) ||
    n === 0xb ||
    (n >= 0xe && n <= 0x1f) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) ||
    (n & 0xfffe) === 0xfffe
  );
}

/** A numeric character reference as Python's `html.unescape` decodes it (never throws). */
function numericReference(code: number): string {
  if (code === 0) return '\ufffd';
  if (code === 0x0d) return '\r';
  if (code >= 0x80 && code <= 0x9f) return WINDOWS_1252[code - 0x80] as string;
  if (!(code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
  if (invalidCodePoint(code)) return '';
  return String.fromCodePoint(code);
}

/** Decode the HTML character references index pages use (`&gt;=3.8`, `&#x27;`, `&#99999999999;` → U+FFFD). */
export function unescapeHtml(text: string): string {
  return text.replace(
    /&(?:#([xX])([0-9a-fA-F]+);?|#([0-9]+);?|([a-zA-Z]+);)/g,
    (whole, x?: string, hex?: string, dec?: string, name?: string) => {
      if (name !== undefined) return ENTITIES[name.toLowerCase()] ?? whole;
      return numericReference(x ? parseInt(hex as string, 16) : parseInt(dec as string, 10));
    },
  );
}

function attributes(tag: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (const m of tag.matchAll(re)) {
    attrs.set((m[1] as string).toLowerCase(), unescapeHtml(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attrs;
}

/** Split `#sha256=abc` style fragments into hashes (PEP 503). */
export function hashesFromFragment(url: URL): Record<string, string> {
  const m = /^#([a-z0-9_]+)=([0-9a-f]+)$/i.exec(url.hash);
  return m ? { [(m[1] as string).toLowerCase()]: (m[2] as string).toLowerCase() } : {};
}

/** The file name is the last path segment of the URL (PEP 503), percent-decoded. */
export function filenameOf(url: URL): string {
  const segment = url.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function metadataAttribute(value: string | undefined): IndexFile['coreMetadata'] {
  if (value === undefined || value === 'false') return false;
  const m = /^([a-z0-9_]+)=([0-9a-f]+)$/i.exec(value);
  return { hashes: m ? { [(m[1] as string).toLowerCase()]: (m[2] as string).toLowerCase() } : {} };
}

/**
 * Parse a PEP 503 "simple" HTML page (also a find-links page): every `<a href>` becomes a file,
 * resolved against `<base href>` if present, else against the page URL.
 */
export function parseSimpleHtml(html: string, pageUrl: string, source: string): IndexFile[] {
  const base = /<base\s[^>]*>/i.exec(html);
  const baseHref = base ? attributes(base[0].slice(5, -1)).get('href') : undefined;
  const baseUrl = baseHref ? new URL(baseHref, pageUrl).toString() : pageUrl;
  const files: IndexFile[] = [];
  for (const m of html.matchAll(/<a\s([^>]*)>/gi)) {
    const attrs = attributes(m[1] as string);
    const href = attrs.get('href');
    if (!href) continue;
    let url: URL;
    try {
      url = new URL(href, baseUrl);
    } catch {
      continue;
    }
    const yanked = attrs.get('data-yanked');
    const requiresPython = attrs.get('data-requires-python');
    const metadata = metadataAttribute(attrs.get('data-core-metadata') ?? attrs.get('data-dist-info-metadata'));
    const hashes = hashesFromFragment(url);
    url.hash = '';
    files.push({
      filename: filenameOf(url),
      url: url.toString(),
      hashes,
      ...(requiresPython ? { requiresPython } : {}),
      yanked: yanked === undefined ? false : yanked || true,
      coreMetadata: metadata,
      source,
    });
  }
  return files;
}
