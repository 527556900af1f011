import { parse as parseToml } from 'smol-toml';
import { defaultCacheDir } from '../cache/dir.js';
import type { IndexConfig } from '../config/index-config.js';
import { ResolverError } from '../errors.js';
import { lockedFilename, lockedFileProblem } from '../filename/locked.js';
import { parseSdistFilename } from '../filename/sdist.js';
import { tryParseWheelFilename } from '../filename/wheel.js';
import { HttpClient, httpOptionsFor, type HttpOptions } from '../http/client.js';
import { redactUrl } from '../http/credentials.js';
import { PageCache } from '../http/page-cache.js';
import { IndexClient } from '../index/client.js';
import { normalizeName } from '../names.js';
import { Version } from '../pep440/version.js';
import { Requirement } from '../pep508/requirement.js';
import type { Lock, LockDependency, LockFile, LockPackage, LockRequirementSets } from './model.js';
import { isLockCurrent, type LockStatus } from './current.js';
import { canonicalRequirement } from './select.js';
import { join } from 'node:path';

function invalid(file: string, where: string, message: string): ResolverError {
  return new ResolverError('INVALID_LOCK', `${file}${where ? `:${where}` : ''}: ${message}`);
}

// ---- requirements.txt ---------------------------------------------------------------------------

export interface ImportRequirementsOptions {
  /** Where the pinned files are looked up (their URLs are found by sha256 on the project pages). */
  index: IndexConfig;
  /** The nx-pex project the lock serves (default "default"). */
  project?: string;
  /**
   * The project's own requirements (pyproject `[project] dependencies`): they become the lock's roots,
   * and each must be satisfied by a pin (LOCK_OUTDATED otherwise). Without them every pin is a root.
   */
  requirements?: string[];
  /** The project's requires-python, recorded as the lock's. */
  requiresPython?: string;
  cacheDir?: string;
  http?: HttpOptions;
}

interface Pin {
  requirement: Requirement;
  hashes: string[];
  line: number;
}

/** Logical lines (continuations joined, comments dropped) with their first physical line number. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let current = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    // pip: a comment starts at `#` at line start or after whitespace.
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (current === '') start = i + 1;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      return;
    }
    current += line;
    if (current.trim()) out.push({ text: current.trim(), line: start });
    current = '';
  });
  if (current.trim()) out.push({ text: current.trim(), line: start });
  return out;
}

/** Pinned, hashed requirement lines (as `pip-compile --generate-hashes` / `pip freeze` + hashes write). */
export function parseHashedRequirements(text: string, file: string): Pin[] {
  const pins: Pin[] = [];
  for (const { text: line, line: n } of logicalLines(text)) {
    if (line.startsWith('-')) {
      // Global options: index options are the caller's IndexConfig; includes are not followed.
      if (/^(-r|--requirement|-c|--constraint)\b/.test(line)) {
        throw invalid(
          file,
          String(n),
          `"${line}": nested requirement / constraint files are not followed; import each file or merge them.`,
        );
      }
      continue;
    }
    const hashes: string[] = [];
    const spec = line
      .replace(/\s--hash[=\s]\s*([a-z0-9]+):([0-9a-fA-F]+)/g, (_m, algo: string, digest: string) => {
        if (algo === 'sha256') hashes.push(digest.toLowerCase());
        return '';
      })
      .trim();
    if (/\s--?[a-z]/.test(` ${spec}`.replace(/;.*$/, ''))) {
      throw invalid(file, String(n), `unsupported per-requirement option in "${line}" (only --hash is understood).`);
    }
    let requirement: Requirement;
    try {
      requirement = Requirement.parse(spec);
    } catch (err) {
      throw invalid(file, String(n), (err as Error).message);
    }
    const pin = requirement.specifier.specifiers;
    if (
      requirement.url ||
      pin.length !== 1 ||
      !['==', '==='].includes(pin[0]!.operator) ||
      pin[0]!.version.includes('*')
    ) {
      throw invalid(
        file,
        String(n),
        `${requirement.name} must be pinned with == to one version (got "${spec}"); regenerate with pip-compile --generate-hashes.`,
      );
    }
    if (hashes.length === 0) {
      throw invalid(
        file,
        String(n),
        `${requirement.name} has no --hash=sha256:… ; nx-pex locks verify every file by sha256 (pip-compile --generate-hashes).`,
      );
    }
    pins.push({ requirement, hashes, line: n });
  }
  return pins;
}

