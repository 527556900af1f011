import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { logger, readJson, type Tree } from '@nx/devkit';
import semver from 'semver';
import { PluginError } from '../../utils/errors.js';

/** The Nx versions nx-pex supports (the peer range of package.json). */
export const SUPPORTED_NX_RANGE = '>=22.0.0 <25.0.0';

export interface FoundNxVersion {
  version: string;
  /** Where it was read, for the error message. */
  source: string;
}

/** The installed `nx` package of the workspace at `root`, if there is one on disk. */
export function installedNxVersion(root: string): FoundNxVersion | undefined {
  let file: string;
  try {
    file = createRequire(join(root, 'package.json')).resolve('nx/package.json');
  } catch {
    return undefined;
  }
  const version: unknown = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
  return typeof version === 'string' ? { version, source: file } : undefined;
}

/** The lowest version the workspace's package.json allows for `nx` (e.g. `^24.0.6` → 24.0.6). */
export function declaredNxVersion(tree: Tree): FoundNxVersion | undefined {
  if (!tree.exists('package.json')) return undefined;
  const pkg = readJson<{ dependencies?: Record<string, string>; devDependencies?: Record<string, string> }>(
    tree,
    'package.json',
  );
  const range = pkg.devDependencies?.['nx'] ?? pkg.dependencies?.['nx'];
  if (range === undefined) return undefined;
  const min = semver.validRange(range) ? semver.minVersion(range) : null;
  if (!min) {
    logger.warn(
      `nx-pex: package.json asks for nx "${range}", which is not a version range; cannot check it against ${SUPPORTED_NX_RANGE}.`,
    );
    return undefined;
  }
  return { version: min.version, source: `package.json ("nx": "${range}")` };
}

/** Fails with the version found and the supported range when the workspace's Nx is outside it. */
export function checkNxVersion(found: FoundNxVersion | undefined): void {
  if (!found) {
    logger.warn(
      `nx-pex: could not find the workspace's Nx version (no installed nx, no "nx" in package.json); nx-pex supports Nx ${SUPPORTED_NX_RANGE}.`,
    );
    return;
  }
  // A pre-release counts as its release: 25.0.0-rc.0 is Nx 25 (outside), 22.0.0-beta.1 is Nx 22 (inside).
  const version = semver.coerce(found.version)?.version;
  if (!version || !semver.satisfies(version, SUPPORTED_NX_RANGE)) {
    throw new PluginError(
      'UNSUPPORTED_NX_VERSION',
      `nx-pex supports Nx ${SUPPORTED_NX_RANGE}, but this workspace has Nx ${found.version} (from ${found.source}). Use a supported Nx version (nx migrate) or an nx-pex release that supports it.`,
    );
  }
}

/** The Nx version of the workspace: the installed one, else the one package.json declares. */
export function workspaceNxVersion(tree: Tree): FoundNxVersion | undefined {
  return installedNxVersion(tree.root) ?? declaredNxVersion(tree);
}
