import { readFile } from 'node:fs/promises';
import { parse, TomlError } from 'smol-toml';
import { Requirement } from '@nx-pex/resolver/standards';
import { PluginError, type PluginErrorCode } from '../utils/errors.js';
import { expandDependencyGroups } from './dependency-groups.js';
import { normalizeName } from '@nx-pex/common';

/** The parts of a pyproject.toml (PEP 621 `[project]`, PEP 735 groups, `[tool.nx-pex]`) that nx-pex reads. */
export interface PyProject {
  name: string;
  version?: string;
  requiresPython?: string;
  dependencies: string[];
  scripts: Record<string, string>;
  /** `[project.gui-scripts]`. */
  guiScripts?: Record<string, string>;
  /** `[project.entry-points]`: group → name → object reference (PEP 621; not console/gui scripts). */
  entryPoints?: Record<string, Record<string, string>>;
  /** `[project] dynamic`: fields only the build backend computes (PEP 621). */
  dynamic?: string[];
  /** Static core metadata from `[project]` (PEP 621 → core metadata) for the project's dist-info. */
  metadata?: ProjectMetadata;
  /** `[project.optional-dependencies]`: extra name → requirements. */
  optionalDependencies: Record<string, string[]>;
  dependencyGroups: Record<string, string[]>;
  /** `[tool.uv.sources]`: where uv takes a dependency from (a workspace member or a local path). */
  uvSources: Record<string, UvSource>;
  tool: NxPexToolTable;
}

/** `[project]` fields written into the project's METADATA (PEP 621 → core metadata 2.1). */
export interface ProjectMetadata {
  description?: string;
  /** `license` as a string (SPDX) or `{ text = … }`; `{ file = … }` is not read (the path is untrusted). */
  license?: string;
  keywords?: string[];
  /** `[project.urls]`: label → URL (Project-URL). */
  urls?: Record<string, string>;
}

export interface UvSource {
  workspace?: boolean;
  path?: string;
}

/** `[tool.nx-pex]`: defaults for the pex executor that belong with the project. */
export interface NxPexToolTable {
  entryPoint?: string;
  /** A console script to run (the project's own [project.scripts] or a dependency's), as pex -c. */
  script?: string;
  type?: 'app' | 'lib';
  /** Extras of this project ([project.optional-dependencies]) that its pex and lock include. */
  extras?: string[];
  /** The environments its universal lock serves (PEP 508 markers, platform tags, abbreviated platforms): listing them asks for one. */
  environments?: string[];
  /** How its universal lock shares versions across Pythons (uv's fork-strategy). */
  forkStrategy?: ForkStrategy;
}

/** uv's `--fork-strategy` values, as the resolver takes them. */
export type ForkStrategy = 'requires-python' | 'fewest';
export const FORK_STRATEGIES: readonly ForkStrategy[] = ['requires-python', 'fewest'];

type Table = Record<string, unknown>;

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new PluginError('INVALID_PYPROJECT', `${where} must be an array of strings`);
  }
  return value;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new PluginError('INVALID_PYPROJECT', `${where} must be a string`);
  return value;
}

