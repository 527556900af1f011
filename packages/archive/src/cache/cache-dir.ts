import { join } from 'node:path';
import { userCacheDir } from '@nx-pex/common';

export { userCacheDir };

/** Prepared installed-wheel trees: `installed_wheels/` in the nx-pex user cache. */
export function defaultInstalledWheelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userCacheDir(env), 'installed_wheels');
}
