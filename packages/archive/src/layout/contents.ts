import type { TreeOnDisk } from '../pex/script.js';
import { BOOTSTRAP_DIR } from '../bootstrap/runtime-files.js';
import type { InstalledWheelTree } from '../wheel/installed-wheel-tree.js';
import type { ZipReuse } from '../zip/reuse.js';
import type { ZipEntry } from '../zip/writer.js';

/** pex's layouts: one zip file, a directory of zips (one per dependency), or everything exploded. */
export type Layout = 'zipapp' | 'packed' | 'loose';

export const LAYOUTS: readonly Layout[] = ['zipapp', 'packed', 'loose'];

/** A file we produce ourselves (PEX-INFO, the runtime, the project's sources). */
export interface OwnFile {
  path: string;
  content: Buffer;
  mode: number;
}

/** Everything that goes into a pex, whatever the layout. Paths are pex's names. */
export interface PexContents {
  shebang: string;
  /** Files at the pex root: PEX-INFO, __main__.py, the sources. */
  rootFiles: OwnFile[];
  /** The runtime package, relative to `.bootstrap/`. */
  bootstrap: OwnFile[];
  trees: TreeOnDisk[];
}

export interface WrittenPex {
  size: number;
  sha256: string;
  /** Whether a zip needed ZIP64 records (zipapp only: CPython < 3.13 zipimport cannot read those). */
  zip64: boolean;
  fileCount: number;
  /** Present when a previous zipapp was given: what of it was kept, or why nothing was. */
  reuse?: ZipReuse;
}

export type WriteProgress = (done: number, total: number) => void;

export { BOOTSTRAP_DIR };
export const DEPS_DIR = '.deps';
/** pex's directory layouts carry an executable `pex` beside `__main__.py` (same code, with the shebang). */
export const DIRECTORY_LAUNCHER = 'pex';

/** The entries of an installed tree as raw copies from the wheel, under `prefix`. */
export function treeEntries(tree: InstalledWheelTree, wheelPath: string, prefix: string): ZipEntry[] {
  return tree.entries.map((entry) => ({
    name: `${prefix}${entry.path}`,
    mode: entry.mode,
    method: entry.method,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    size: entry.size,
    data: { kind: 'file-range', path: wheelPath, start: entry.dataStart },
  }));
}
