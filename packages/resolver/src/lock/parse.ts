import { parse as parseToml } from 'smol-toml';
import { ResolverError } from '../errors.js';
import { lockedFileProblem } from '../filename/locked.js';
import { checkSettingUrl } from '../http/urls.js';
import { isValidName, normalizeName } from '../names.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Version } from '../pep440/version.js';
import { Marker } from '../pep508/marker.js';
import { Requirement } from '../pep508/requirement.js';
import type { Lock, LockDependency, LockFile, LockPackage, LockRoots, LockTarget, NxPexLockTable } from './model.js';

type Table = Record<string, unknown>;

/** Validation context: the file and the dotted field path, for INVALID_LOCK messages. */
class Reader {
  constructor(readonly file: string) {}

  fail(field: string, problem: string): never {
    throw new ResolverError('INVALID_LOCK', `${this.file}: ${field} ${problem}. Regenerate the lock (nx run <project>:lock) or fix that field.`);
  }

  table(value: unknown, field: string): Table {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date) this.fail(field, 'must be a table');
    return value as Table;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'must be an array');
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, 'must be a string');
    return value;
  }

  optionalString(value: unknown, field: string): string | undefined {
    return value === undefined ? undefined : this.string(value, field);
  }

  strings(value: unknown, field: string): string[] {
    return this.array(value, field).map((v, i) => this.string(v, `${field}[${i}]`));
  }

  /** A string that must parse with `check` (which throws a ResolverError on bad input). */
  checked(value: unknown, field: string, what: string, check: (s: string) => unknown): string {
    const s = this.string(value, field);
    try {
      check(s);
    } catch (err) {
      this.fail(field, `is not a valid ${what} (${JSON.stringify(s)}: ${(err as Error).message})`);
    }
    return s;
  }
}

function readFile(r: Reader, value: unknown, field: string, kind: 'wheel' | 'sdist', pkg: string): LockFile {
  const t = r.table(value, field);
  const hashes = r.table(t.hashes, `${field}.hashes`);
  const hashEntries = Object.entries(hashes).map(([alg, digest]) => {
    const hex = r.string(digest, `${field}.hashes.${alg}`).toLowerCase();
    if (!/^[0-9a-f]+$/.test(hex)) r.fail(`${field}.hashes.${alg}`, 'must be a hex digest');
    return [alg.toLowerCase(), hex] as const;
  });
  // PEP 751: "at least one" hash is required.
  if (hashEntries.length === 0) r.fail(`${field}.hashes`, 'must hold at least one hash (sha256)');
  const sha256 = hashes.sha256;
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(String(sha256))) r.fail(`${field}.hashes.sha256`, 'must be 64 hex digits');
  const url = r.optionalString(t.url, `${field}.url`);
  const path = r.optionalString(t.path, `${field}.path`);
  if (url === undefined && path === undefined) r.fail(field, 'needs a url or a path');
  const name = r.optionalString(t.name, `${field}.name`);
  let size: number | undefined;
  if (t.size !== undefined) {
    if (typeof t.size !== 'number' || !Number.isSafeInteger(t.size) || t.size < 0) r.fail(`${field}.size`, 'must be a non-negative integer');
    size = t.size;
  }
  const file: LockFile = {
    ...(name !== undefined ? { name } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(path !== undefined ? { path } : {}),
    ...(size !== undefined ? { size } : {}),
    hashes: Object.fromEntries(hashEntries),
  };
  // Names and URLs from a lock become paths and requests: the same checks as for an index (issue 11).
  const problem = lockedFileProblem(file, kind);
  if (problem) r.fail(`${field} (package ${pkg})`, problem);
  return file;
}

function readDependency(r: Reader, value: unknown, field: string): LockDependency {
  const t = r.table(value, field);
  const version = r.optionalString(t.version, `${field}.version`);
  return { name: normalizeName(r.string(t.name, `${field}.name`)), ...(version !== undefined ? { version } : {}) };
}

