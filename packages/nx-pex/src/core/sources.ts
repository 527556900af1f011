import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { SourceDir } from './model.js';

export interface SourceEntry {
  /** Posix path inside the pex. */
  archivePath: string;
  /** File on disk. */
  path: string;
}

// Build by-products and metadata that never belong in a pex.
const SKIPPED_DIRS = new Set([
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.venv',
  'node_modules',
  'dist',
  'build',
]);
const SKIPPED_FILES = /\.(pyc|pyo)$/;
// In a flat layout the project root also holds the project's tooling: only importable code goes in.
const FLAT_LAYOUT_EXCLUDES = new Set(['tests', 'test', 'setup.py', 'conftest.py', 'noxfile.py']);

export function isSkippedDir(name: string): boolean {
  return SKIPPED_DIRS.has(name) || name.endsWith('.egg-info') || name.startsWith('.');
}

async function walk(dir: string, prefix: string, out: SourceEntry[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  // A directory with its own pyproject.toml below a source root is another project (with whatever
  // its backend left in its tree: _version.py, build/): it is bundled as itself or not at all.
  if (prefix !== '' && entries.some((e) => e.isFile() && e.name === 'pyproject.toml')) return;
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (!isSkippedDir(entry.name)) await walk(join(dir, entry.name), posix.join(prefix, entry.name), out);
    } else if (entry.isFile() && !SKIPPED_FILES.test(entry.name)) {
      out.push({ archivePath: posix.join(prefix, entry.name), path: join(dir, entry.name) });
    }
  }
}

/**
 * The project's own files for the pex root. `flat` (sources at the project root, no src/): only
 * Python modules and packages, without tests.
 */
export async function collectSources(sourceRoot: string, flat: boolean): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  if (!flat) {
    await walk(sourceRoot, '', out);
  } else {
    for (const entry of await readdir(sourceRoot, { withFileTypes: true })) {
      if (FLAT_LAYOUT_EXCLUDES.has(entry.name)) continue;
      if (entry.isFile() && entry.name.endsWith('.py')) {
        out.push({ archivePath: entry.name, path: join(sourceRoot, entry.name) });
      } else if (entry.isDirectory() && !isSkippedDir(entry.name)) {
        const pkg = join(sourceRoot, entry.name);
        const isPackage = (await readdir(pkg)).includes('__init__.py');
        if (isPackage) await walk(pkg, entry.name, out);
      }
    }
  }
  return out.sort((a, b) => (a.archivePath < b.archivePath ? -1 : a.archivePath > b.archivePath ? 1 : 0));
}

/** The sources of every directory of a model, in order (a project's, then its bundled projects'). */
export async function collectProjectSources(workspaceRoot: string, dirs: readonly SourceDir[]): Promise<SourceEntry[]> {
  const out: SourceEntry[] = [];
  for (const d of dirs) out.push(...(await collectSources(join(workspaceRoot, d.dir), d.flat)));
  return out;
}

/**
 * Sources minus those matching an `exclude` glob (matched against their path inside the pex). The
 * glob matcher loads only when there are patterns: most builds have none, and a rebuild pays its start-up.
 */
export async function excludeSources(sources: SourceEntry[], patterns: readonly string[]): Promise<SourceEntry[]> {
  if (patterns.length === 0) return sources;
  const { minimatch } = await import('minimatch');
  return sources.filter((s) => !patterns.some((p) => minimatch(s.archivePath, p, { dot: true })));
}
