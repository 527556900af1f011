import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The user's cache home (XDG base directories): $XDG_CACHE_HOME, else $HOME/.cache. Every variable,
 * HOME included, is read from `env`, so a caller that passes a workspace's environment gets that
 * workspace's cache; the OS home directory is the last resort. Empty variables count as unset.
 */
export function userCacheHome(env: Env = process.env): string {
  return env['XDG_CACHE_HOME'] || join(env['HOME'] || homedir(), '.cache');
}

/** The nx-pex user cache: $NX_PEX_CACHE_DIR, else `<cache home>/nx-pex` (see userCacheHome). */
export function userCacheDir(env: Env = process.env): string {
  return env['NX_PEX_CACHE_DIR'] || join(userCacheHome(env), 'nx-pex');
}