function readPackage(r: Reader, value: unknown, field: string): LockPackage {
  const t = r.table(value, field);
  const name = r.string(t.name, `${field}.name`);
  if (!isValidName(name)) r.fail(`${field}.name`, `is not a valid project name (${JSON.stringify(name)})`);
  const pkg: LockPackage = { name: normalizeName(name), wheels: [] };
  if (t.version !== undefined) pkg.version = r.checked(t.version, `${field}.version`, 'PEP 440 version', Version.parse);
  if (t.marker !== undefined) pkg.marker = r.checked(t.marker, `${field}.marker`, 'PEP 508 marker', Marker.parse);
  if (t['requires-python'] !== undefined) {
    pkg.requiresPython = r.checked(t['requires-python'], `${field}.requires-python`, 'PEP 440 specifier set', (s) => new SpecifierSet(s));
  }
  if (t.dependencies !== undefined) {
    pkg.dependencies = r.array(t.dependencies, `${field}.dependencies`).map((d, i) => readDependency(r, d, `${field}.dependencies[${i}]`));
  }
  if (t.index !== undefined) pkg.index = r.checked(t.index, `${field}.index`, `index URL (package ${pkg.name})`, (u) => checkSettingUrl(u, `${field}.index`, ['http:', 'https:', 'file:']));
  if (t.wheels !== undefined) pkg.wheels = r.array(t.wheels, `${field}.wheels`).map((w, i) => readFile(r, w, `${field}.wheels[${i}]`, 'wheel', pkg.name));
  if (t.sdist !== undefined) pkg.sdist = readFile(r, t.sdist, `${field}.sdist`, 'sdist', pkg.name);
  const tool = t.tool === undefined ? undefined : r.table(t.tool, `${field}.tool`);
  if (tool?.['nx-pex'] !== undefined) {
    const own = r.table(tool['nx-pex'], `${field}.tool.nx-pex`);
    const requiresDist = r.strings(own['requires-dist'] ?? [], `${field}.tool.nx-pex.requires-dist`);
    requiresDist.forEach((s, i) => r.checked(s, `${field}.tool.nx-pex.requires-dist[${i}]`, 'PEP 508 requirement', Requirement.parse));
    pkg.nxPex = { requiresDist };
  }
  return pkg;
}

function readTarget(r: Reader, value: unknown, field: string): LockTarget {
  const t = r.table(value, field);
  const markers = r.table(t.markers, `${field}.markers`);
  const tag = r.optionalString(t.tag, `${field}.tag`);
  return {
    python: r.checked(t.python, `${field}.python`, 'Python version', Version.parse),
    ...(tag !== undefined ? { tag } : {}),
    markers: Object.fromEntries(Object.entries(markers).map(([k, v]) => [k, r.string(v, `${field}.markers.${k}`)])),
  };
}

function readNxPex(r: Reader, value: unknown): NxPexLockTable {
  const t = r.table(value, 'tool.nx-pex');
  const rootsTable = r.table(t.roots ?? {}, 'tool.nx-pex.roots');
  const roots: LockRoots = {};
  for (const [project, list] of Object.entries(rootsTable)) {
    const field = `tool.nx-pex.roots.${project}`;
    roots[project] = r.strings(list, field);
    roots[project].forEach((s, i) => r.checked(s, `${field}[${i}]`, 'PEP 508 requirement', Requirement.parse));
  }
  const targets = r.array(t.targets ?? [], 'tool.nx-pex.targets').map((v, i) => readTarget(r, v, `tool.nx-pex.targets[${i}]`));
  return { roots, targets };
}

/**
 * Parse and validate `pylock.toml` text (PEP 751). Unknown keys are ignored (forward compatible
 * within lock-version 1.x). Errors are INVALID_LOCK naming `file` and the field.
 */
export function parseLock(text: string, file: string): Lock {
  const r = new Reader(file);
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (err) {
    throw new ResolverError('INVALID_LOCK', `${file} is not valid TOML: ${(err as Error).message.split('\n')[0]}. Regenerate the lock (nx run <project>:lock) or fix the syntax.`, { cause: err });
  }
  const lockVersion = r.string(doc['lock-version'], 'lock-version');
  // PEP 751: tools must refuse a major version they do not support.
  if (!/^1(\.\d+)?$/.test(lockVersion)) r.fail('lock-version', `is ${JSON.stringify(lockVersion)}; only 1.x is supported`);
  const lock: Lock = {
    lockVersion,
    createdBy: r.string(doc['created-by'], 'created-by'),
    packages: r.array(doc.packages, 'packages').map((p, i) => readPackage(r, p, `packages[${i}]`)),
  };
  if (doc.environments !== undefined) {
    lock.environments = r.strings(doc.environments, 'environments');
    lock.environments.forEach((m, i) => r.checked(m, `environments[${i}]`, 'PEP 508 marker', Marker.parse));
  }
  if (doc['requires-python'] !== undefined) {
    lock.requiresPython = r.checked(doc['requires-python'], 'requires-python', 'PEP 440 specifier set', (s) => new SpecifierSet(s));
  }
  const tool = doc.tool === undefined ? undefined : r.table(doc.tool, 'tool');
  if (tool?.['nx-pex'] !== undefined) lock.nxPex = readNxPex(r, tool['nx-pex']);
  return lock;
}
