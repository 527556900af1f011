import { formatFiles, joinPathFragments, logger, type Tree } from '@nx/devkit';
import { SpecifierSet } from '@nx-pex/resolver';
import {
  moduleName,
  normalizeName,
  parsePyProject,
  parseRequirement,
  type PyProject,
} from '../../pyproject/pyproject.js';
import { PluginError } from '../../utils/errors.js';
import initGenerator from '../init/init.js';
import { PROJECT_NAME, workspaceDirectory } from '../utils/options.js';
import { pythonProjects } from '../utils/project.js';
import { parseTomlDocument, setTomlTable, tomlGet } from '../utils/toml.js';
import type { ConfigurationGeneratorSchema } from './schema.js';

const NX_PEX_TABLE = ['tool', 'nx-pex'];

// `module` or `module:function`, dotted Python identifiers (the forms pex and [project.scripts] use).
const ENTRY_POINT = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*(:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*)?$/;

interface NormalizedConfigurationOptions {
  project: string;
  type?: 'app' | 'lib';
  entryPoint?: string;
  force: boolean;
  skipFormat: boolean;
}

function normalizeOptions(options: ConfigurationGeneratorSchema): NormalizedConfigurationOptions {
  const project = typeof options.project === 'string' ? options.project.trim() : '';
  if (project === '')
    throw new PluginError(
      'INVALID_OPTION',
      'give the project to configure: its directory (holding pyproject.toml) or its [project] name.',
    );
  if (options.type !== undefined && options.type !== 'app' && options.type !== 'lib') {
    throw new PluginError('INVALID_OPTION', `--type must be "app" or "lib", not ${JSON.stringify(options.type)}.`);
  }
  const entryPoint = options.entryPoint?.trim() || undefined;
  if (entryPoint !== undefined && !ENTRY_POINT.test(entryPoint)) {
    throw new PluginError(
      'INVALID_OPTION',
      `--entryPoint ${JSON.stringify(options.entryPoint)} is not "module" or "module:function" (dotted Python names, e.g. my_service.cli:main).`,
    );
  }
  if (entryPoint !== undefined && options.type === 'lib') {
    throw new PluginError(
      'INVALID_OPTION',
      '--entryPoint is for applications: a library (--type=lib) has no pex of its own. Drop one of the two.',
    );
  }
  const result: NormalizedConfigurationOptions = {
    project,
    force: options.force ?? false,
    skipFormat: options.skipFormat ?? false,
  };
  if (options.type) result.type = options.type;
  if (entryPoint) result.entryPoint = entryPoint;
  return result;
}

/** The project's directory: `project` as a directory holding pyproject.toml, else the project of that [project] name. */
function findProjectDirectory(tree: Tree, project: string): string {
  let directory: string | undefined;
  try {
    directory = workspaceDirectory(project, 'project', true);
  } catch (e) {
    if (!PROJECT_NAME.test(project)) throw e;
  }
  if (directory !== undefined && tree.exists(joinPathFragments(directory, 'pyproject.toml'))) return directory;
  if (PROJECT_NAME.test(project)) {
    const byName = pythonProjects(tree).get(normalizeName(project));
    if (byName !== undefined) return byName;
  }
  throw new PluginError(
    'NO_PYPROJECT',
    `no pyproject.toml in ${JSON.stringify(project)} and no Python project named ${JSON.stringify(project)} in the workspace. Give the directory of the project's pyproject.toml, relative to the workspace root; to create a new project, use \`nx g nx-pex:python-app\` or \`nx g nx-pex:python-lib\`.`,
  );
}

