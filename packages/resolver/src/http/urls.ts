import { ResolverError } from '../errors.js';
import { redactUrl } from './credentials.js';

const MAX_SHOWN = 200;

/**
 * A URL as messages show it: without credentials, and cut to a couple of hundred characters (a 414
 * or a hostile page must not make an error echo a multi-megabyte URL).
 */
export function displayUrl(url: string): string {
  const safe = redactUrl(url);
  return safe.length <= MAX_SHOWN ? safe : `${safe.slice(0, MAX_SHOWN - 40)}…[${safe.length} characters]`;
}

/** Schemes a distribution or page may be fetched from: HTTP(S), and local files. */
export type Scheme = 'http:' | 'https:' | 'file:';

/**
 * Why `url` cannot be fetched (not absolute, a bad port, a scheme such as javascript:, data: or
 * ftp:), or undefined. `schemes` narrows what is allowed (an HTTP page may not point at local files).
 */
export function urlProblem(url: string, schemes: readonly Scheme[] = ['http:', 'https:', 'file:']): string | undefined {
  if (isPlainHttpsUrl(url)) return schemeProblem(url, schemes);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL (or its host or port is invalid)';
  }
  if (!(schemes as readonly string[]).includes(parsed.protocol))
    return `uses the scheme ${parsed.protocol} (only ${schemes.join(', ')} are fetched)`;
  if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && !parsed.hostname) return 'has no host';
  return undefined;
}

/**
 * `urlProblem` of a URL as WHATWG URL serializes it (`new URL(x).toString()`): it is absolute and,
 * for http(s), has a host (the parser requires one), so only its scheme can be wrong.
 */
export function schemeProblem(serialized: string, schemes: readonly Scheme[]): string | undefined {
  const protocol = serialized.slice(0, serialized.indexOf(':') + 1);
  return (schemes as readonly string[]).includes(protocol)
    ? undefined
    : `uses the scheme ${protocol} (only ${schemes.join(', ')} are fetched)`;
}

/** `url` from a setting, checked: INVALID_CONFIG naming the setting when it cannot be fetched. */
export function checkSettingUrl(url: string, setting: string, schemes?: readonly Scheme[]): string {
  const problem = urlProblem(url, schemes);
  if (problem)
    throw new ResolverError(
      'INVALID_CONFIG',
      `${setting}: ${JSON.stringify(displayUrl(url))} ${problem}. Fix ${setting}.`,
    );
  return url;
}

// An absolute https URL that WHATWG URL parsing accepts and leaves as it is (lower-case host, no
// port, query, fragment, percent-escape or dot segment): index pages list thousands of these, and
// taking them as they are saves a URL parse each. Only the host can make such a URL invalid or
// change it (an IPv4 number, say): each host is parsed once.
const PLAIN_URL = /^https:\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*)\/[A-Za-z0-9_~+=,@!$&'()*;:./-]*$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;
const plainHosts = new Map<string, boolean>();
const MAX_PLAIN_HOSTS = 256;

function plainHost(host: string): boolean {
  let ok = plainHosts.get(host);
  if (ok === undefined) {
    ok = URL.parse(`https://${host}/`)?.host === host;
    if (plainHosts.size < MAX_PLAIN_HOSTS) plainHosts.set(host, ok);
  }
  return ok;
}

/** True when `text` is such a plain https URL: `new URL(text).toString() === text`, with a host. */
export function isPlainHttpsUrl(text: string): boolean {
  const m = PLAIN_URL.exec(text);
  return m !== null && !DOT_SEGMENT.test(text) && !text.includes('//', 8) && plainHost(m[1]!);
}
