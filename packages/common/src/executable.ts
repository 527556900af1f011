import { constants } from 'node:fs';
import { access, open, realpath, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Where a command name is found on PATH (as execFile finds it), or the path itself when it has a slash. */
export async function onPath(command: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (command.includes('/')) return resolve(command);
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, command);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not there: the next directory
    }
  }
  return undefined;
}

/**
 * What runs when `command` is run, without running it: the file found (after PATH and symlinks)
 * with its size, mtime and inode — a reinstall or an upgrade changes them. `script`: the file is a
 * launcher script (`#!`: a version manager's shim, a wrapper), which may run another program each
 * time, so its own file says nothing about what runs. `missing`: not found.
 */
export type ExecutableIdentity =
  | { command: string; missing: true }
  | { command: string; found: string; script: true }
  | { command: string; found: string; real: string; size: number; mtimeMs: number; ino: number };

export async function executableIdentity(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ExecutableIdentity> {
  const found = await onPath(command, env);
  if (found === undefined) return { command, missing: true };
  const real = await realpath(found);
  const s = await stat(real);
  const handle = await open(real, 'r');
  const head = Buffer.alloc(2);
  try {
    await handle.read(head, 0, 2, 0);
  } finally {
    await handle.close();
  }
  if (head.toString('latin1') === '#!') return { command, found, script: true };
  return { command, found, real, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
}
