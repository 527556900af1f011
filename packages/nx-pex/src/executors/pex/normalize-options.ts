import { posix } from 'node:path';
import type { PyProject } from '../../pyproject/pyproject.js';
import { moduleName } from '../../pyproject/pyproject.js';
import { PluginError } from '../../utils/errors.js';
import type { PexExecutorOptions } from './schema.js';
import type { TargetOptions } from '../../core/targets.js';

/** Options passed through to the archive as they are (pex's names and meanings). */
export type RuntimeOptions = Pick<PexExecutorOptions, 'injectArgs' | 'injectEnv' | 'inheritPath' | 'stripPexEnv' | 'excluded'>;

export interface NormalizedPexOptions {
  /** Exactly one of entryPoint and script. */
  entryPoint?: string;
  script?: string;
  /** Relative to the workspace root. */
  outputPath: string;
  layout: 'zipapp' | 'packed' | 'loose';
  /** The interpreters and platforms the pex carries wheels for. */
  targets: TargetOptions;
  shebang: string;
  /** Relative to the workspace root. */
  sourceRoot: string;
  exclude: string[];
  interpreterConstraints: string[];
  runtime: RuntimeOptions;
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
  if (options.script && options.entryPoint) {
    throw new PluginError('INVALID_OPTION', `${pyproject.name}: set either "entryPoint" or "script", not both (a pex runs one thing).`);
  }
  const runtime: RuntimeOptions = pickDefined(options, ['injectArgs', 'injectEnv', 'inheritPath', 'stripPexEnv', 'excluded']);
  return {
    ...(options.script ? { script: options.script } : { entryPoint: chooseEntryPoint(options, facts) }),
    outputPath: options.outputPath ?? posix.join('dist', projectRoot, `${pyproject.name}${options.layout && options.layout !== 'zipapp' ? '' : '.pex'}`),
    layout: options.layout ?? 'zipapp',
    targets: pickDefined(options, ['python', 'pythons', 'platforms', 'completePlatforms']),
    shebang: options.shebang ?? '#!/usr/bin/env python3',
    sourceRoot: posix.join(projectRoot, options.sourceRoot ?? (facts.hasSrcDir ? 'src' : '.')),
    exclude: options.exclude ?? [],
    interpreterConstraints: options.interpreterConstraints ?? (pyproject.requiresPython ? [pyproject.requiresPython] : []),
    runtime,
  };
}

/** The options among `keys` that are set. */
function pickDefined<K extends keyof PexExecutorOptions>(options: PexExecutorOptions, keys: readonly K[]): Pick<PexExecutorOptions, K> {
  const out: Partial<PexExecutorOptions> = {};
  for (const key of keys) if (options[key] !== undefined) Object.assign(out, { [key]: options[key] });
  return out as Pick<PexExecutorOptions, K>;
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
