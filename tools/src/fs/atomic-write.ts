import { copyFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { commit, removeTemp, tempPathBeside } from '@nx-pex/common';

/** Copy `from` to `path` through a temp file in the destination directory. */
export async function copyFileAtomic(from: string, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathBeside(path);
  try {
    await copyFile(from, temp);
  } catch (err) {
    await removeTemp(temp);
    throw err;
  }
  await commit(temp, path);
}
