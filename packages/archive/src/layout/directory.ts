import { createHash } from 'node:crypto';
import { chmod, mkdir, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeDirectoryAtomic } from '@nx-pex/common';
import { RangeReader } from '../fs/range-reader.js';
import { compareNames } from '../pex/content-hash.js';
import { readTreeEntry } from '../wheel/tree-member.js';
import { deflatedEntry } from '../zip/writer.js';
import {
  BOOTSTRAP_DIR,
  DEPS_DIR,
  DIRECTORY_LAUNCHER,
  treeEntries,
  type Layout,
  type OwnFile,
  type PexContents,
  type WriteProgress,
  type WrittenPex,
} from './contents.js';
import { writeZipFile } from './zip-file.js';

/** 1980-01-01T00:00:00Z, the zip timestamp: every file of a directory pex gets it, so copies compare equal. */
const FIXED_MTIME = new Date(Date.UTC(1980, 0, 1));

/** One file of a directory pex, for the digest that identifies the whole directory. */
interface ManifestLine {
  path: string;
  mode: number;
  size: number;
  sha256: string;
}

/**
 * The directory layouts. `packed`: PEX-INFO, `__main__.py`, `pex` and the sources as files, the
 * runtime as one zip (`.bootstrap`) and each installed wheel as one zip (`.deps/<wheel>`), so a
 * dependency change touches one file (friendly to caches and container layers). `loose`: all exploded.
 */
export async function writeDirectoryPex(
  outputPath: string,
  layout: Exclude<Layout, 'zipapp'>,
  contents: PexContents,
  progress: WriteProgress,
): Promise<WrittenPex> {
  const mainPy = contents.rootFiles.find((file) => file.path === '__main__.py');
  const launcher: OwnFile[] = mainPy
    ? [
        {
          path: DIRECTORY_LAUNCHER,
          content: Buffer.concat([Buffer.from(`${contents.shebang}\n`), mainPy.content]),
          mode: 0o755,
        },
      ]
    : [];
  const treeFiles = contents.trees.reduce((sum, { tree }) => sum + (layout === 'loose' ? tree.entries.length : 1), 0);
  const total =
    contents.rootFiles.length + launcher.length + (layout === 'loose' ? contents.bootstrap.length : 1) + treeFiles;
  return writeDirectoryAtomic(outputPath, async (dir) => {
    const manifest: ManifestLine[] = [];
    const report = (): void => {
      if (manifest.length % 1000 === 0 || manifest.length === total) progress(manifest.length, total);
    };
    const put = async (path: string, content: Buffer, mode: number): Promise<void> => {
      await writeFixedFile(join(dir, path), content, mode);
      manifest.push({ path, mode, size: content.length, sha256: createHash('sha256').update(content).digest('hex') });
      report();
    };
    for (const file of [...contents.rootFiles, ...launcher]) await put(file.path, file.content, file.mode);
    if (layout === 'loose') {
      for (const file of contents.bootstrap) await put(`${BOOTSTRAP_DIR}/${file.path}`, file.content, file.mode);
      for (const { tree, path } of contents.trees) {
        const reader = await RangeReader.open(path);
        try {
          for (const entry of tree.entries) {
            await put(
              `${DEPS_DIR}/${tree.wheel}/${entry.path}`,
              await readTreeEntry(reader, entry, tree.wheel),
              entry.mode,
            );
          }
        } finally {
          await reader.close();
        }
      }
    } else {
      const zip = async (path: string, entries: Parameters<typeof writeZipFile>[2]): Promise<void> => {
        const target = join(dir, path);
        await mkdir(dirname(target), { recursive: true });
        const written = await writeZipFile(target, 0o644, entries);
        await utimes(target, FIXED_MTIME, FIXED_MTIME);
        manifest.push({ path, mode: 0o644, size: written.size, sha256: written.sha256 });
        report();
      };
      const bootstrap = contents.bootstrap
        .map((file) => deflatedEntry(file.path, file.content, file.mode))
        .sort((a, b) => compareNames(a.name, b.name));
      await zip(BOOTSTRAP_DIR, bootstrap);
      for (const { tree, path } of contents.trees) await zip(`${DEPS_DIR}/${tree.wheel}`, treeEntries(tree, path, ''));
    }
    return summarize(manifest);
  });
}

async function writeFixedFile(path: string, content: Buffer, mode: number): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, { mode, flag: 'wx' });
  await chmod(path, mode); // the umask does not decide the mode
  await utimes(path, FIXED_MTIME, FIXED_MTIME);
}

/** The directory's digest: sha256 over its sorted (path, mode, sha256) lines, so it is independent of write order. */
function summarize(manifest: ManifestLine[]): WrittenPex {
  const hash = createHash('sha256');
  let size = 0;
  for (const line of [...manifest].sort((a, b) => compareNames(a.path, b.path))) {
    hash.update(`${line.path}\0${line.mode.toString(8)}\0${line.sha256}\n`);
    size += line.size;
  }
  return { size, sha256: hash.digest('hex'), zip64: false, fileCount: manifest.length };
}
