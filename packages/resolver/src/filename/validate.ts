import { sdistFilenameProblem } from './sdist.js';
import { wheelFilenameProblem } from './wheel.js';

/**
 * Why a filename listed by an index or a lock is unusable as a distribution, or undefined: it must be
 * a PEP 427 wheel filename or an sdist filename (`{name}-{version}.tar.gz` …), which also makes it a
 * single path component (no `/`, `\`, NUL, `..`).
 */
export function distributionFilenameProblem(filename: string): string | undefined {
  if (filename.endsWith('.whl')) return wheelFilenameProblem(filename);
  return sdistFilenameProblem(filename);
}
