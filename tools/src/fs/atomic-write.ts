import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Write to a temp path in the same directory, then rename: a reader never sees half a file. */
export function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  return viaTemp(path, (tmp) => writeFile(tmp, content));
}

/** Copy `from` to `path` through a temp file in the destination directory. */
export function copyFileAtomic(from: string, path: string): Promise<void> {
  return viaTemp(path, (tmp) => copyFile(from, tmp));
}

async function viaTemp(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
