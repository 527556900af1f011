import { posix, win32 } from 'node:path';
import { SpecifierSet } from '@nx-pex/resolver';
import { moduleName, parseRequirement } from '../../pyproject/pyproject.js';
import { PluginError } from '../../utils/errors.js';

// PEP 508 names: ASCII letters and digits, with . _ - inside.
export const PROJECT_NAME = /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;

/** The options python-app and python-lib share, as the user gives them. */
export interface ProjectOptions {
  name: string;
  directory?: string;
  dependencies?: string;
  requiresPython?: string;
  skipFormat?: boolean;
}

/** Those options validated, with their defaults applied. */
export interface NormalizedProjectOptions {
  name: string;
  /** The import name of the project's package (`my-service` → `my_service`). */
  moduleName: string;
  /** POSIX, relative to the workspace root. */
  directory: string;
  dependencies: string[];
  requiresPython: string;
  skipFormat: boolean;
}

export const DEFAULT_REQUIRES_PYTHON = '>=3.8';

/** Validates the shared options once; `defaultParent` is `apps` or `libs`. */
export function normalizeProjectOptions(options: ProjectOptions, defaultParent: string): NormalizedProjectOptions {
  const name = validateName(options.name);
  const requiresPython = options.requiresPython ?? DEFAULT_REQUIRES_PYTHON;
  return {
    name,
    moduleName: moduleName(name),
    directory: workspaceDirectory(options.directory ?? `${defaultParent}/${name}`, 'directory'),
    dependencies: parseRequirementList(options.dependencies ?? '', '--dependencies'),
    requiresPython: validateRequiresPython(requiresPython),
    skipFormat: options.skipFormat ?? false,
  };
}

export function validateName(name: unknown): string {
  if (typeof name !== 'string' || !PROJECT_NAME.test(name)) {
    throw new PluginError(
      'INVALID_OPTION',
      `${JSON.stringify(name)} is not a valid Python project name: use ASCII letters, digits, "-", "_" and "." and start and end with a letter or digit (PEP 508), e.g. my-service.`,
    );
  }
  return name;
}

/**
 * A directory given relative to the workspace root, normalised to POSIX. Refuses absolute paths and
 * paths that leave the workspace; `.` (the workspace root itself) only when `allowRoot`.
 */
export function workspaceDirectory(directory: string, option: string, allowRoot = false): string {
  const given = directory.trim();
  if (given === '' || posix.isAbsolute(given) || win32.isAbsolute(given)) {
    throw new PluginError(
      'INVALID_OPTION',
      `--${option} must be a directory relative to the workspace root, not ${JSON.stringify(directory)}.`,
    );
  }
  const normalized = posix.normalize(given.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (normalized === '..' || normalized.startsWith('../')) {
    throw new PluginError(
      'INVALID_OPTION',
      `--${option} ${JSON.stringify(directory)} is outside the workspace: give a path inside it, relative to the workspace root.`,
    );
  }
  if (normalized === '.' && !allowRoot) {
    throw new PluginError(
      'INVALID_OPTION',
      `--${option} must be a subdirectory of the workspace root, e.g. apps/my-service.`,
    );
  }
  return normalized;
}

/**
 * Comma-separated PEP 508 requirements; a bad one fails with the resolver's message. A comma inside
 * a requirement (`requests>=2,<3`, `uvicorn[standard,http]`, a quoted marker value) does not split
 * it: a new requirement starts only at a top-level comma followed by a name (PEP 508 names start with
 * a letter or digit; a specifier clause starts with an operator).
 */
export function parseRequirementList(text: string, option: string): string[] {
  const requirements: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if ((c === ']' || c === ')') && depth > 0) depth--;
    else if (c === ',' && depth === 0 && /^\s*[A-Za-z0-9]/.test(text.slice(i + 1))) {
      requirements.push(text.slice(start, i));
      start = i + 1;
    }
  }
  requirements.push(text.slice(start));
  const result = requirements.map((r) => r.trim().replace(/,+$/, '').trim()).filter((r) => r.length > 0);
  for (const requirement of result) parseRequirement(requirement, option, 'INVALID_OPTION');
  return result;
}

export function validateRequiresPython(specifier: string): string {
  try {
    // PEP 621 requires-python is a PEP 440 specifier set.
    new SpecifierSet(specifier);
  } catch (e) {
    throw new PluginError('INVALID_OPTION', `--requiresPython: ${(e as Error).message}`);
  }
  return specifier;
}
