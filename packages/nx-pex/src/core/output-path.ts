import { posix } from 'node:path';

/**
 * Where a pex goes by default: `dist/<projectRoot>/<name>.pex` for every layout. A packed or loose
 * pex is a directory of that name that `python3 <name>.pex` runs (its `__main__.py`), as pex does.
 * Kept apart from the model so that createNodes loads nothing heavy.
 */
export function defaultOutputPath(projectRoot: string, name: string): string {
  return posix.join('dist', projectRoot, `${name}.pex`);
}
