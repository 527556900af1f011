// A dist-info for each first-party project in the pex (issue 12): what `pip install` of the project's
// wheel would leave in site-packages, so importlib.metadata.version()/entry_points() and the venv tool
// see the project as under pex. Binary distribution format + recording installed projects (PyPA specs).
import { createHash } from 'node:crypto';
import { normalizeName } from '@nx-pex/common';
import { ArchiveError } from '../errors.js';
import { escapedName } from '../wheel/filename.js';
import {
  isEntryName,
  isGroupName,
  isScriptName,
  parseObjectReference,
  SCRIPT_GROUPS,
  SCRIPT_NAME_GRAMMAR,
} from '../entry-points/grammar.js';
import { normalizeVersion } from './version.js';

/** A first-party project, as its `[project]` table gives it (pyproject.toml keys in camelCase). */
export interface ProjectDistribution {
  /** `[project] name` (PEP 508 name). */
  name: string;
  /** `[project] version` (PEP 440; written in its normal form). */
  version: string;
  /**
   * The core metadata file (METADATA) rendered by the caller from `[project]`; its `Name` must be
   * `name` and its `Version` `version` (compared normalised). Default: `Metadata-Version: 2.1`, Name, Version.
   */
  metadata?: string;
  /** `[project.scripts]`: console script name → `module:attr`. */
  scripts?: Record<string, string>;
  /** `[project.gui-scripts]`: gui script name → `module:attr`. */
  guiScripts?: Record<string, string>;
  /** `[project.entry-points]`: group → entry name → object reference (not console_scripts/gui_scripts). */
  entryPoints?: Record<string, Record<string, string>>;
}

export interface DistInfoFile {
  path: string;
  content: Buffer;
}

export interface ProjectDistInfo {
  /** `<name>-<version>.dist-info` (binary distribution format escaping). */
  directory: string;
  files: DistInfoFile[];
  /** Console script names, for the `script` option check. */
  consoleScripts: string[];
}

const PROJECT_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
export const INSTALLER = 'nx-pex';

function invalid(project: string, message: string): ArchiveError {
  return new ArchiveError('INVALID_OPTION', `projects entry '${project}': ${message}`);
}

/** Check each project and render its dist-info files (deterministic: sorted, fixed text). */
export function projectDistInfos(projects: readonly ProjectDistribution[]): ProjectDistInfo[] {
  const seen = new Set<string>();
  return projects.map((project) => {
    const infos = projectDistInfo(project);
    const key = normalizeName(project.name);
    if (seen.has(key))
      throw invalid(project.name, `project '${key}' is given twice; pass each first-party project once.`);
    seen.add(key);
    return infos;
  });
}

function projectDistInfo(project: ProjectDistribution): ProjectDistInfo {
  const name = String(project.name);
  if (!PROJECT_NAME.test(name)) {
    throw invalid(
      name,
      `'${name}' is not a project name (PEP 508: letters, digits, '.', '_', '-', starting and ending with a letter or digit); fix [project] name.`,
    );
  }
  const version = normalizeVersion(String(project.version));
  if (version === undefined)
    throw invalid(name, `version '${String(project.version)}' is not a PEP 440 version; fix [project] version.`);
  // Binary distribution format: the escaped name; the version in normal form.
  const directory = `${escapedName(name)}-${version}.dist-info`;
  const files: DistInfoFile[] = [
    { path: `${directory}/METADATA`, content: Buffer.from(metadataText(project, name, version)) },
  ];
  const entryPoints = entryPointsText(project, name);
  if (entryPoints !== '') files.push({ path: `${directory}/entry_points.txt`, content: Buffer.from(entryPoints) });
  files.push({ path: `${directory}/INSTALLER`, content: Buffer.from(`${INSTALLER}\n`) });
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  files.push({ path: `${directory}/RECORD`, content: Buffer.from(recordText(files, `${directory}/RECORD`)) });
  return { directory, files, consoleScripts: Object.keys(project.scripts ?? {}).sort() };
}

function metadataText(project: ProjectDistribution, name: string, version: string): string {
  if (project.metadata === undefined) return `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`;
  const text = String(project.metadata);
  const headers = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break; // the body (description) follows the first empty line
    const colon = line.indexOf(':');
    if (colon > 0 && !/^\s/.test(line)) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const where = 'fix the metadata the caller renders from [project]';
  if (text.includes('\0') || !headers.has('metadata-version'))
    throw invalid(name, `metadata has no Metadata-Version header (core metadata); ${where}.`);
  if (normalizeName(headers.get('name') ?? '') !== normalizeName(name))
    throw invalid(name, `metadata Name '${headers.get('name') ?? ''}' is not '${name}'; ${where}.`);
  if (normalizeVersion(headers.get('version') ?? '') !== version)
    throw invalid(name, `metadata Version '${headers.get('version') ?? ''}' is not '${version}'; ${where}.`);
  return text.endsWith('\n') ? text : `${text}\n`;
}

function entryPointsText(project: ProjectDistribution, name: string): string {
  const groups: [string, Record<string, string>][] = [];
  if (project.scripts !== undefined) groups.push(['console_scripts', project.scripts]);
  if (project.guiScripts !== undefined) groups.push(['gui_scripts', project.guiScripts]);
  for (const [group, entries] of Object.entries(project.entryPoints ?? {})) {
    if ((SCRIPT_GROUPS as readonly string[]).includes(group)) {
      throw invalid(
        name,
        `entry-points group '${group}' must be given as scripts/gui-scripts (pyproject.toml forbids it in [project.entry-points]).`,
      );
    }
    if (!isGroupName(group))
      throw invalid(name, `entry-points group '${group}' is not a dotted name of letters, digits and '_'.`);
    groups.push([group, entries]);
  }
  const sections: string[] = [];
  for (const [group, entries] of groups.sort(([a], [b]) => (a < b ? -1 : 1))) {
    const script = (SCRIPT_GROUPS as readonly string[]).includes(group);
    const lines = Object.entries(entries)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([entry, value]) => {
        checkEntry(name, group, entry, String(value), script);
        return `${entry} = ${String(value).trim()}`;
      });
    if (lines.length > 0) sections.push(`[${group}]\n${lines.join('\n')}\n`);
  }
  return sections.join('\n');
}

function checkEntry(name: string, group: string, entry: string, value: string, script: boolean): void {
  if (script ? !isScriptName(entry) : !isEntryName(entry)) {
    const rule = script
      ? `one safe file name (${SCRIPT_NAME_GRAMMAR})`
      : "a name without '=' or line breaks, not starting with '['";
    throw invalid(name, `${group} name '${entry}' is not ${rule}.`);
  }
  const reference = parseObjectReference(value);
  if (reference === undefined || (script && reference.attributes.length === 0)) {
    throw invalid(
      name,
      `${group} '${entry}' = '${value}' is not an object reference (${script ? "'module:attr'" : "'module' or 'module:attr'"}, PyPA entry points spec).`,
    );
  }
}

/** RECORD (recording installed projects): `path,sha256=<urlsafe b64, no padding>,size`, RECORD itself without a hash. */
function recordText(files: readonly DistInfoFile[], recordPath: string): string {
  const rows = files.map(
    (file) =>
      `${file.path},sha256=${createHash('sha256').update(file.content).digest('base64url')},${file.content.length}`,
  );
  return [...rows, `${recordPath},,`, ''].join('\n');
}
