import { ArchiveError } from '../errors.js';
import type { InstalledWheelTree } from '../wheel/installed-wheel-tree.js';
import { RangeReader } from '../fs/range-reader.js';
import { readTreeEntry } from '../wheel/tree-member.js';

export interface TreeOnDisk {
  tree: InstalledWheelTree;
  /** The wheel file the tree's raw ranges point into. */
  path: string;
}

/** The names in the `[section]` of an entry_points.txt (PyPA entry points spec: INI, `name = module:attr [extras]`). */
export function entryPointNames(text: string, section: string): string[] {
  const names: string[] = [];
  let current: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[') && line.endsWith(']')) current = line.slice(1, -1).trim();
    else if (current === section && line.includes('=')) names.push(line.slice(0, line.indexOf('=')).trim());
  }
  return names;
}

/** The scripts the distributions offer: console_scripts entry points and `.data/scripts` files (`bin/`). */
export async function availableScripts(trees: TreeOnDisk[]): Promise<Set<string>> {
  const names = new Set<string>();
  for (const { tree, path } of trees) {
    for (const entry of tree.entries) {
      if (entry.path.startsWith('bin/') && !entry.path.slice(4).includes('/')) names.add(entry.path.slice(4));
    }
    const entryPoints = tree.entries.find((entry) => /^[^/]+\.dist-info\/entry_points\.txt$/.test(entry.path));
    if (entryPoints === undefined) continue;
    const reader = await RangeReader.open(path);
    try {
      const text = (await readTreeEntry(reader, entryPoints, tree.wheel)).toString('utf8');
      for (const name of entryPointNames(text, 'console_scripts')) names.add(name);
    } finally {
      await reader.close();
    }
  }
  return names;
}

/** A `script` must be offered by one of the distributions, as pex requires. */
export async function checkScript(script: string, trees: TreeOnDisk[]): Promise<void> {
  if (!/^[^\s/\\]+$/.test(script)) {
    throw new ArchiveError('INVALID_ENTRY_POINT', `script '${script}' is not a script name (no spaces or slashes); fix the script option.`);
  }
  const available = await availableScripts(trees);
  if (!available.has(script)) {
    const offered = [...available].sort();
    throw new ArchiveError(
      'INVALID_ENTRY_POINT',
      `script '${script}' is not a console script or .data/scripts script of any distribution in the pex (${offered.length > 0 ? `available: ${offered.join(', ')}` : 'none offer scripts'}); fix the script option or add the distribution that provides it.`,
    );
  }
}
