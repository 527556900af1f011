import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

/**
 * A path inside this package. Templates and schemas live beside the sources (not in dist), so the
 * same lookup works from `src/` in tests and from `dist/` once published.
 */
export function packagePath(...segments: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('nx-pex: cannot find its own package.json');
    dir = parent;
  }
  return join(dir, ...segments);
}
