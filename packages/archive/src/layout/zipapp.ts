import { compareNames } from '../pex/content-hash.js';
import { deflatedEntry, storedEntry, type ZipEntry } from '../zip/writer.js';
import {
  BOOTSTRAP_DIR,
  DEPS_DIR,
  treeEntries,
  type PexContents,
  type WriteProgress,
  type WrittenPex,
} from './contents.js';
import { writeZipFile } from './zip-file.js';
import type { PreviousZip } from '../zip/reuse.js';

/**
 * Read from the zip on every start (zipimport runs `__main__.py`, the runtime reads PEX-INFO through
 * it): stored, so a warm start never imports zlib (an extension module: ~1 ms).
 */
const WARM_PATH_FILES = new Set(['__main__.py', 'PEX-INFO']);

/** The zipapp's zip entries, sorted, and the first line before them. */
export function zipappEntries(contents: PexContents): { preamble: Buffer; entries: ZipEntry[] } {
  const entries: ZipEntry[] = [
    ...contents.rootFiles.map((file) =>
      (WARM_PATH_FILES.has(file.path) ? storedEntry : deflatedEntry)(file.path, file.content, file.mode),
    ),
    ...contents.bootstrap.map((file) => deflatedEntry(`${BOOTSTRAP_DIR}/${file.path}`, file.content, file.mode)),
    ...contents.trees.flatMap(({ tree, path }) => treeEntries(tree, path, `${DEPS_DIR}/${tree.wheel}/`)),
  ].sort((a, b) => compareNames(a.name, b.name));
  return { preamble: Buffer.from(`${contents.shebang}\n`), entries };
}

/**
 * The zipapp layout: one executable file, the shebang line followed by a zip of everything. With
 * `previous` (the zipapp this one replaces), its identical leading part is kept instead of rewritten.
 */
export async function writeZipapp(
  outputPath: string,
  contents: PexContents,
  progress: WriteProgress,
  previous?: PreviousZip,
): Promise<WrittenPex> {
  const { preamble, entries } = zipappEntries(contents);
  const options = { preamble, onEntry: (done: number) => progress(done, entries.length) };
  // The reuse (and the zip reader it needs) loads only for a rewrite.
  const reused = previous
    ? await (await import('../zip/reuse.js')).writeZipReusing(outputPath, 0o755, entries, options, previous)
    : undefined;
  const written =
    reused !== undefined && 'written' in reused
      ? reused.written
      : await writeZipFile(outputPath, 0o755, entries, options);
  progress(entries.length, entries.length);
  const reuse =
    reused === undefined
      ? {}
      : { reuse: 'written' in reused ? { keptBytes: reused.keptBytes } : { fallback: reused.fallback } };
  return { ...written, fileCount: entries.length, ...reuse };
}
