import { existsSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { PyProject } from '../pyproject/pyproject.js';
import { moduleName, normalizeName } from '../pyproject/pyproject.js';
import type { PythonProject } from '../graph/python-workspace.js';
import { PluginError } from '../utils/errors.js';
import type { PexExecutorOptions } from '../executors/pex/schema.js';
import type { TargetOptions } from './targets.js';
import { lockFileOf } from './lock.js';
import { firstPartyClosure, thirdPartyRequirements } from './workspace.js';
import { defaultOutputPath } from './output-path.js';

export { defaultOutputPath };

/** Options passed through to the archive as they are (pex's names and meanings). */
export type RuntimeOptions = Pick<
  PexExecutorOptions,
  'injectArgs' | 'injectEnv' | 'inheritPath' | 'stripPexEnv' | 'excluded'
>;

export type Layout = 'zipapp' | 'packed' | 'loose';

/** Where a project's importable files are: a directory (workspace-relative) taken whole, or a flat project root. */
export interface SourceDir {
  project: string;
  dir: string;
  /** Sources at the project root (no src/): only Python modules and packages, without tests. */
  flat: boolean;
}

/**
 * The one description of a pex target that createNodes, the executors and the CLI act on: what the
 * options, pyproject.toml and the workspace's files say, resolved once.
 */
export interface PexTargetModel {
  /** Nx project name. */
  project: string;
  projectRoot: string;
  /** Exactly one of entryPoint and script. */
  entryPoint?: string;
  script?: string;
  /** How the entry point was chosen among several [project.scripts] and how to choose another (the build prints it). */
  entryPointNote?: string;
  /** Build sdist-only dependencies with the target interpreter (pex --build; default true). */
  buildSdists: boolean;
  /** Relative to the workspace root; a file (zipapp) or a directory (packed, loose). */
  outputPath: string;
  layout: Layout;
  /** The interpreters and platforms the pex carries wheels for. */
  targets: TargetOptions;
  shebang: string;
  /** The project's own source root, relative to the workspace root. */
  sourceRoot: string;
  /** The project's source directory, then those of the first-party projects it bundles. */
  sourceDirs: SourceDir[];
  exclude: string[];
  interpreterConstraints: string[];
  runtime: RuntimeOptions;
  /** Third-party requirements of the project and the first-party projects it bundles. */
  requirements: string[];
  /** Nx names of the bundled first-party projects. */
  bundled: string[];
  /** The pylock.toml that serves the project (workspace-relative), or undefined: the build resolves. */
  lockFile: string | undefined;
}

/** What the workspace's files say about a project, for the pure normalisation. */
export interface ProjectFacts {
  projectRoot: string;
  pyproject: PyProject;
  /** Does `<projectRoot>/src` exist? */
  hasSrcDir: boolean;
  /** Does `<sourceRoot>/<module>/__main__.py` exist? */
  hasMainModule: boolean;
}

/** The part of the model that options and facts alone decide (pure). */
export type NormalizedPexOptions = Omit<
  PexTargetModel,
  'project' | 'projectRoot' | 'sourceDirs' | 'requirements' | 'bundled' | 'lockFile'
>;

/** Options as given + what pyproject.toml says → the options the build acts on. */
export function normalizeOptions(options: PexExecutorOptions, facts: ProjectFacts): NormalizedPexOptions {
  const { pyproject, projectRoot } = facts;
  if (options.script && options.entryPoint) {
    throw new PluginError(
      'INVALID_OPTION',
      `${pyproject.name}: set either "entryPoint" or "script", not both (a pex runs one thing).`,
    );
  }
  const runtime: RuntimeOptions = pickDefined(options, [
    'injectArgs',
    'injectEnv',
    'inheritPath',
    'stripPexEnv',
    'excluded',
  ]);
  return {
    ...chooseEntryPoint(options, facts),
    buildSdists: options.buildSdists ?? true,
    outputPath: options.outputPath ?? defaultOutputPath(projectRoot, pyproject.name),
    layout: options.layout ?? 'zipapp',
    targets: pickDefined(options, ['python', 'pythons', 'platforms', 'completePlatforms']),
    shebang: options.shebang ?? '#!/usr/bin/env python3',
    sourceRoot: posix.join(projectRoot, options.sourceRoot ?? (facts.hasSrcDir ? 'src' : '.')),
    exclude: options.exclude ?? [],
    interpreterConstraints:
      options.interpreterConstraints ?? (pyproject.requiresPython ? [pyproject.requiresPython] : []),
    runtime,
  };
}

/** A project's source directory: `sourceRoot` (relative to the project) when given, else src/ when it exists, else the flat root. */
export function sourceDirOf(workspaceRoot: string, project: PythonProject, sourceRoot?: string): SourceDir {
  if (sourceRoot !== undefined)
    return { project: project.project, dir: posix.join(project.root, sourceRoot), flat: false };
  const hasSrc = existsSync(join(workspaceRoot, project.root, 'src'));
  return { project: project.project, dir: hasSrc ? posix.join(project.root, 'src') : project.root, flat: !hasSrc };
}

/** Source directories of a closure (the project first; `sourceRoot` applies to it only). */
export function sourceDirsOf(
  workspaceRoot: string,
  closure: readonly PythonProject[],
  sourceRoot?: string,
): SourceDir[] {
  return closure.map((p, i) => sourceDirOf(workspaceRoot, p, i === 0 ? sourceRoot : undefined));
}

/** The model of a project's pex target: options (as Nx merged them, or as the CLI read them) + pyproject + workspace files. */
export function pexTargetModel(
  workspaceRoot: string,
  project: PythonProject,
  all: readonly PythonProject[],
  options: PexExecutorOptions,
): PexTargetModel {
  const closure = firstPartyClosure(project, all);
  const own = sourceDirOf(workspaceRoot, project, options.sourceRoot);
  const normalized: NormalizedPexOptions = normalizeOptions(options, {
    projectRoot: project.root,
    pyproject: project.pyproject,
    hasSrcDir: existsSync(join(workspaceRoot, project.root, 'src')),
    hasMainModule: existsSync(join(workspaceRoot, own.dir, moduleName(project.pyproject.name), '__main__.py')),
  });
  return {
    project: project.project,
    projectRoot: project.root,
    ...normalized,
    sourceDirs: sourceDirsOf(workspaceRoot, closure, options.sourceRoot),
    requirements: thirdPartyRequirements(closure),
    bundled: closure.slice(1).map((p) => p.project),
    lockFile: lockFileOf(workspaceRoot, project),
  };
}

/** The options among `keys` that are set. */
function pickDefined<K extends keyof PexExecutorOptions>(
  options: PexExecutorOptions,
  keys: readonly K[],
): Pick<PexExecutorOptions, K> {
  const out: Partial<PexExecutorOptions> = {};
  for (const key of keys) if (options[key] !== undefined) Object.assign(out, { [key]: options[key] });
  return out as Pick<PexExecutorOptions, K>;
}

type EntryPointChoice = Pick<PexTargetModel, 'entryPoint' | 'script' | 'entryPointNote'>;

/**
 * What the pex runs: the option, else [tool.nx-pex] entry-point or script, else the only
 * [project.scripts] entry, else among several the one named after the project, the package's
 * __main__, or the first listed (said in `entryPointNote`), else the package's __main__.
 */
function chooseEntryPoint(options: PexExecutorOptions, facts: ProjectFacts): EntryPointChoice {
  const { pyproject } = facts;
  if (options.script) return { script: options.script };
  if (options.entryPoint) return { entryPoint: options.entryPoint };
  if (pyproject.tool.script) return { script: pyproject.tool.script };
  if (pyproject.tool.entryPoint) return { entryPoint: pyproject.tool.entryPoint };
  const names = Object.keys(pyproject.scripts);
  if (names.length === 1) return { entryPoint: pyproject.scripts[names[0]!]! };
  if (names.length > 1) return chooseAmongScripts(pyproject, names, facts.hasMainModule);
  if (facts.hasMainModule) return { entryPoint: moduleName(pyproject.name) };
  throw new PluginError(
    'NO_ENTRY_POINT',
    `${pyproject.name}: cannot tell what the pex should run: there is no [project.scripts] entry and no __main__.py in the package. Set the "entryPoint" option of the build target or entry-point (or script) in [tool.nx-pex] ("module" or "module:function").`,
  );
}

function chooseAmongScripts(pyproject: PyProject, names: string[], hasMainModule: boolean): EntryPointChoice {
  const own = names.find((n) => normalizeName(n) === normalizeName(pyproject.name));
  // A console script runs under its own name (sys.argv[0], as pex -c sets it); it needs the project's
  // dist-info, which a project without a version (static or dynamic) does not get.
  const hasDistInfo = pyproject.version !== undefined || (pyproject.dynamic ?? []).includes('version');
  let choice: EntryPointChoice;
  let took: string;
  if (own) {
    choice = hasDistInfo ? { script: own } : { entryPoint: pyproject.scripts[own]! };
    took = `the script named after the project, "${own}"`;
  } else if (hasMainModule) {
    choice = { entryPoint: moduleName(pyproject.name) };
    took = `the package's __main__ (${moduleName(pyproject.name)})`;
  } else {
    const first = names[0]!;
    choice = hasDistInfo ? { script: first } : { entryPoint: pyproject.scripts[first]! };
    took = `the first one, "${first}"`;
  }
  const note = `nx-pex: ${pyproject.name}: [project.scripts] has ${names.length} entries (${names.join(', ')}); the pex runs ${took}. To run another, set script = "<name>" in [tool.nx-pex] (or the build target's "script" option, nx-pex build --script <name>).`;
  return { ...choice, entryPointNote: note };
}
