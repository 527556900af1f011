import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { pythonProject, type PythonProject } from '../graph/python-workspace.js';
import { firstPartyDependencies, indexProjects } from '../graph/python-workspace.js';
import { requirementName } from '../graph/create-dependencies.js';
import { normalizeName, parseRequirement, projectNameHint } from '../pyproject/pyproject.js';
import { PluginError } from '../utils/errors.js';
import { toPosix } from './pyproject-roots.js';

export { findPyProjectRoots } from './pyproject-roots.js';

/**
 * The Python projects of a workspace, and the pyproject.toml files that could not be read: those fail
 * their own project's tasks, never the others'.
 */
export interface PythonWorkspace {
  projects: PythonProject[];
  /** Project root → why its pyproject.toml is unusable (the file:line message and the fix), and the name it goes by. */
  broken: Map<string, BrokenPyProject>;
}

export interface BrokenPyProject {
  error: PluginError;
  /** `[project] name` when readable, else the directory's name (what other projects would require). */
  name: string;
}

/** The Python projects at these roots (those whose pyproject.toml has a [project] table). */
export async function loadPythonWorkspace(
  workspaceRoot: string,
  roots: Iterable<[name: string | undefined, root: string]>,
): Promise<PythonWorkspace> {
  const ws: PythonWorkspace = { projects: [], broken: new Map() };
  for (const [name, root] of roots) {
    const file = join(workspaceRoot, root, 'pyproject.toml');
    if (!existsSync(file)) continue;
    const text = await readFile(file, 'utf8');
    try {
      const p = pythonProject(name ?? '', root, text, []);
      if (p) ws.projects.push(name ? p : { ...p, project: p.pyproject.name });
    } catch (e) {
      if (!(e instanceof PluginError)) throw e;
      ws.broken.set(posix.normalize(toPosix(root)), { error: e, name: projectNameHint(text, root) });
    }
  }
  return ws;
}

/** The project followed by every first-party project it depends on, transitively (each once). */
export function firstPartyClosure(project: PythonProject, all: readonly PythonProject[]): PythonProject[] {
  const { byDistName, byRoot } = indexProjects(all);
  const seen = new Map<string, PythonProject>([[project.project, project]]);
  const queue = [project];
  while (queue.length > 0) {
    const p = queue.shift()!;
    const file = posix.join(p.root, 'pyproject.toml');
    for (const dep of firstPartyDependencies(p, byDistName, byRoot, (r) => requirementName(r, file))) {
      if (!seen.has(dep.project)) {
        seen.set(dep.project, dep);
        queue.push(dep);
      }
    }
  }
  return [...seen.values()];
}

/**
 * Third-party requirements of a closure: every requirement that does not name a project in it,
 * including those of the extras chosen in [tool.nx-pex] extras or requested by a first-party
 * requirement such as `my-lib[fast]` (PEP 621 optional-dependencies).
 */
export function thirdPartyRequirements(closure: readonly PythonProject[]): string[] {
  const byName = new Map(closure.map((p) => [requirementName(p.pyproject.name), p] as const));
  const extras = new Map(closure.map((p) => [p, new Set(p.pyproject.tool.extras ?? [])] as const));
  for (const p of closure) {
    const file = posix.join(p.root, 'pyproject.toml');
    for (const text of p.pyproject.dependencies) {
      const req = parseRequirement(text, file);
      const dep = byName.get(normalizeName(req.name));
      if (dep) for (const e of req.extras) extras.get(dep)!.add(e);
    }
  }
  const out: string[] = [];
  for (const p of closure) {
    const file = posix.join(p.root, 'pyproject.toml');
    const own = [...p.pyproject.dependencies];
    for (const e of extras.get(p)!) own.push(...(p.pyproject.optionalDependencies[e] ?? []));
    for (const req of own) {
      if (!byName.has(requirementName(req, file)) && !out.includes(req)) out.push(req);
    }
  }
  return out;
}

/**
 * `runtime` plus the requirements of the project's PEP 735 dependency groups `groups`, each once.
 * A group the project does not define is an error naming the file and the groups it has.
 */
export function withDependencyGroups(
  project: PythonProject,
  runtime: readonly string[],
  groups: readonly string[],
): string[] {
  const defined = project.pyproject.dependencyGroups;
  const out = [...runtime];
  for (const group of groups) {
    const reqs = defined[group];
    if (!reqs) {
      throw new PluginError(
        'UNKNOWN_DEPENDENCY_GROUP',
        `${project.root}/pyproject.toml has no [dependency-groups] ${group} (defined: ${Object.keys(defined).join(', ') || 'none'})`,
      );
    }
    for (const r of reqs) if (!out.includes(r)) out.push(r);
  }
  return out;
}

/**
 * The project at `root`; its own pyproject.toml error when that file is unusable, or the error of a
 * broken first-party project it requires (by name or uv path source): never a silent fallback to
 * the index for a project of the workspace.
 */
export function findProject(ws: PythonWorkspace, root: string): PythonProject {
  const at = posix.normalize(toPosix(root));
  const p = ws.projects.find((q) => posix.normalize(q.root) === at);
  if (!p) {
    const broken = ws.broken.get(at);
    if (broken) throw broken.error;
    throw new PluginError(
      'INVALID_PYPROJECT',
      `${posix.join(at, 'pyproject.toml')} is missing or has no [project] table (PEP 621)`,
    );
  }
  for (const q of firstPartyClosure(p, ws.projects)) {
    const names = new Set(q.pyproject.dependencies.map((r) => requirementName(r)));
    const paths = new Set(
      Object.values(q.pyproject.uvSources).flatMap((s) =>
        s.path ? [posix.normalize(posix.join(q.root, s.path))] : [],
      ),
    );
    for (const [brokenRoot, b] of ws.broken) {
      if (names.has(normalizeName(b.name)) || paths.has(brokenRoot)) {
        throw new PluginError(
          b.error.code,
          `${q.project} depends on ${b.name} (${brokenRoot}), which cannot be used: ${b.error.message}`,
        );
      }
    }
  }
  return p;
}
