import { posix } from 'node:path';
import { normalizeName, parsePyProject, type PyProject } from '../pyproject/pyproject.js';

/** A Python project of the workspace: its Nx name and root, its pyproject, the modules it provides. */
export interface PythonProject {
  /** Nx project name. */
  project: string;
  root: string;
  pyproject: PyProject;
  /** Top-level import names it provides (packages and modules under src/, or at the root in a flat layout). */
  modules: string[];
}

/** Top-level import names from a project's file list (workspace-relative paths). */
export function providedModules(root: string, files: readonly string[]): string[] {
  const prefix = root === '.' || root === '' ? '' : `${root}/`;
  const rel = files.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length));
  const srcLayout = rel.some((f) => f.startsWith('src/') && f.endsWith('.py'));
  const modules = new Set<string>();
  for (const file of rel) {
    const inner = srcLayout ? (file.startsWith('src/') ? file.slice(4) : undefined) : file;
    if (!inner || !inner.endsWith('.py')) continue;
    const parts = inner.split('/');
    if (parts.length === 1) {
      const name = parts[0]!.slice(0, -3);
      if (!srcLayout && ['setup', 'conftest', 'noxfile'].includes(name)) continue;
      modules.add(name);
    } else if (parts.length === 2 && parts[1] === '__init__.py') {
      if (!srcLayout && (parts[0] === 'tests' || parts[0] === 'test')) continue;
      modules.add(parts[0]!);
    }
  }
  return [...modules].filter((m) => /^[A-Za-z_]\w*$/.test(m)).sort();
}

/**
 * The first-party projects a project depends on, by requirement name or uv source, keyed by the
 * distribution name (PEP 503 normalised) of every workspace Python project.
 */
export function firstPartyDependencies(
  project: PythonProject,
  byDistName: ReadonlyMap<string, PythonProject>,
  byRoot: ReadonlyMap<string, PythonProject>,
  requirementName: (requirement: string) => string,
): PythonProject[] {
  const out = new Map<string, PythonProject>();
  for (const req of project.pyproject.dependencies) {
    const dep = byDistName.get(requirementName(req));
    if (dep && dep.project !== project.project) out.set(dep.project, dep);
  }
  for (const source of Object.values(project.pyproject.uvSources)) {
    if (!source.path) continue;
    const dep = byRoot.get(posix.normalize(posix.join(project.root, source.path)));
    if (dep && dep.project !== project.project) out.set(dep.project, dep);
  }
  return [...out.values()];
}

export function indexProjects(projects: readonly PythonProject[]): {
  byDistName: Map<string, PythonProject>;
  byRoot: Map<string, PythonProject>;
  byModule: Map<string, PythonProject>;
} {
  const byDistName = new Map<string, PythonProject>();
  const byRoot = new Map<string, PythonProject>();
  const byModule = new Map<string, PythonProject>();
  for (const p of projects) {
    byDistName.set(normalizeName(p.pyproject.name), p);
    byRoot.set(posix.normalize(p.root), p);
    for (const m of p.modules) byModule.set(m, p);
  }
  return { byDistName, byRoot, byModule };
}

/** Parses a project's pyproject.toml text into a PythonProject, or undefined without [project]. */
export function pythonProject(
  project: string,
  root: string,
  pyprojectText: string,
  files: readonly string[],
): PythonProject | undefined {
  const pyproject = parsePyProject(pyprojectText, posix.join(root, 'pyproject.toml'));
  if (!pyproject) return undefined;
  return { project, root, pyproject, modules: providedModules(root, files) };
}
