import { posix } from 'node:path';
import type { PyProject } from '../../pyproject/pyproject.js';
import { moduleName } from '../../pyproject/pyproject.js';
import { PluginError } from '../../utils/errors.js';
import type { PexExecutorOptions } from './schema.js';

export interface NormalizedPexOptions {
  entryPoint: string;
  /** Relative to the workspace root. */
  outputPath: string;
  python: string;
  shebang: string;
  /** Relative to the workspace root. */
  sourceRoot: string;
  requirements: string[];
  interpreterConstraints: string[];
}

export interface ProjectFacts {
  projectRoot: string;
  pyproject: PyProject;
  /** Does `<projectRoot>/src` exist? */
  hasSrcDir: boolean;
  /** Does `<sourceRoot>/<module>/__main__.py` exist? */
  hasMainModule: boolean;
}

/** Options as given + what pyproject.toml says → the one set of options the executor acts on. */
export function normalizeOptions(options: PexExecutorOptions, facts: ProjectFacts): NormalizedPexOptions {
  const { pyproject, projectRoot } = facts;
  return {
    entryPoint: chooseEntryPoint(options, facts),
    outputPath: options.outputPath ?? posix.join('dist', projectRoot, `${pyproject.name}.pex`),
    python: options.python ?? 'python3',
    shebang: options.shebang ?? '#!/usr/bin/env python3',
    sourceRoot: posix.join(projectRoot, options.sourceRoot ?? (facts.hasSrcDir ? 'src' : '.')),
    requirements: pyproject.dependencies,
    interpreterConstraints: pyproject.requiresPython ? [pyproject.requiresPython] : [],
  };
}

function chooseEntryPoint(options: PexExecutorOptions, facts: ProjectFacts): string {
  const { pyproject } = facts;
  if (options.entryPoint) return options.entryPoint;
  if (pyproject.tool.entryPoint) return pyproject.tool.entryPoint;
  const scripts = Object.values(pyproject.scripts);
  if (scripts.length === 1 && scripts[0]) return scripts[0];
  if (facts.hasMainModule) return moduleName(pyproject.name);
  const why = scripts.length > 1
    ? `[project.scripts] has ${scripts.length} entries (${Object.keys(pyproject.scripts).join(', ')})`
    : 'there is no [project.scripts] entry and no __main__.py in the package';
  throw new PluginError(
    'NO_ENTRY_POINT',
    `${pyproject.name}: cannot tell what the pex should run: ${why}. Set the "entryPoint" option of the build target or entry-point in [tool.nx-pex] ("module" or "module:function").`,
  );
}