/** Reads and checks what nx-pex needs from the project's pyproject.toml; explains what to add otherwise. */
function readProject(text: string, file: string): PyProject {
  const doc = parseTomlDocument(text, file);
  if (tomlGet(doc, ['project']) === undefined) {
    if (tomlGet(doc, ['tool', 'poetry']) !== undefined) {
      throw new PluginError(
        'NO_PROJECT_TABLE',
        `${file} describes the project only in [tool.poetry]; nx-pex reads the standard [project] table (PEP 621), which Poetry 2 supports. Add [project] with name, version, requires-python and dependencies as PEP 508 strings (e.g. "requests>=2.31,<3" for requests = "^2.31"), then run this again.`,
      );
    }
    throw new PluginError(
      'NO_PROJECT_TABLE',
      `${file} has no [project] table: add one (PEP 621) with at least name, version, requires-python and dependencies, then run this again.`,
    );
  }
  const pyproject = parsePyProject(text, file)!;
  const dynamic = tomlGet(doc, ['project', 'dynamic']);
  if (Array.isArray(dynamic) && dynamic.includes('dependencies')) {
    throw new PluginError(
      'DYNAMIC_DEPENDENCIES',
      `${file}: [project] dependencies are dynamic (computed by the build backend, e.g. from requirements.txt); nx-pex reads them from pyproject.toml. List them in [project] dependencies and remove "dependencies" from [project] dynamic.`,
    );
  }
  for (const requirement of pyproject.dependencies)
    parseRequirement(requirement, `${file}: [project] dependencies`, 'INVALID_OPTION');
  if (pyproject.requiresPython !== undefined) {
    try {
      new SpecifierSet(pyproject.requiresPython);
    } catch (e) {
      throw new PluginError('INVALID_PYPROJECT', `${file}: [project] requires-python: ${(e as Error).message}`);
    }
  }
  return pyproject;
}

/** What the pex executor would run without [tool.nx-pex] entry-point: the only script, else the package's __main__. */
function derivedEntryPoint(tree: Tree, directory: string, pyproject: PyProject): string | undefined {
  const scripts = Object.values(pyproject.scripts);
  if (scripts.length === 1) return scripts[0];
  const src = joinPathFragments(directory, 'src');
  const sourceRoot = tree.exists(src) && !tree.isFile(src) ? src : directory;
  const module = moduleName(pyproject.name);
  return tree.exists(joinPathFragments(sourceRoot, module, '__main__.py')) ? module : undefined;
}

/** Adds nx-pex to an existing Python project: a [tool.nx-pex] table in its pyproject.toml, and init. */
export async function configurationGenerator(tree: Tree, options: ConfigurationGeneratorSchema): Promise<void> {
  const opts = normalizeOptions(options);
  const directory = findProjectDirectory(tree, opts.project);
  const file = joinPathFragments(directory, 'pyproject.toml');
  const text = tree.read(file, 'utf-8') ?? '';
  const pyproject = readProject(text, file);
  if (tomlGet(parseTomlDocument(text, file), NX_PEX_TABLE) !== undefined && !opts.force) {
    throw new PluginError(
      'ALREADY_CONFIGURED',
      `${file} already has a [tool.nx-pex] table: edit it, or run again with --force to replace it.`,
    );
  }

  const derived = derivedEntryPoint(tree, directory, pyproject);
  // Console scripts mean a runnable project even when there are several to choose from.
  const type = opts.type ?? (opts.entryPoint || derived || Object.keys(pyproject.scripts).length > 0 ? 'app' : 'lib');
  if (!opts.type && (opts.entryPoint ?? derived))
    logger.info(
      `nx-pex: ${pyproject.name} is an application (entry point ${opts.entryPoint ?? derived}); pass --type=lib if it is a library.`,
    );
  if (!opts.type && type === 'lib')
    logger.info(
      `nx-pex: ${pyproject.name} is a library (no [project.scripts], no __main__.py); pass --type=app --entryPoint=… to build a pex of it.`,
    );
  const entries: Record<string, string> = { type };
  if (type === 'app') {
    if (!opts.entryPoint && !derived) {
      const scripts = Object.keys(pyproject.scripts);
      const why =
        scripts.length > 1
          ? `[project.scripts] has ${scripts.length} entries (${scripts.join(', ')})`
          : `there is no [project.scripts] entry and no ${moduleName(pyproject.name)}/__main__.py`;
      throw new PluginError(
        'NO_ENTRY_POINT',
        `${file}: cannot tell what the pex of ${pyproject.name} should run: ${why}. Pass --entryPoint=module:function, or --type=lib for a library.`,
      );
    }
    if (opts.entryPoint && opts.entryPoint !== derived) entries['entry-point'] = opts.entryPoint;
  }

  await initGenerator(tree, { skipFormat: true });
  if (!opts.skipFormat) await formatFiles(tree);
  // Written after formatting: a formatter that knows TOML must not rewrite the user's file.
  tree.write(file, setTomlTable(text, NX_PEX_TABLE, entries, file));
}

export default configurationGenerator;
