import { netrcFor, type NetrcEntry } from './netrc.js';

/**
 * HTTP basic credentials from URL userinfo (`https://user:token@host/simple/`), as pip accepts them.
 * Credentials are kept per origin so files linked from an authenticated index get them too, and are
 * stripped from every URL that leaves this module (messages, logs, LocalArtifact.url).
 */
export class Credentials {
  private readonly byOrigin = new Map<string, string>();

  /** `netrc`: entries used for hosts whose URLs carry no userinfo (as pip, through requests). */
  constructor(private readonly netrc: readonly NetrcEntry[] = []) {}

  /** Remember the userinfo of `url` (if any) and return the URL without it. */
  register(url: string): string {
    const parsed = tryUrl(url);
    if (!parsed || (!parsed.username && !parsed.password)) return url;
    const user = decodeURIComponent(parsed.username);
    const pass = decodeURIComponent(parsed.password);
    this.byOrigin.set(parsed.origin, `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`);
    return redactUrl(url);
  }

  /** The Authorization header for `url`: its own userinfo, else the one registered for its origin. */
  authorization(url: string): string | undefined {
    const parsed = tryUrl(url);
    if (!parsed) return undefined;
    if (parsed.username || parsed.password) {
      return `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
    }
    const registered = this.byOrigin.get(parsed.origin);
    if (registered) return registered;
    const entry = netrcFor([...this.netrc], parsed.hostname);
    return entry ? `Basic ${Buffer.from(`${entry.login}:${entry.password}`).toString('base64')}` : undefined;
  }
}

function tryUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** `url` without userinfo; safe to print. Non-URLs (local paths) are returned unchanged. */
export function redactUrl(url: string): string {
  const parsed = tryUrl(url);
  // Not a valid URL (a bad port, say) may still carry `user:token@`: cut it by shape.
  if (!parsed) return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  if (!parsed.username && !parsed.password) return url;
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}
