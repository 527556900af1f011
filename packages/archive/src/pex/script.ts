import { ArchiveError } from '../errors.js';
import type { InstalledWheelTree } from '../wheel/installed-wheel-tree.js';
import { RangeReader } from '../fs/range-reader.js';
import { readTreeEntry } from '../wheel/tree-member.js';
import { entryPointItems, isScriptName, isValidScriptEntry, SCRIPT_NAME_GRAMMAR } from '../entry-points/grammar.js';

export interface TreeOnDisk {
  tree: InstalledWheelTree;
  /** The wheel file the tree's raw ranges point into. */
  path: string;
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
      // Entries the runtime would skip (unsafe names, values that are not object references) are not offered.
      for (const { name, value } of entryPointItems(text, 'console_scripts'))
        if (isValidScriptEntry(name, value)) names.add(name);
    } finally {
      await reader.close();
    }
  }
  return names;
}

/** A `script` must be offered by one of the distributions, as pex requires. */
export async function checkScript(
  script: string,
  trees: TreeOnDisk[],
  projectScripts: readonly string[] = [],
): Promise<void> {
  if (!isScriptName(script)) {
    throw new ArchiveError(
      'INVALID_ENTRY_POINT',
      `script '${script}' is not a script name (${SCRIPT_NAME_GRAMMAR}); fix the script option.`,
    );
  }
  const available = await availableScripts(trees);
  for (const name of projectScripts) available.add(name);
  if (!available.has(script)) {
    const offered = [...available].sort();
    throw new ArchiveError(
      'INVALID_ENTRY_POINT',
      `script '${script}' is not a console script or .data/scripts script of any distribution in the pex or of its projects (${offered.length > 0 ? `available: ${offered.join(', ')}` : 'none offer scripts'}); fix the script option or add the distribution that provides it.`,
    );
  }
}
