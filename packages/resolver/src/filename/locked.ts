import { urlProblem } from '../http/urls.js';
import { sdistFilenameProblem } from './sdist.js';
import { wheelFilenameProblem } from './wheel.js';

/** A file entry of a lock (pylock.toml `[[packages.wheels]]` / `[packages.sdist]`, or an imported uv.lock). */
export interface LockedFileRef {
  name?: string;
  url?: string;
  path?: string;
}

/**
 * PEP 751: the file's `name`, else the last segment of its `url` or `path`, percent-decoded (a
 * malformed escape is kept as written, never a crash).
 */
export function lockedFilename(file: LockedFileRef): string | undefined {
  if (file.name !== undefined) return file.name;
  const source = file.url ?? file.path;
  if (source === undefined) return undefined;
  const last = source.split(/[?#]/)[0]!.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

/**
 * Why a lock's file entry cannot be used, or undefined: its filename must be a wheel filename
 * (PEP 427) or an sdist filename — one path component —, and its URL an http(s) or file URL
 * (no javascript:, data:, ftp:, bad port).
 */
export function lockedFileProblem(file: LockedFileRef, kind: 'wheel' | 'sdist'): string | undefined {
  const filename = lockedFilename(file);
  if (filename !== undefined) {
    const problem = kind === 'wheel' ? wheelFilenameProblem(filename) : sdistFilenameProblem(filename);
    if (problem)
      return `has the filename ${JSON.stringify(filename.slice(0, 200))}, which is not a valid ${kind} filename (it ${problem})`;
  }
  if (file.url !== undefined) {
    const problem = urlProblem(file.url);
    if (problem) return `has a url that ${problem}`;
  }
  return undefined;
}
