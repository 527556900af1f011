import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A temp path beside `finalPath` (same directory, so same filesystem: the rename is atomic).
 * Readers only ever see `finalPath` complete or absent.
 */
export function tempPathFor(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Rename `temp` into place; on failure the temp file is removed. Concurrent writers: last rename wins, same bytes. */
export async function commit(temp: string, finalPath: string): Promise<void> {
  try {
    await rename(temp, finalPath);
  } catch (err) {
    await removeTemp(temp);
    throw err;
  }
}

/** Remove a temp file on a failure path; a failure to remove it (ENOTDIR, EACCES) must not hide the first error. */
export async function removeTemp(temp: string): Promise<void> {
  await rm(temp, { force: true }).catch(() => undefined);
}
