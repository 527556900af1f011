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
