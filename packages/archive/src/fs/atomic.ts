import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temp path in the same directory as `target`, so the final rename is atomic (same filesystem). */
export function tempPathBeside(target: string, suffix = 'tmp'): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.${suffix}`);
}

/**
 * Rename `temp` to `target`. When `target` is a directory (a pex of another layout, or a previous
 * directory pex) a plain rename cannot replace it: move it aside first, then remove it.
 */
export async function replaceWith(temp: string, target: string): Promise<void> {
  try {
    await rename(temp, target);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR' && code !== 'EPERM')
      throw error;
  }
  const old = tempPathBeside(target, 'old');
  await rename(target, old);
  await rename(temp, target);
  await rm(old, { recursive: true, force: true });
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
    await replaceWith(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Fill a temp directory beside `target`, then rename it into place (replacing what was there). */
export async function writeDirectoryAtomic<T>(target: string, fill: (dir: string) => Promise<T>): Promise<T> {
  const temp = tempPathBeside(target);
  await mkdir(temp, { mode: 0o755 });
  try {
    const result = await fill(temp);
    await replaceWith(temp, target);
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}
