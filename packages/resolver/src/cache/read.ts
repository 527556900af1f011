import { open } from 'node:fs/promises';

/**
 * A small cache file's text, or undefined when it is missing, unreadable or larger than `maxBytes`
 * (a miss: every read has a bound, even of files this package wrote itself). The size is taken from
 * the opened file, so a rename into place meanwhile cannot swap in a larger one.
 */
export async function readCacheText(path: string, maxBytes: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    if ((await handle.stat()).size > maxBytes) return undefined;
    return await handle.readFile('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