/** A table of strings (`[project.gui-scripts]`, an entry-point group). */
function stringTable(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (!isTable(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new PluginError('INVALID_PYPROJECT', `${where} must map names to strings`);
  }
  return value as Record<string, string>;
}

/** The static `[project]` fields core metadata carries besides names, versions and requirements. */
function projectMetadata(project: Table, file: string): ProjectMetadata {
  const out: ProjectMetadata = {};
  const description = optionalString(project['description'], `${file}: [project] description`);
  if (description !== undefined) out.description = description;
  const license = project['license'];
  if (typeof license === 'string') out.license = license;
  else if (isTable(license) && typeof license['text'] === 'string') out.license = license['text'];
  else if (license !== undefined && !isTable(license))
    throw new PluginError('INVALID_PYPROJECT', `${file}: [project] license must be a string or a table`);
  const keywords = stringArray(project['keywords'], `${file}: [project] keywords`);
  if (keywords.length > 0) out.keywords = keywords;
  const urls = stringTable(project['urls'], `${file}: [project.urls]`);
  if (Object.keys(urls).length > 0) out.urls = urls;
  return out;
}

/** Parse pyproject.toml text; `file` names the file in errors. Returns undefined when there is no [project] table. */
export function parsePyProject(text: string, file: string): PyProject | undefined {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (e) {
    const where = e instanceof TomlError ? `:${e.line}:${e.column}` : '';
    throw new PluginError(
      'INVALID_PYPROJECT',
      `${file}${where}: not valid TOML: ${(e as Error).message.split('\n')[0]}. Fix the file (TOML 1.0, https://toml.io/en/v1.0.0); other projects are not affected.`,
    );
  }
  const project = doc['project'];
  if (project === undefined) return undefined;
  if (!isTable(project)) throw new PluginError('INVALID_PYPROJECT', `${file}: [project] must be a table`);
  const name = project['name'];
  if (typeof name !== 'string' || name.trim() === '') {
    throw new PluginError('INVALID_PYPROJECT', `${file}: [project] needs a string "name" (PEP 621)`);
  }
  const scripts = project['scripts'] ?? {};
  if (!isTable(scripts) || !Object.values(scripts).every((v) => typeof v === 'string')) {
    throw new PluginError(
      'INVALID_PYPROJECT',
      `${file}: [project.scripts] must map names to "module:function" strings`,
    );
  }
  const groupsRaw = doc['dependency-groups'] ?? {};
  if (!isTable(groupsRaw)) throw new PluginError('INVALID_PYPROJECT', `${file}: [dependency-groups] must be a table`);
  const dependencyGroups = expandDependencyGroups(groupsRaw, file);
  const toolRaw = isTable(doc['tool']) ? doc['tool']['nx-pex'] : undefined;
  const tool: NxPexToolTable = {};
  if (toolRaw !== undefined) {
    if (!isTable(toolRaw)) throw new PluginError('INVALID_PYPROJECT', `${file}: [tool.nx-pex] must be a table`);
    const entryPoint = optionalString(toolRaw['entry-point'], `${file}: [tool.nx-pex] entry-point`);
    if (entryPoint !== undefined) tool.entryPoint = entryPoint;
    const script = optionalString(toolRaw['script'], `${file}: [tool.nx-pex] script`);
    if (script !== undefined) tool.script = script;
    if (script !== undefined && entryPoint !== undefined) {
      throw new PluginError(
        'INVALID_PYPROJECT',
        `${file}: [tool.nx-pex] sets both entry-point and script; keep one (a pex runs one thing).`,
      );
    }
    const type = optionalString(toolRaw['type'], `${file}: [tool.nx-pex] type`);
    if (type !== undefined) {
      if (type !== 'app' && type !== 'lib')
        throw new PluginError('INVALID_PYPROJECT', `${file}: [tool.nx-pex] type must be "app" or "lib", not "${type}"`);
      tool.type = type;
    }
    if (toolRaw['extras'] !== undefined) tool.extras = stringArray(toolRaw['extras'], `${file}: [tool.nx-pex] extras`);
    if (toolRaw['environments'] !== undefined) {
      // The entries' grammar (marker, platform tag, abbreviated platform) is the resolver's to check when it locks.
      tool.environments = stringArray(toolRaw['environments'], `${file}: [tool.nx-pex] environments`);
      if (tool.environments.some((e) => e.trim() === ''))
        throw new PluginError(
          'INVALID_PYPROJECT',
          `${file}: [tool.nx-pex] environments has an empty entry; give a PEP 508 marker, a platform tag or an abbreviated platform`,
        );
    }
    const forkStrategy = optionalString(toolRaw['fork-strategy'], `${file}: [tool.nx-pex] fork-strategy`);
    if (forkStrategy !== undefined) {
      if (!FORK_STRATEGIES.includes(forkStrategy as ForkStrategy))
        throw new PluginError(
          'INVALID_PYPROJECT',
          `${file}: [tool.nx-pex] fork-strategy must be "requires-python" or "fewest", not "${forkStrategy}"`,
        );
      tool.forkStrategy = forkStrategy as ForkStrategy;
    }
  }
  const optionalRaw = project['optional-dependencies'] ?? {};
  if (!isTable(optionalRaw))
    throw new PluginError('INVALID_PYPROJECT', `${file}: [project.optional-dependencies] must be a table`);
  const optionalDependencies: Record<string, string[]> = {};
  for (const [extra, reqs] of Object.entries(optionalRaw)) {
    optionalDependencies[extra] = stringArray(reqs, `${file}: [project.optional-dependencies] ${extra}`);
  }
  for (const extra of tool.extras ?? []) {
    if (!(extra in optionalDependencies)) {
      throw new PluginError(
        'INVALID_PYPROJECT',
        `${file}: [tool.nx-pex] extras names "${extra}", which [project.optional-dependencies] does not define (defined: ${Object.keys(optionalDependencies).join(', ') || 'none'})`,
      );
    }
  }
  const uvSources: Record<string, UvSource> = {};
  const uv = isTable(doc['tool']) ? doc['tool']['uv'] : undefined;
  const sources = isTable(uv) ? uv['sources'] : undefined;
  if (isTable(sources)) {
    for (const [dep, source] of Object.entries(sources)) {
      if (!isTable(source)) continue; // lists of per-marker sources: not first-party paths
      const entry: UvSource = {};
      if (source['workspace'] === true) entry.workspace = true;
      if (typeof source['path'] === 'string') entry.path = source['path'];
      if (entry.workspace || entry.path) uvSources[normalizeName(dep)] = entry;
    }
  }
  const guiScripts = stringTable(project['gui-scripts'], `${file}: [project.gui-scripts]`);
  const entryPointsRaw = project['entry-points'] ?? {};
  if (!isTable(entryPointsRaw))
    throw new PluginError('INVALID_PYPROJECT', `${file}: [project.entry-points] must be a table of groups`);
  const entryPoints: Record<string, Record<string, string>> = {};
  for (const [group, entries] of Object.entries(entryPointsRaw))
    entryPoints[group] = stringTable(entries, `${file}: [project.entry-points.${group}]`);
  const result: PyProject = {
    name,
    dependencies: stringArray(project['dependencies'], `${file}: [project] dependencies`),
    scripts: scripts as Record<string, string>,
    guiScripts,
    entryPoints,
    dynamic: stringArray(project['dynamic'], `${file}: [project] dynamic`),
    metadata: projectMetadata(project, file),
    optionalDependencies,
    dependencyGroups,
    uvSources,
    tool,
  };
  checkRequirements(text, file, '[project] dependencies', result.dependencies);
  for (const [extra, reqs] of Object.entries(optionalDependencies))
    checkRequirements(text, file, `[project.optional-dependencies] ${extra}`, reqs);
  for (const [group, reqs] of Object.entries(dependencyGroups))
    checkRequirements(text, file, `[dependency-groups] ${group}`, reqs);
  const version = optionalString(project['version'], `${file}: [project] version`);
  if (version !== undefined) result.version = version;
  const requiresPython = optionalString(project['requires-python'], `${file}: [project] requires-python`);
  if (requiresPython !== undefined) result.requiresPython = requiresPython;
  return result;
}

export async function readPyProject(file: string): Promise<PyProject | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new PluginError('INVALID_PYPROJECT', `cannot read ${file}: ${(e as Error).message}`);
  }
  return parsePyProject(text, file);
}