/**
 * A hashed requirements.txt (every line `name==version [; marker] --hash=sha256:…`) as a Lock:
 * each pin becomes a package whose wheels / sdist are the index files with those hashes (looked up on
 * the project pages); the project's own `requirements` are the roots. The file is a closed set of pins,
 * so entries record no dependencies: `selectFromLock` takes every pin whose marker holds for the
 * target, after checking that each root has one.
 */
export async function importRequirementsTxt(
  text: string,
  file: string,
  options: ImportRequirementsOptions,
): Promise<Lock> {
  const pins = parseHashedRequirements(text, file);
  const project = options.project ?? 'default';
  const http = new HttpClient(httpOptionsFor(options.http, options.index));
  const client = new IndexClient(
    http,
    options.index,
    new PageCache(join(options.cacheDir ?? defaultCacheDir(), 'http')),
  );
  try {
    const packages = await Promise.all(
      pins.map(async (pin): Promise<LockPackage> => {
        const name = pin.requirement.key;
        const version = Version.parse(pin.requirement.specifier.specifiers[0]!.version).toString();
        const wanted = new Set(pin.hashes);
        const files = (await client.projectFiles(name)).filter((f) => f.hashes.sha256 && wanted.has(f.hashes.sha256));
        const wheels: LockFile[] = [];
        let sdist: LockFile | undefined;
        for (const f of files) {
          const wheel = tryParseWheelFilename(f.filename);
          const fileVersion = wheel?.version ?? parseSdistFilename(f.filename, name)?.version;
          if (fileVersion === undefined || Version.tryParse(fileVersion)?.toString() !== version) continue;
          const entry: LockFile = { name: f.filename, url: redactUrl(f.url), hashes: { sha256: f.hashes.sha256! } };
          if (wheel) wheels.push(entry);
          else sdist ??= entry;
        }
        if (wheels.length === 0 && !sdist) {
          throw new ResolverError(
            'NO_MATCHING_DISTRIBUTION',
            `${file}:${pin.line}: no file of ${name} ${version} on ${client.describeSources()} has one of the listed sha256 hashes. Check the index configuration, or regenerate the hashes.`,
          );
        }
        wheels.sort((a, b) => a.name!.localeCompare(b.name!));
        const marker = pin.requirement.marker?.toString();
        return { name, version, ...(marker ? { marker } : {}), wheels, ...(sdist ? { sdist } : {}) };
      }),
    );
    const roots = options.requirements ?? pins.map((p) => p.requirement.toString());
    for (const text of roots) {
      const r = Requirement.parse(text);
      const pinned = packages.filter((p) => p.name === r.key);
      if (r.url || !pinned.some((p) => r.specifier.contains(p.version!, true))) {
        throw new ResolverError(
          'LOCK_OUTDATED',
          `${file}: project ${project} requires ${r.toString()} but ${pinned.length ? `the file pins ${r.key}==${pinned.map((p) => p.version).join(', ')}` : `the file does not pin ${r.key}`}. Regenerate it (pip-compile --generate-hashes).`,
        );
      }
    }
    return {
      lockVersion: '1.0',
      ...(options.requiresPython !== undefined ? { requiresPython: options.requiresPython } : {}),
      createdBy: 'nx-pex',
      packages,
      nxPex: { roots: { [project]: [...new Set(roots.map(canonicalRequirement))].sort() }, targets: [] },
    };
  } finally {
    await http.close();
  }
}

// ---- uv.lock ------------------------------------------------------------------------------------

interface UvDependency {
  name: string;
  version?: string;
  marker?: string;
  extra?: string[];
}
interface UvFile {
  url?: string;
  path?: string;
  hash?: string;
  size?: number;
}
/** `[package.metadata]` requirement: what pyproject.toml says (specifiers kept), as uv records it. */
interface UvRequirement {
  name: string;
  specifier?: string;
  marker?: string;
  extras?: string[];
  url?: string;
}
interface UvPackage {
  name: string;
  version?: string;
  source?: Record<string, string>;
  dependencies?: UvDependency[];
  'optional-dependencies'?: Record<string, UvDependency[]>;
  'dev-dependencies'?: Record<string, UvDependency[]>;
  sdist?: UvFile;
  wheels?: UvFile[];
  metadata?: { 'requires-dist'?: UvRequirement[]; 'requires-dev'?: Record<string, UvRequirement[]> };
}

