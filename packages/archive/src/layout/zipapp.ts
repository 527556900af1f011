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

/**
 * Read from the zip on every start (zipimport runs `__main__.py`, the runtime reads PEX-INFO through
 * it): stored, so a warm start never imports zlib (an extension module: ~1 ms).
 */
const WARM_PATH_FILES = new Set(['__main__.py', 'PEX-INFO']);

/** The zipapp layout: one executable file, the shebang line followed by a zip of everything. */
export async function writeZipapp(
  outputPath: string,
  contents: PexContents,
  progress: WriteProgress,
): Promise<WrittenPex> {
  const entries: ZipEntry[] = [
    ...contents.rootFiles.map((file) =>
      (WARM_PATH_FILES.has(file.path) ? storedEntry : deflatedEntry)(file.path, file.content, file.mode),
    ),
    ...contents.bootstrap.map((file) => deflatedEntry(`${BOOTSTRAP_DIR}/${file.path}`, file.content, file.mode)),
    ...contents.trees.flatMap(({ tree, path }) => treeEntries(tree, path, `${DEPS_DIR}/${tree.wheel}/`)),
  ].sort((a, b) => compareNames(a.name, b.name));
  const written = await writeZipFile(outputPath, 0o755, entries, {
    preamble: Buffer.from(`${contents.shebang}\n`),
    onEntry: (done) => progress(done, entries.length),
  });
  progress(entries.length, entries.length);
  return { ...written, fileCount: entries.length };
}