/** PEP 503 normalisation, used for project and module names. */
export { normalizeName };

/** The import name a project's package conventionally has (`my-service` → `my_service`). */
export function moduleName(projectName: string): string {
  return normalizeName(projectName).replace(/-/g, '_');
}

/** 1-based line of the first TOML string literal holding `value` in `text`, or undefined. */
function lineOf(text: string, value: string): number | undefined {
  for (const quoted of [JSON.stringify(value), `'${value}'`]) {
    const at = text.indexOf(quoted);
    if (at >= 0) return text.slice(0, at).split('\n').length;
  }
  return undefined;
}

/** Every requirement string of a table must be PEP 508: a bad one is reported at its line, with the fix. */
function checkRequirements(text: string, file: string, table: string, requirements: readonly string[]): void {
  for (const req of requirements) {
    parseRequirement(req, () => {
      const line = lineOf(text, req);
      return `${file}${line ? `:${line}` : ''}: ${table}`;
    });
  }
}

/**
 * The name a project has even when its pyproject.toml cannot be used: `[project] name` when the TOML
 * parses and has one, else the directory's name.
 */
export function projectNameHint(text: string, root: string): string {
  try {
    const doc = parse(text) as Table;
    const name = isTable(doc['project']) ? doc['project']['name'] : undefined;
    if (typeof name === 'string' && name.trim() !== '') return name;
  } catch {
    // not TOML: fall back to the directory's name
  }
  const base = root.split('/').filter(Boolean).pop();
  return base && base !== '.' ? base : 'workspace-root';
}

/**
 * A PEP 508 requirement. A bad one fails with `code`, `where` it was written (a file, a file:line and
 * table, an option) and the parser's message, which quotes the string and says what was expected where.
 */
export function parseRequirement(
  text: string,
  where: string | (() => string),
  code: PluginErrorCode = 'INVALID_REQUIREMENT',
): Requirement {
  try {
    return Requirement.parse(text);
  } catch (e) {
    throw new PluginError(code, `${typeof where === 'string' ? where : where()}: ${(e as Error).message}`);
  }
}
