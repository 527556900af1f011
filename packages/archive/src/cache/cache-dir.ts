import { homedir } from 'node:os';
import { join } from 'node:path';

/** The nx-pex user cache: $NX_PEX_CACHE_DIR, else $XDG_CACHE_HOME/nx-pex, else ~/.cache/nx-pex (XDG base dirs). */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['NX_PEX_CACHE_DIR']) return env['NX_PEX_CACHE_DIR'];
  if (env['XDG_CACHE_HOME']) return join(env['XDG_CACHE_HOME'], 'nx-pex');
  return join(homedir(), '.cache', 'nx-pex');
}

export function defaultInstalledWheelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheDir(env), 'installed_wheels');
}
