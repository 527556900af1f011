import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { canonicalJson, writeFileAtomic } from '@nx-pex/common';
import { installWheel, type WheelFile } from '../wheel/install.js';
import { INSTALLED_WHEEL_TREE_FORMAT, type InstalledWheelTree } from '../wheel/installed-wheel-tree.js';

export interface PreparedTree {
  tree: InstalledWheelTree;
  fromCache: boolean;
}

/** Cache entries are keyed by the wheel's sha256 and the tree format, so a format change never reads old entries. */
export function cacheEntryPath(cacheDir: string, sha256: string): string {
  return join(cacheDir, `${sha256.toLowerCase()}.v${INSTALLED_WHEEL_TREE_FORMAT}.json`);
}

function checksum(tree: InstalledWheelTree): string {
  return createHash('sha256').update(canonicalJson(tree)).digest('hex');
}

/**
 * The prepared tree of `wheel`: from the cache when a valid entry exists (no re-verification), else
 * installed (verified against RECORD) and stored. An unreadable, truncated or mismatching entry is
 * treated as absent and replaced.
 */
export async function prepareInstalledWheelTree(wheel: WheelFile, cacheDir: string): Promise<PreparedTree> {
  const entryPath = cacheEntryPath(cacheDir, wheel.sha256);
  const cached = await loadEntry(entryPath, wheel);
  if (cached) return { tree: cached, fromCache: true };
  const tree = await installWheel(wheel);
  await mkdir(cacheDir, { recursive: true });
  const body = Buffer.from(canonicalJson({ checksum: checksum(tree), tree }));
  await writeFileAtomic(entryPath, 0o644, async (handle) => {
    await handle.writeFile(body);
  });
  return { tree, fromCache: false };
}

async function loadEntry(entryPath: string, wheel: WheelFile): Promise<InstalledWheelTree | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(entryPath, 'utf8'));
  } catch {
    return undefined; // absent or corrupt: rebuild it
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const { checksum: stored, tree } = parsed as { checksum?: unknown; tree?: InstalledWheelTree };
  if (typeof stored !== 'string' || tree === undefined || typeof tree !== 'object' || stored !== checksum(tree)) {
    return undefined;
  }
  if (
    tree.format !== INSTALLED_WHEEL_TREE_FORMAT ||
    tree.sha256 !== wheel.sha256.toLowerCase() ||
    tree.wheel !== basename(wheel.path) ||
    !Array.isArray(tree.entries)
  ) {
    return undefined;
  }
  // The raw ranges point into the wheel file: it must be the same size as when the tree was made.
  const size = await stat(wheel.path).then(
    (stats) => stats.size,
    () => -1,
  );
  return size === tree.wheelSize ? tree : undefined;
}
