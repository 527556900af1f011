import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { inspectInterpreter, type TargetInterpreter } from '../interpreter/inspect.js';

/**
 * Built wheels in the artifact cache: one directory per (input, build interpreter) holding exactly
 * one wheel, published by renaming a complete temp directory into place (a reader never sees half an
 * entry; when another process wins the rename, its entry is kept).
 */

export interface BuiltWheel {
  path: string;
  filename: string;
}

/** The wheel of a cache entry directory, if the entry exists. */
export async function cachedWheel(dir: string): Promise<BuiltWheel | undefined> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const filename = names.find((n) => n.endsWith('.whl'));
  return filename ? { path: join(dir, filename), filename } : undefined;
}

/** Move the wheel at `wheelPath` (inside `work`) into the entry `dir` by rename. */
export async function publishWheel(work: string, wheelPath: string, dir: string): Promise<BuiltWheel> {
  const staged = join(work, 'publish');
  await mkdir(staged);
  await rename(wheelPath, join(staged, basename(wheelPath)));
  await mkdir(dirname(dir), { recursive: true });
  await rename(staged, dir).catch(async (err: NodeJS.ErrnoException) => {
    if (!(await cachedWheel(dir))) throw err;
  });
  return (await cachedWheel(dir))!;
}

/** A scratch directory under `parent` (same filesystem as the cache), removed after `work`. */
export async function withScratch<T>(parent: string, work: (dir: string) => Promise<T>): Promise<T> {
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, '.build-'));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The build interpreter, inspected once: its most preferred tag names the cache entry, so a wheel
 * built by one interpreter (an extension module for cp312) is never reused for another.
 */
export class BuildInterpreter {
  private inspected: Promise<TargetInterpreter> | undefined;

  constructor(readonly python: string) {}

  target(): Promise<TargetInterpreter> {
    this.inspected ??= inspectInterpreter(this.python);
    return this.inspected;
  }

  async cacheKey(): Promise<string> {
    return (await this.target()).tags[0] ?? `cp${(await this.target()).version.slice(0, 2).join('')}`;
  }
}
