/**
 * Test helper (not built into the package: `*-files/` is excluded): point pip's index settings and
 * nx-pex's artifact cache at a fixture index and a temp directory, as a user's environment would.
 */
import { join } from 'node:path';

export function useFixtureIndex(indexUrl: string, tmp: string): void {
  process.env['PIP_INDEX_URL'] = indexUrl;
  process.env['PIP_FIND_LINKS'] = '';
  // No pip.conf of this machine's user may add indexes.
  process.env['PIP_CONFIG_FILE'] = join(tmp, 'no-pip.conf');
  process.env['NX_PEX_CACHE_DIR'] = join(tmp, 'cache');
}
