import { basename } from 'node:path';
import { ArchiveError } from '../errors.js';
import { LAYOUTS, type Layout } from '../layout/contents.js';
import { parseWheelFilename } from '../wheel/filename.js';
import { requirementProject, wheelProject } from './distribution-names.js';

export type InheritPath = 'false' | 'prefer' | 'fallback';
const INHERIT_PATHS: readonly InheritPath[] = ['false', 'prefer', 'fallback'];

interface CheckedOptions<W> {
  wheels: W[];
  layout?: Layout;
  script?: string;
  entryPoint?: string;
  injectArgs?: string[];
  injectEnv?: Record<string, string>;
  inheritPath?: InheritPath;
  excluded?: string[];
  pexPath?: string[];
}

export interface NormalizedOptions<W> {
  /** The wheels minus those of excluded projects. */
  wheels: W[];
  layout: Layout;
  inheritPath: InheritPath;
}

function invalid(message: string): ArchiveError {
  return new ArchiveError('INVALID_OPTION', message);
}

/** Check the options that are not about files, and drop the wheels of excluded projects. */
export function normalizeOptions<W extends { path: string }>(options: CheckedOptions<W>): NormalizedOptions<W> {
  const layout = options.layout ?? 'zipapp';
  if (!LAYOUTS.includes(layout)) throw invalid(`layout '${String(layout)}' is not one of ${LAYOUTS.join(', ')}.`);
  const inheritPath = options.inheritPath ?? 'false';
  if (!INHERIT_PATHS.includes(inheritPath)) {
    throw invalid(
      `inheritPath '${String(inheritPath)}' is not one of ${INHERIT_PATHS.map((value) => `'${value}'`).join(', ')} (strings, as pex writes them).`,
    );
  }
  if (options.script !== undefined && options.entryPoint !== undefined) {
    throw new ArchiveError(
      'INVALID_ENTRY_POINT',
      `both entryPoint '${options.entryPoint}' and script '${options.script}' are set; a pex runs one of them, so pass only one.`,
    );
  }
  for (const [name, value] of Object.entries(options.injectEnv ?? {})) {
    if (name === '' || name.includes('=') || name.includes('\0') || typeof value !== 'string' || value.includes('\0')) {
      throw invalid(
        `injectEnv entry '${name}' is not a valid environment variable (a non-empty name without '=', a string value).`,
      );
    }
  }
  for (const [field, values] of [
    ['injectArgs', options.injectArgs],
    ['pexPath', options.pexPath],
  ] as const) {
    if (
      values?.some(
        (value) => typeof value !== 'string' || value.includes('\0') || (field === 'pexPath' && value === ''),
      )
    ) {
      throw invalid(`${field} must be a list of non-empty strings.`);
    }
  }
  const excludedProjects = new Set<string>();
  for (const requirement of options.excluded ?? []) {
    const project = requirementProject(requirement);
    if (project === undefined) {
      throw invalid(
        `excluded requirement '${requirement}' does not start with a project name (PEP 508), e.g. 'setuptools' or 'torch>=2'.`,
      );
    }
    excludedProjects.add(project);
  }
  checkDistinctWheelNames(options.wheels);
  return {
    wheels: options.wheels.filter((wheel) => !excludedProjects.has(wheelProject(basename(wheel.path)))),
    layout,
    inheritPath,
  };
}

function checkDistinctWheelNames(wheels: { path: string }[]): void {
  const seen = new Set<string>();
  for (const wheel of wheels) {
    const name = basename(wheel.path);
    parseWheelFilename(name);
    if (seen.has(name)) {
      throw new ArchiveError(
        'PATH_CONFLICT',
        `wheel ${name} is given twice; each wheel installs to .deps/<file name>, so pass each wheel once.`,
      );
    }
    seen.add(name);
  }
}
