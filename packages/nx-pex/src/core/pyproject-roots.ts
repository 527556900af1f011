import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

// Apart from core/workspace.ts (which re-exports it), so that the CLI's up-to-date check finds the
// workspace's projects without loading the pyproject parser.

const SKIP = new Set(['node_modules', '.git', '.nx', 'dist', '.venv', 'venv', '__pycache__', 'build', 'tmp']);

/** Workspace-relative roots of every directory holding a pyproject.toml (without Nx: a file walk). */
export async function findPyProjectRoots(workspaceRoot: string): Promise<string[]> {
  const roots: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'pyproject.toml'))
      roots.push(toPosix(relative(workspaceRoot, dir)) || '.');
    for (const e of entries) {
      if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) await walk(join(dir, e.name));
    }
  }
  await walk(workspaceRoot);
  return roots.sort();
}

/** A path with the platform's separators as POSIX ones. */
export function toPosix(p: string): string {
  return p.split(sep).join('/');
}
