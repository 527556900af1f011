import { createHash } from 'node:crypto';

/** sha256 over (path, sha256(content)) pairs in path order: independent of input order, sensitive to renames. */
export function contentHash(files: { archivePath: string; content: Buffer }[]): string {
  const outer = createHash('sha256');
  for (const file of [...files].sort((a, b) => compareNames(a.archivePath, b.archivePath))) {
    outer
      .update(file.archivePath)
      .update('\0')
      .update(createHash('sha256').update(file.content).digest('hex'))
      .update('\n');
  }
  return outer.digest('hex');
}

/** One ordering for every sorted list we write: by UTF-16 code unit, which is deterministic everywhere. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
