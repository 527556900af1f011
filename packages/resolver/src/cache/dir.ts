import { homedir } from 'node:os';
import { join } from 'node:path';

/** The artifact cache root: $NX_PEX_CACHE_DIR, else $XDG_CACHE_HOME/nx-pex, else ~/.cache/nx-pex. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.NX_PEX_CACHE_DIR) return env.NX_PEX_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'nx-pex');
  return join(env.HOME || homedir(), '.cache', 'nx-pex');
}
