import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temp path in the same directory as `target`, so the final rename is atomic (same filesystem). */
export function tempPathBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Write `target` through a temp file in the same directory and rename it into place, so a reader
 * never sees half a file. The mode is set with fchmod, so the umask does not change it.
 */
export async function writeFileAtomic(
  target: string,
  mode: number,
  write: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const temp = tempPathBeside(target);
  const handle = await open(temp, 'wx', mode);
  try {
    await write(handle);
    await handle.chmod(mode);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
