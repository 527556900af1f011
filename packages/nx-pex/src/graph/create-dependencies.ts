import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { CreateDependencies, DependencyType, RawProjectGraphDependency } from '@nx/devkit';
import { normalizeName, parseRequirement } from '../pyproject/pyproject.js';
import { PluginCache, workspaceDataDir } from '../utils/plugin-cache.js';
import { PluginError } from '../utils/errors.js';
import { importedModules } from './imports.js';
import { externalNodeName } from './external-nodes.js';
import { firstPartyDependencies, indexProjects, pythonProject, type PythonProject } from './python-workspace.js';

/**
 * DependencyType.static without loading @nx/devkit at run time: this module is also reached from
 * core/ (requirementName), which the CLI and the executors load, and @nx/devkit brings all of nx.
 */
const STATIC = 'static' as DependencyType.static;

export function requirementName(requirement: string, file = 'pyproject.toml'): string {
  return normalizeName(parseRequirement(requirement, file).name);
}

/** A project's PythonProject, or undefined when its pyproject.toml is unusable: createNodes gave it failing targets, it has no edges. */
function readProject(
  workspaceRoot: string,
  name: string,
  root: string,
  files: ReadonlyArray<{ file: string }>,
): PythonProject | undefined {
  try {
    return pythonProject(
      name,
      root,
      readFileSync(join(workspaceRoot, root, 'pyproject.toml'), 'utf8'),
      files.map((f) => f.file),
    );
  } catch (e) {
    if (e instanceof PluginError) return undefined;
    throw e;
  }
}

/**
 * Edges of the Python projects: to first-party projects named in [project] dependencies or
 * [tool.uv.sources] paths (static, from pyproject.toml), to first-party projects whose modules a .py
 * file imports (static, from that file; analysis cached per file hash), and to the external node of
 * each third-party requirement.
 */
export const createDependencies: CreateDependencies = (_options, context) => {
  const cache = new PluginCache<string[]>(join(workspaceDataDir(context.workspaceRoot), 'nx-pex-imports.json'));
  const projects: PythonProject[] = [];
  const filesOf = new Map<string, { file: string; hash: string }[]>();
  for (const [name, config] of Object.entries(context.projects)) {
    const files = context.fileMap.projectFileMap[name] ?? [];
    const pyprojectFile = posix.join(config.root, 'pyproject.toml');
    if (!files.some((f) => f.file === pyprojectFile)) continue;
    const p = readProject(context.workspaceRoot, name, config.root, files);
    if (!p) continue;
    projects.push(p);
    filesOf.set(name, files);
  }
  const { byDistName, byRoot, byModule } = indexProjects(projects);
  const deps: RawProjectGraphDependency[] = [];
  const seen = new Set<string>();
  const add = (source: string, target: string, sourceFile?: string) => {
    const key = `${source}\0${target}\0${sourceFile ?? ''}`;
    if (seen.has(key) || source === target) return;
    seen.add(key);
    deps.push(sourceFile ? { source, target, sourceFile, type: STATIC } : { source, target, type: STATIC });
  };

  for (const p of projects) {
    const pyprojectFile = posix.join(p.root, 'pyproject.toml');
    for (const dep of firstPartyDependencies(p, byDistName, byRoot, requirementName))
      add(p.project, dep.project, pyprojectFile);
    for (const req of p.pyproject.dependencies) {
      const name = requirementName(req, pyprojectFile);
      if (byDistName.has(name)) continue;
      const external = externalNodeName(name);
      if (context.externalNodes?.[external]) add(p.project, external, pyprojectFile);
    }
    for (const { file, hash } of filesOf.get(p.project) ?? []) {
      if (!file.endsWith('.py')) continue;
      const modules = cache.get(hash, () => importedModules(readFileSync(join(context.workspaceRoot, file), 'utf8')));
      for (const m of modules) {
        const target = byModule.get(m);
        if (target) add(p.project, target.project, file);
      }
    }
  }
  cache.save();
  return deps;
};
