import { execFile } from 'node:child_process';
import { access, constants, readdir } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The CPython minors nx-pex supports (DESIGN: CPython 3.8+). */
export const SUPPORTED_PYTHONS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'] as const;

export interface FoundPython {
  /** Minor version, e.g. `'3.11'`. */
  version: string;
  /** Full version, e.g. `'3.11.7'`. */
  full: string;
  /** Interpreter executable. */
  path: string;
}

export interface PythonsFound {
  /** One per supported minor, newest patch, in version order. */
  found: FoundPython[];
  /** Supported minors not found. */
  missing: string[];
}

/**
 * CPython 3.8–3.13 on this machine: `$(pyenv root)/versions/X.Y.Z` (PYENV_ROOT, else `pyenv root`),
 * falling back to `python3.X` on PATH for minors pyenv does not have.
 */
export async function findPythons(): Promise<PythonsFound> {
  const byMinor = await pyenvPythons();
  for (const minor of SUPPORTED_PYTHONS) {
    if (!byMinor.has(minor)) {
      const onPath = await pathPython(minor);
      if (onPath) byMinor.set(minor, onPath);
    }
  }
  const found = SUPPORTED_PYTHONS.flatMap((m) => byMinor.get(m) ?? []);
  return { found, missing: SUPPORTED_PYTHONS.filter((m) => !byMinor.has(m)) };
}

/** A line for test output naming the Pythons whose tests are skipped; empty when none are missing. */
export function describeMissing(pythons: Pick<PythonsFound, 'missing'>): string {
  if (pythons.missing.length === 0) return '';
  return (
    `CPython ${pythons.missing.join(', ')} not found (looked in $(pyenv root)/versions and for python3.X on PATH); ` +
    `tests for ${pythons.missing.length === 1 ? 'it are' : 'them are'} skipped. Install with \`pyenv install ${pythons.missing[0]}\`.`
  );
}

export async function pyenvRoot(): Promise<string | undefined> {
  if (process.env.PYENV_ROOT) return process.env.PYENV_ROOT;
  try {
    return (await run('pyenv', ['root'], { encoding: 'utf8' })).stdout.trim() || undefined;
  } catch {
    return undefined; // pyenv not installed: PATH fallback only
  }
}

async function pyenvPythons(): Promise<Map<string, FoundPython>> {
  const byMinor = new Map<string, FoundPython & { patch: number }>();
  const root = await pyenvRoot();
  if (root === undefined) return byMinor;
  let entries: string[];
  try {
    entries = await readdir(join(root, 'versions'));
  } catch {
    return byMinor;
  }
  for (const entry of entries) {
    // CPython final releases only: `3.11.7`, not `3.13.0t`, `3.12-dev`, `pypy3.10-7.3.15` or `3.13.0rc1`.
    const m = /^(3)\.(\d+)\.(\d+)$/.exec(entry);
    if (!m) continue;
    const minor = `${m[1]}.${m[2]}`;
    const patch = Number(m[3]);
    if (!(SUPPORTED_PYTHONS as readonly string[]).includes(minor)) continue;
    const path = join(root, 'versions', entry, 'bin', 'python3');
    if (!(await isExecutable(path))) continue;
    const current = byMinor.get(minor);
    if (!current || patch > current.patch) byMinor.set(minor, { version: minor, full: entry, path, patch });
  }
  return new Map([...byMinor].map(([k, { version, full, path }]) => [k, { version, full, path }]));
}

async function pathPython(minor: string): Promise<FoundPython | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const path = join(dir, `python${minor}`);
    if (!(await isExecutable(path))) continue;
    try {
      const { stdout } = await run(
        path,
        ['-c', 'import platform,sys;print(sys.implementation.name, platform.python_version())'],
        {
          encoding: 'utf8',
        },
      );
      const [impl, full] = stdout.trim().split(' ');
      if (impl === 'cpython' && full?.startsWith(`${minor}.`)) return { version: minor, full, path };
    } catch {
      // a broken shim on PATH: try the next directory
    }
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
