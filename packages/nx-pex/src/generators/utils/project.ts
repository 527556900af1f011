import { tomlString } from '@nx-pex/common';
import {
  formatFiles,
  generateFiles,
  getProjects,
  joinPathFragments,
  visitNotIgnoredFiles,
  type Tree,
} from '@nx/devkit';
import { normalizeName, parsePyProject } from '../../pyproject/pyproject.js';
import { PluginError } from '../../utils/errors.js';
import { packagePath } from '../../utils/package-path.js';
import initGenerator from '../init/init.js';
import { normalizeProjectOptions, type NormalizedProjectOptions, type ProjectOptions } from './options.js';
import { tomlStringArray } from './toml.js';

export interface ProjectKind {
  /** The generator whose `files/` are the templates. */
  generator: 'python-app' | 'python-lib';
  /** Where projects go by default: `apps` or `libs`. */
  defaultParent: string;
}

/** The Python projects (pyproject.toml with a [project] name) already in the tree: normalised name → root. */
export function pythonProjects(tree: Tree): Map<string, string> {
  const projects = new Map<string, string>();
  visitNotIgnoredFiles(tree, '', (file) => {
    if (!/(^|\/)pyproject\.toml$/.test(file) || file.includes('node_modules/')) return;
    let name: string | undefined;
    try {
      name = parsePyProject(tree.read(file, 'utf-8') ?? '', file)?.name;
    } catch {
      return; // An invalid pyproject is reported by the plugin, not here.
    }
    if (name) projects.set(normalizeName(name), file.replace(/\/?pyproject\.toml$/, '') || '.');
  });
  return projects;
}

/** The body of python-app and python-lib: validate, refuse to overwrite, init, write the templates, format. */
export async function generateProject(
  tree: Tree,
  options: ProjectOptions,
  kind: ProjectKind,
): Promise<NormalizedProjectOptions> {
  const opts = normalizeProjectOptions(options, kind.defaultParent);
  if (tree.exists(joinPathFragments(opts.directory, 'pyproject.toml'))) {
    throw new PluginError(
      'PROJECT_EXISTS',
      `${opts.directory}/pyproject.toml already exists: choose another name or --directory, or add nx-pex to that project with \`nx g nx-pex:configuration ${opts.directory}\`.`,
    );
  }
  const sameName =
    pythonProjects(tree).get(normalizeName(opts.name)) ??
    (getProjects(tree).has(opts.name) ? getProjects(tree).get(opts.name)?.root : undefined);
  if (sameName !== undefined) {
    throw new PluginError(
      'PROJECT_EXISTS',
      `a project named "${opts.name}" already exists in ${sameName}: Nx project names must be unique, choose another name.`,
    );
  }
  await initGenerator(tree, { skipFormat: true });
  generateFiles(tree, packagePath('src', 'generators', kind.generator, 'files'), opts.directory, {
    ...opts,
    nameToml: tomlString(opts.name),
    dependenciesToml: tomlStringArray(opts.dependencies),
    requiresPythonToml: tomlString(opts.requiresPython),
    tmpl: '',
  });
  if (!opts.skipFormat) await formatFiles(tree);
  return opts;
}
