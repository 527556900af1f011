import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// Every output is written to a temp path beside it and renamed into place: a reader sees the old
// entry or the new one, never half of one (pex's atomic_directory, in spirit).

/** A temp path in the same directory as `target` (same filesystem, so the final rename is atomic). */
export function tempPathBeside(target: string, suffix = 'tmp'): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.${suffix}`);
}

/** Remove a temp file or directory on a failure path; failing to (ENOTDIR, EACCES) must not hide the first error. */
export async function removeTemp(temp: string): Promise<void> {
  await rm(temp, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Rename `temp` to `target`. When `target` is a directory (a pex of another layout, a previous
 * directory entry) a plain rename cannot replace it: move it aside first, then remove it.
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

/** Move `temp` into place as `target`; on failure the temp is removed and the error thrown. Concurrent writers of the same content: the last rename wins. */
export async function commit(temp: string, target: string): Promise<void> {
  try {
    await replaceWith(temp, target);
  } catch (error) {
    await removeTemp(temp);
    throw error;
  }
}

/**
 * Write `target` through a temp file beside it, then rename it into place. The mode is set with
 * fchmod, so the umask does not change it. The directory must exist (see writeFileAtomicIn).
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
    await removeTemp(temp);
    throw error;
  }
  await handle.close();
  await commit(temp, target);
}

/** `content` written to `target` atomically (mode 0644 unless given), creating its directory first. */
export async function writeContentAtomic(target: string, content: string | Uint8Array, mode = 0o644): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  await writeFileAtomic(target, mode, (handle) => handle.writeFile(content));
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
    await removeTemp(temp);
    throw error;
  }
}
