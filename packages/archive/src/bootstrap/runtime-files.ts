import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArchiveError } from '../errors.js';

/** A file of the Python runtime and where it goes in the pex. */
export interface RuntimeFile {
  archivePath: string;
  content: Buffer;
}

/** `runtime/` at the package root: two levels above this module in both src/ and dist/. */
export const RUNTIME_DIR = fileURLToPath(new URL('../../runtime/', import.meta.url));

const PACKAGE = 'nx_pex_runtime';
export const BOOTSTRAP_DIR = '.bootstrap';

/**
 * `runtime/__main__.py` becomes the pex's `__main__.py`; `runtime/nx_pex_runtime/` goes under `.bootstrap/`.
 * Read synchronously: a few small files of our own, where a promise-based read costs several times the CPU.
 */
export async function loadRuntimeFiles(runtimeDir: string = RUNTIME_DIR): Promise<RuntimeFile[]> {
  try {
    const files: RuntimeFile[] = [
      { archivePath: '__main__.py', content: readFileSync(join(runtimeDir, '__main__.py')) },
    ];
    const entries = readdirSync(join(runtimeDir, PACKAGE), { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      // Only sources: the pex carries no bytecode (determinism, and it would be version-specific).
      if (!entry.isFile() || !entry.name.endsWith('.py')) continue;
      const full = join(entry.parentPath, entry.name);
      const relative = full
        .slice(join(runtimeDir, PACKAGE).length + 1)
        .split('\\')
        .join('/');
      files.push({ archivePath: `${BOOTSTRAP_DIR}/${PACKAGE}/${relative}`, content: readFileSync(full) });
    }
    return files;
  } catch (error) {
    throw new ArchiveError(
      'RUNTIME_MISSING',
      `the nx-pex Python runtime is missing or unreadable at ${runtimeDir} (${String(error)}); reinstall @nx-pex/archive.`,
      { cause: error },
    );
  }
}