function uvRequirement(d: UvDependency, extra?: string): string {
  let s = d.name;
  if (d.extra?.length) s += `[${d.extra.join(',')}]`;
  if (d.version) s += `==${d.version}`;
  if (!extra) return d.marker ? `${s} ; ${d.marker}` : s;
  return `${s} ; ${d.marker ? `(${d.marker}) and ` : ''}extra == "${extra}"`;
}

function uvFile(f: UvFile, file: string, where: string): LockFile {
  const m = /^sha256:([0-9a-f]{64})$/i.exec(f.hash ?? '');
  if (!m)
    throw invalid(
      file,
      '',
      `${where} has no sha256 hash (got ${JSON.stringify(f.hash ?? null)}); nx-pex verifies every file by sha256.`,
    );
  const url = f.url ?? f.path;
  if (!url) throw invalid(file, '', `${where} has neither url nor path.`);
  const name = lockedFilename({ url })!;
  const problem = lockedFileProblem(
    { name, ...(f.url ? { url: f.url } : {}) },
    where.endsWith('sdist') ? 'sdist' : 'wheel',
  );
  if (problem) throw invalid(file, '', `${where} ${problem}.`);
  return {
    name,
    ...(f.url ? { url: redactUrl(f.url) } : { path: f.path! }),
    ...(typeof f.size === 'number' ? { size: f.size } : {}),
    hashes: { sha256: m[1]!.toLowerCase() },
  };
}

