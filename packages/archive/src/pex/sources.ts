import { readFileSync, statSync } from 'node:fs';
import { ArchiveError } from '../errors.js';
import { unsafeMemberNameReason } from '../wheel/member-name.js';

export interface SourceFile {
  /** POSIX path inside the pex root. */
  archivePath: string;
  /** The file on disk. */
  path: string;
}

export interface LoadedSource {
  archivePath: string;
  content: Buffer;
  mode: number;
}

/** Names the runtime owns at the pex root; the project's sources cannot use them. */
const RESERVED_FILES = new Set(['__main__.py', 'PEX-INFO', 'pex', '.bootstrap', '.deps']);
const RESERVED_DIRS = ['.deps/', '.bootstrap/'];

export function checkSourceArchivePath(archivePath: string): void {
  const unsafe = unsafeMemberNameReason(archivePath);
  if (unsafe !== undefined || archivePath.endsWith('/') || archivePath.includes('\\')) {
    throw new ArchiveError(
      'INVALID_SOURCE',
      `source archivePath '${archivePath}' is not a relative POSIX file path (${unsafe ?? 'it must name a file'}); pass paths like 'my_pkg/module.py'.`,
    );
  }
  if (RESERVED_FILES.has(archivePath) || RESERVED_DIRS.some((dir) => archivePath.startsWith(dir))) {
    throw new ArchiveError(
      'PATH_CONFLICT',
      `source archivePath '${archivePath}' is reserved for the pex runtime (${[...RESERVED_FILES, ...RESERVED_DIRS].join(', ')}); use an entryPoint instead of a root __main__.py, or move the file.`,
    );
  }
}

/** Read the sources; the mode keeps only "executable or not", so the umask and checkout do not leak in. */
export async function loadSources(sources: SourceFile[]): Promise<LoadedSource[]> {
  const seen = new Map<string, string>();
  for (const source of sources) {
    checkSourceArchivePath(source.archivePath);
    const previous = seen.get(source.archivePath);
    if (previous !== undefined) {
      throw new ArchiveError(
        'PATH_CONFLICT',
        `sources ${previous} and ${source.path} both map to '${source.archivePath}' in the pex; give each a distinct archivePath.`,
      );
    }
    seen.set(source.archivePath, source.path);
  }
  // Synchronous reads: a promise-based read of a small file costs several times the CPU (thread pool and promise round trips).
  return sources.map((source) => {
    try {
      const content = readFileSync(source.path);
      const stats = statSync(source.path);
      return { archivePath: source.archivePath, content, mode: stats.mode & 0o111 ? 0o755 : 0o644 };
    } catch (error) {
      throw new ArchiveError(
        'INVALID_SOURCE',
        `cannot read source ${source.path} (${String(error)}); check the path.`,
        {
          cause: error,
        },
      );
    }
  });
}
