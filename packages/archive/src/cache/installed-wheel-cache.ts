import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { canonicalJson, writeFileAtomic } from '@nx-pex/common';
import type { WheelFile } from '../wheel/install.js';
import { INSTALLED_WHEEL_TREE_FORMAT, type InstalledWheelTree } from '../wheel/installed-wheel-tree.js';

export interface PreparedTree {
  tree: InstalledWheelTree;
  fromCache: boolean;
}

/** Cache entries are keyed by the wheel's sha256 and the tree format, so a format change never reads old entries. */
export function cacheEntryPath(cacheDir: string, sha256: string): string {
  return join(cacheDir, `${sha256.toLowerCase()}.v${INSTALLED_WHEEL_TREE_FORMAT}.json`);
}

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The prepared tree of `wheel`: from the cache when a valid entry exists (no re-verification), else
 * installed (verified against RECORD) and stored. An unreadable, truncated or mismatching entry is
 * treated as absent and replaced.
 */
export async function prepareInstalledWheelTree(wheel: WheelFile, cacheDir: string): Promise<PreparedTree> {
  const entryPath = cacheEntryPath(cacheDir, wheel.sha256);
  const cached = await loadEntry(entryPath, wheel);
  if (cached) return { tree: cached, fromCache: true };
  // The installer (zip reader, RECORD check) loads on a miss only: a rebuild from a warm cache needs none of it.
  const tree = await (await import('../wheel/install.js')).installWheel(wheel);
  await mkdir(cacheDir, { recursive: true });
  const body = Buffer.from(canonicalJson({ checksum: sha256Hex(canonicalJson(tree)), tree }));
  await writeFileAtomic(entryPath, 0o644, async (handle) => {
    await handle.writeFile(body);
  });
  return { tree, fromCache: false };
}

/**
 * An entry's bytes, as `canonicalJson({ checksum, tree })` writes them: the checksum (the sha256 of the
 * tree's canonical JSON) first, then that JSON itself, which is checked as it stands (no re-serialising).
 */
const ENTRY_HEAD = /^\{"checksum":"([0-9a-f]{64})","tree":/;

async function loadEntry(entryPath: string, wheel: WheelFile): Promise<InstalledWheelTree | undefined> {
  let tree: InstalledWheelTree | null;
  try {
    const text = readFileSync(entryPath, 'utf8'); // small: synchronous costs a fraction of the CPU
    const head = ENTRY_HEAD.exec(text);
    if (!head || !text.endsWith('}')) return undefined;
    const treeJson = text.slice(head[0].length, -1);
    if (sha256Hex(treeJson) !== head[1]) return undefined;
    tree = JSON.parse(treeJson) as InstalledWheelTree | null;
  } catch {
    return undefined; // absent or corrupt: rebuild it
  }
  if (tree === null || typeof tree !== 'object') return undefined;
  if (
    tree.format !== INSTALLED_WHEEL_TREE_FORMAT ||
    tree.sha256 !== wheel.sha256.toLowerCase() ||
    tree.wheel !== basename(wheel.path) ||
    !Array.isArray(tree.entries)
  ) {
    return undefined;
  }
  // The raw ranges point into the wheel file: it must be the same size as when the tree was made.
  let size = -1;
  try {
    size = statSync(wheel.path).size;
  } catch {
    // no wheel there: the entry cannot serve
  }
  return size === tree.wheelSize ? tree : undefined;
}