// uv writes an extra's requirements into requires-dist with `extra == '<name>'` joined by `and`.
const EXTRA_CLAUSE = /^(?:(.*?)\s+and\s+)?extra\s*==\s*(["'])([^"']+)\2(?:\s+and\s+(.*))?$/;

/** A `[package.metadata]` requirement as PEP 508 text, and the extra it belongs to (none for a runtime requirement). */
function metadataRequirement(r: UvRequirement): { text: string; extra?: string } {
  let s = r.name;
  if (r.extras?.length) s += `[${r.extras.join(',')}]`;
  if (r.url) s += ` @ ${r.url}`;
  else if (r.specifier) s += r.specifier;
  let marker = r.marker;
  let extra: string | undefined;
  const m = marker === undefined ? null : EXTRA_CLAUSE.exec(marker);
  if (m && !/\bextra\b/.test(`${m[1] ?? ''} ${m[4] ?? ''}`) && !/\bor\b/.test(marker!)) {
    extra = normalizeName(m[3]!);
    marker = [m[1], m[4]].filter(Boolean).join(' and ') || undefined;
  }
  return { text: marker ? `${s}${r.url ? ' ' : ''} ; ${marker}` : s, ...(extra ? { extra } : {}) };
}

/**
 * A `uv.lock` as a Lock: registry packages with their wheels / sdist (url, sha256, size) and their
 * dependencies as Requires-Dist (uv's markers and extras kept, so `selectFromLock` walks them per
 * target); workspace members (editable / virtual / directory sources) become the projects. A
 * member's roots, extras and dependency groups are its `[package.metadata]` requires-dist and
 * requires-dev — pyproject.toml's requirements with their version specifiers — so `isLockCurrent`
 * against the project's pyproject tells whether the uv.lock is stale (as `uv lock --check`); a
 * uv.lock without metadata falls back to the member's resolved dependencies. Git and direct-URL
 * sources are refused (INVALID_LOCK).
 */
export function importUvLock(text: string, file: string): Lock {
  return readUvLock(text, file).lock;
}

/** What a uv workspace member's pyproject says: its requirements, extras and groups (canonical). */
interface MemberRecord {
  roots: Record<string, string[]>;
  groups: LockRequirementSets;
  extras: LockRequirementSets;
}

/** A requirement text with `outer` (a marker) and-ed to its own marker. */
function withMarker(requirement: Requirement, outer: string | undefined): string {
  let s = requirement.key;
  const extras = requirement.normalizedExtras;
  if (extras.length) s += `[${extras.join(',')}]`;
  if (requirement.url) s += ` @ ${requirement.url} `;
  else s += requirement.specifier.toString();
  const inner = requirement.marker?.toString();
  const marker = inner && outer ? `(${outer}) and (${inner})` : (inner ?? outer);
  return marker ? `${s}; ${marker}` : s;
}

/**
 * A member's requirements with those naming other workspace members replaced by what those members
 * require (their runtime requirements and the extras asked for, transitively, markers and-ed): the
 * lock holds no entry for a member, nx-pex builds it from the workspace.
 */
function expandMembers(
  list: readonly string[],
  members: MemberRecord,
  seen: ReadonlySet<string> = new Set(),
): string[] {
  const out = new Set<string>();
  for (const text of list) {
    const r = Requirement.parse(text);
    if (!(r.key in members.roots)) {
      out.add(canonicalRequirement(text));
      continue;
    }
    if (seen.has(r.key)) continue;
    const next = new Set([...seen, r.key]);
    const inner = [...members.roots[r.key]!, ...r.normalizedExtras.flatMap((e) => members.extras[r.key]?.[e] ?? [])];
    for (const t of expandMembers(inner, members, next))
      out.add(canonicalRequirement(withMarker(Requirement.parse(t), r.marker?.toString())));
  }
  return [...out].sort();
}

function expandSets(sets: LockRequirementSets, members: MemberRecord): LockRequirementSets {
  return Object.fromEntries(
    Object.entries(sets).map(([member, named]) => [
      member,
      Object.fromEntries(Object.entries(named).map(([n, l]) => [n, expandMembers(l, members, new Set([member]))])),
    ]),
  );
}

/** The uv.lock as a Lock (members expanded) and what each member records of its pyproject. */
function readUvLock(text: string, file: string): { lock: Lock; recorded: MemberRecord } {
  let doc: { version?: number; 'requires-python'?: string; package?: UvPackage[] };
  try {
    doc = parseToml(text) as typeof doc;
  } catch (err) {
    throw invalid(file, '', `not TOML (${(err as Error).message}).`);
  }
  if (typeof doc.version !== 'number') throw invalid(file, '', 'no top-level `version`: not a uv.lock.');
  const packages: LockPackage[] = [];
  const roots: Record<string, string[]> = {};
  const groups: LockRequirementSets = {};
  const extras: LockRequirementSets = {};
  for (const [i, p] of (doc.package ?? []).entries()) {
    const where = `package[${i}] (${p.name})`;
    const source = p.source ?? {};
    const deps = p.dependencies ?? [];
    const requiresDist = [
      ...deps.map((d) => uvRequirement(d)),
      ...Object.entries(p['optional-dependencies'] ?? {}).flatMap(([extra, ds]) =>
        ds.map((d) => uvRequirement(d, extra)),
      ),
    ];
    if ('editable' in source || 'virtual' in source || 'directory' in source) {
      const member = normalizeName(p.name);
      const metadata = p.metadata?.['requires-dist'];
      if (metadata) {
        const parsed = metadata.map(metadataRequirement);
        roots[member] = [...new Set(parsed.filter((r) => !r.extra).map((r) => canonicalRequirement(r.text)))].sort();
        for (const r of parsed.filter((q) => q.extra))
          ((extras[member] ??= {})[r.extra!] ??= []).push(canonicalRequirement(r.text));
      } else {
        roots[member] = deps.map((d) => canonicalRequirement(uvRequirement(d))).sort();
      }
      const dev =
        p.metadata?.['requires-dev'] ??
        Object.fromEntries(
          Object.entries(p['dev-dependencies'] ?? {}).map(([g, ds]) => [
            g,
            ds.map((d) => ({
              name: d.name,
              ...(d.marker ? { marker: d.marker } : {}),
              ...(d.extra ? { extras: d.extra } : {}),
            })),
          ]),
        );
      for (const [group, list] of Object.entries(dev)) {
        (groups[member] ??= {})[normalizeName(group)] = [
          ...new Set(list.map((r) => canonicalRequirement(metadataRequirement(r).text))),
        ].sort();
      }
      continue;
    }
    if (!('registry' in source) && !('path' in source)) {
      throw invalid(
        file,
        '',
        `${where}: source ${JSON.stringify(source)} is not supported (registry and path sources only).`,
      );
    }
    if (!p.version) throw invalid(file, '', `${where} has no version.`);
    const wheels = (p.wheels ?? []).map((w, j) => uvFile(w, file, `${where}.wheels[${j}]`));
    const dependencies: LockDependency[] = deps.map((d) => ({
      name: normalizeName(d.name),
      ...(d.version ? { version: d.version } : {}),
    }));
    packages.push({
      name: normalizeName(p.name),
      version: p.version,
      ...('registry' in source ? { index: redactUrl(source.registry!) } : {}),
      wheels,
      ...(p.sdist ? { sdist: uvFile(p.sdist, file, `${where}.sdist`) } : {}),
      dependencies,
      nxPex: { requiresDist },
    });
  }
  for (const sets of Object.values(extras))
    for (const name of Object.keys(sets)) sets[name] = [...new Set(sets[name])].sort();
  const recorded: MemberRecord = { roots, groups, extras };
  const expanded = {
    roots: Object.fromEntries(Object.entries(roots).map(([m, l]) => [m, expandMembers(l, recorded, new Set([m]))])),
    groups: expandSets(groups, recorded),
    extras: expandSets(extras, recorded),
  };
  const lock: Lock = {
    lockVersion: '1.0',
    createdBy: 'nx-pex',
    ...(doc['requires-python'] ? { requiresPython: doc['requires-python'] } : {}),
    packages,
    nxPex: {
      roots: expanded.roots,
      targets: [],
      ...(Object.keys(groups).length ? { groups: expanded.groups } : {}),
      ...(Object.keys(extras).length ? { extras: expanded.extras } : {}),
    },
  };
  return { lock, recorded };
}

/** A project as its pyproject.toml states it, for checking a uv.lock beside it. */
export interface UvLockProject {
  /** `[project] name`. */
  name: string;
  /** `[project] dependencies`. */
  requirements: string[];
  /** `[project] requires-python`. */
  requiresPython?: string;
  /** `[dependency-groups]`: group → requirements (include-group already expanded). */
  dependencyGroups?: Record<string, string[]>;
  /** `[project.optional-dependencies]`: extra → requirements. */
  extras?: Record<string, string[]>;
}

// uv rewrites marker quotes ("linux" → 'linux'): compare requirement text with one quote style.
const quoteInsensitive = (list: readonly string[]) => list.map((t) => canonicalRequirement(t).replace(/"/g, "'"));
const quoteInsensitiveSets = (sets: Record<string, string[]> | undefined) =>
  Object.fromEntries(Object.entries(sets ?? {}).map(([k, l]) => [normalizeName(k), quoteInsensitive(l)]));

/**
 * Is a uv.lock current for the project beside it (as `uv lock --check` would say)? Compares the
 * member's recorded requirements, extras and dependency groups (pyproject's text, as uv stores it)
 * and requires-python with `project`. Marker spellings that uv rewrites beyond quotes (e.g.
 * `python_version` → `python_full_version`) read as a change: re-running `uv lock` clears it.
 */
export function isUvLockCurrent(text: string, file: string, project: UvLockProject): LockStatus {
  const { lock, recorded: table } = readUvLock(text, file);
  const member = normalizeName(project.name);
  if (!(member in table.roots)) {
    return {
      current: false,
      reasons: [
        `${file} has no workspace member ${project.name} (it has ${Object.keys(table.roots).sort().join(', ') || 'none'}); run \`uv lock\``,
      ],
      unchecked: [],
    };
  }
  const only: Lock = {
    ...lock,
    nxPex: {
      roots: { [member]: quoteInsensitive(table.roots[member]!) },
      targets: [],
      groups: { [member]: quoteInsensitiveSets(table.groups?.[member]) },
      extras: { [member]: quoteInsensitiveSets(table.extras?.[member]) },
    },
  };
  const status = isLockCurrent(only, { [member]: quoteInsensitive(project.requirements) }, project.requiresPython, {
    dependencyGroups: { [member]: quoteInsensitiveSets(project.dependencyGroups) },
    extras: { [member]: quoteInsensitiveSets(project.extras) },
  });
  return { ...status, reasons: status.reasons.map((r) => `${file} is out of date (run \`uv lock\`): ${r}`) };
}
