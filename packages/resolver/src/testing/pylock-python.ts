import { execFileSync } from 'node:child_process';
import { findPythons } from '@nx-pex/tools';

/** The path of a CPython whose packaging has `packaging.pylock` (packaging >= 25.1, the PEP 751 reference) and tomllib, or undefined. */
export const pylockPython: Promise<string | undefined> = findPythons().then((r) =>
  r.found
    .map((p) => p.path)
    .find((path) => {
      try {
        execFileSync(path, ['-c', 'import packaging.pylock, tomllib'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    }),
);
