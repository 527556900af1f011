import { compareNames } from '../pex/content-hash.js';
import { deflatedEntry, type ZipEntry } from '../zip/writer.js';
import { BOOTSTRAP_DIR, DEPS_DIR, treeEntries, type PexContents, type WriteProgress, type WrittenPex } from './contents.js';
import { writeZipFile } from './zip-file.js';

/** The zipapp layout: one executable file, the shebang line followed by a zip of everything. */
export async function writeZipapp(outputPath: string, contents: PexContents, progress: WriteProgress): Promise<WrittenPex> {
  const entries: ZipEntry[] = [
    ...contents.rootFiles.map((file) => deflatedEntry(file.path, file.content, file.mode)),
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
