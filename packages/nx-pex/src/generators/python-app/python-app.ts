import { formatFiles, generateFiles, joinPathFragments, type Tree } from '@nx/devkit';
import { moduleName } from '../../pyproject/pyproject.js';
import { PluginError } from '../../utils/errors.js';
import { packagePath } from '../../utils/package-path.js';
import initGenerator from '../init/init.js';
import type { PythonAppGeneratorSchema } from './schema.js';

// PEP 508 names: letters, digits, and . _ - inside.
const PROJECT_NAME = /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;

export interface NormalizedAppOptions {
  name: string;
  moduleName: string;
  directory: string;
  dependencies: string[];
  requiresPython: string;
  skipFormat: boolean;
}

export function normalizeOptions(options: PythonAppGeneratorSchema): NormalizedAppOptions {
  if (!PROJECT_NAME.test(options.name)) {
    throw new PluginError('INVALID_OPTION', `"${options.name}" is not a valid Python project name: use letters, digits, "-", "_" and "." (PEP 508).`);
  }
  const dependencies = (options.dependencies ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
  return {
    name: options.name,
    moduleName: moduleName(options.name),
    directory: joinPathFragments(options.directory ?? `apps/${options.name}`),
    dependencies,
    requiresPython: options.requiresPython ?? '>=3.8',
    skipFormat: options.skipFormat ?? false,
  };
}

/** A TOML array of basic strings, one per line (JSON string escapes are valid TOML basic-string escapes). */
function tomlStringArray(values: string[]): string {
  if (values.length === 0) return '[]';
  return `[\n${values.map((v) => `  ${JSON.stringify(v)},`).join('\n')}\n]`;
}

export async function pythonAppGenerator(tree: Tree, options: PythonAppGeneratorSchema): Promise<void> {
  const opts = normalizeOptions(options);
  if (tree.exists(joinPathFragments(opts.directory, 'pyproject.toml'))) {
    throw new PluginError('PROJECT_EXISTS', `${opts.directory}/pyproject.toml already exists: choose another name or --directory.`);
  }
  await initGenerator(tree, { skipFormat: true });
  generateFiles(tree, packagePath('src', 'generators', 'python-app', 'files'), opts.directory, {
    ...opts,
    dependenciesToml: tomlStringArray(opts.dependencies),
    requiresPythonToml: JSON.stringify(opts.requiresPython),
    tmpl: '',
  });
  if (!opts.skipFormat) await formatFiles(tree);
}

export default pythonAppGenerator;
