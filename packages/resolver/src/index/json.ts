import { ResolverError } from '../errors.js';
import { isPlainHttpsUrl } from '../http/urls.js';
import { filenameOf } from './html.js';
import type { IndexFile } from './types.js';

export const PEP691_JSON = 'application/vnd.pypi.simple.v1+json';

interface JsonFile {
  filename?: unknown;
  url?: unknown;
  hashes?: unknown;
  'requires-python'?: unknown;
  yanked?: unknown;
  'core-metadata'?: unknown;
  'dist-info-metadata'?: unknown;
  size?: unknown;
}

/** Whether each enumerable key of a parsed JSON object is an own, lower-case one with a lower-case string. */
function lowerCaseStrings(object: Record<string, unknown>): boolean {
  for (const k in object) {
    const v = object[k];
    // `__proto__` would not survive a copy (an assignment sets the prototype).
    if (typeof v !== 'string' || !Object.hasOwn(object, k) || k === '__proto__') return false;
    if (k !== k.toLowerCase() || v !== v.toLowerCase()) return false;
  }
  return true;
}

/** String-valued own keys, both lower-cased (PEP 691 `hashes`: algorithm → hex digest). */
function hashMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  const hashes = value as Record<string, unknown>;
  // Mostly `{"sha256": "<lower-case hex>"}` already: kept as it is (one object fewer per file).
  if (!Array.isArray(hashes) && lowerCaseStrings(hashes)) return hashes as Record<string, string>;
  const out: Record<string, string> = {};
  for (const k in hashes) {
    const v = hashes[k];
    if (Object.hasOwn(hashes, k) && typeof v === 'string') out[k.toLowerCase()] = v.toLowerCase();
  }
  return out;
}

function resolveUrl(text: string, pageUrl: string): string | undefined {
  const url = URL.parse(text, pageUrl);
  if (!url) return undefined;
  url.hash = '';
  return url.toString();
}

/** Parse a PEP 691 JSON project page. */
export function parseSimpleJson(text: string, pageUrl: string, source: string): IndexFile[] {
  let doc: { meta?: { 'api-version'?: unknown }; files?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    throw new ResolverError(
      'INDEX_ERROR',
      `The index page ${source} is not valid PEP 691 JSON. Check that the index URL points at a simple repository.`,
      { cause: err },
    );
  }
  const version = String(doc.meta?.['api-version'] ?? '1.0');
  if (!version.startsWith('1.')) {
    throw new ResolverError(
      'INDEX_ERROR',
      `The index page ${source} uses simple API version ${version}; only 1.x is supported (PEP 629).`,
    );
  }
  const files: IndexFile[] = [];
  for (const f of Array.isArray(doc.files) ? (doc.files as JsonFile[]) : []) {
    if (typeof f.url !== 'string') continue;
    const url = isPlainHttpsUrl(f.url) ? f.url : resolveUrl(f.url, pageUrl);
    if (url === undefined) continue; // not a URL: pip skips such a file too
    const metadata = f['core-metadata'] ?? f['dist-info-metadata'];
    // Plain assignments rather than conditional spreads: pages list thousands of files.
    const file: IndexFile = {
      filename: typeof f.filename === 'string' ? f.filename : filenameOf(new URL(url)),
      url,
      hashes: hashMap(f.hashes),
      yanked: typeof f.yanked === 'string' ? f.yanked || true : f.yanked === true,
      coreMetadata: metadata === undefined || metadata === false ? false : { hashes: hashMap(metadata) },
      source,
    };
    const requiresPython = f['requires-python'];
    if (typeof requiresPython === 'string' && requiresPython) file.requiresPython = requiresPython;
    if (typeof f.size === 'number' && Number.isSafeInteger(f.size) && f.size >= 0) file.size = f.size;
    files.push(file);
  }
  return files;
}
