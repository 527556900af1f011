import type { IndexFile } from './types.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decode the HTML character references index pages use (`&gt;=3.8`, `&#x27;`). */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
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
