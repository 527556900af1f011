import { lockedFilename, lockedFileProblem } from '../filename/locked.js';
import { parseSdistFilename } from '../filename/sdist.js';
import { tryParseWheelFilename } from '../filename/wheel.js';
import { checkSettingUrl } from '../http/urls.js';
import { isValidName, normalizeName } from '../names.js';
import { SpecifierSet } from '../pep440/specifier.js';
import { Version } from '../pep440/version.js';
import { Marker } from '../pep508/marker.js';

/**
 * A PEP 751 `pylock.toml` validator (https://packaging.python.org/en/latest/specifications/pylock-toml/)
 * over the parsed TOML document: required keys and their types, PEP 440 versions and specifiers,
 * PEP 508 markers, normalised names, one source kind per package, wheel/sdist filenames that parse and
 * agree with the package's name and version, hashes (at least one, hex of the algorithm's length),
 * sizes, URLs, and `dependencies` that point at entries of the lock. Unknown keys are allowed (the
 * spec lets tools add keys under `tool` and readers ignore what they do not know within 1.x).
 */

/** One problem: the dotted field (`packages[2].wheels[0].hashes.sha256`) and what is wrong with it. */
export interface PylockProblem {
  field: string;
  problem: string;
}

type Table = Record<string, unknown>;

// Digest lengths (hex characters) of the hashlib algorithms locks use; other names need only be hex.
const DIGEST_LENGTHS: Record<string, number> = {
  md5: 32,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
  blake2b: 128,
  blake2s: 64,
  'sha3-256': 64,
  'sha3-512': 128,
};

class Checker {
  readonly problems: PylockProblem[] = [];

  add(field: string, problem: string): undefined {
    this.problems.push({ field, problem });
    return undefined;
  }

  table(value: unknown, field: string): Table | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Date)
      return this.add(field, 'must be a table');
    return value as Table;
  }

  array(value: unknown, field: string): unknown[] | undefined {
    return Array.isArray(value) ? value : this.add(field, 'must be an array');
  }

  string(value: unknown, field: string): string | undefined {
    return typeof value === 'string' ? value : this.add(field, 'must be a string');
  }

  /** An optional string that, when present, must satisfy `check` (which throws with the reason). */
  grammar(value: unknown, field: string, what: string, check: (s: string) => unknown): string | undefined {
    if (value === undefined) return undefined;
    const s = this.string(value, field);
    if (s === undefined) return undefined;
    try {
      check(s);
      return s;
    } catch (err) {
      return this.add(field, `is not a valid ${what} (${JSON.stringify(s.slice(0, 200))}: ${(err as Error).message})`);
    }
  }

  strings(value: unknown, field: string, each?: (s: string, field: string) => void): string[] | undefined {
    if (value === undefined) return undefined;
    const list = this.array(value, field);
    if (!list) return undefined;
    const out: string[] = [];
    list.forEach((v, i) => {
      const s = this.string(v, `${field}[${i}]`);
      if (s === undefined) return;
      each?.(s, `${field}[${i}]`);
      out.push(s);
    });
    return out;
  }

  normalizedName(s: string, field: string): void {
    // PEP 751: names (of packages and extras) are written normalised (PEP 503).
    if (!isValidName(s)) this.add(field, `is not a valid name (${JSON.stringify(s.slice(0, 200))})`);
    else if (normalizeName(s) !== s)
      this.add(field, `must be normalised (${JSON.stringify(s)} → ${JSON.stringify(normalizeName(s))})`);
  }

  nonNegativeInteger(value: unknown, field: string): void {
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0))
      this.add(field, 'must be a non-negative integer');
  }

  hashes(value: unknown, field: string): void {
    const t = this.table(value, field);
    if (!t) return;
    const entries = Object.entries(t);
    if (entries.length === 0) this.add(field, 'must hold at least one hash (PEP 751), e.g. sha256');
    for (const [alg, digest] of entries) {
      const hex = this.string(digest, `${field}.${alg}`);
      if (hex === undefined) continue;
      const length = DIGEST_LENGTHS[alg.toLowerCase()];
      if (!/^[0-9a-fA-F]+$/.test(hex)) this.add(`${field}.${alg}`, 'must be a hex digest');
      else if (length !== undefined && hex.length !== length)
        this.add(`${field}.${alg}`, `must be ${length} hex digits (got ${hex.length})`);
    }
  }

  /** A URL: http(s) or file, absolute; the reason never repeats credentials (checkSettingUrl redacts). */
  url(value: unknown, field: string): void {
    if (value === undefined) return;
    const u = this.string(value, field);
    if (u === undefined) return;
    try {
      checkSettingUrl(u, field, ['http:', 'https:', 'file:']);
    } catch (err) {
      this.add(field, `is not a usable URL: ${(err as Error).message}`);
    }
  }

  /**
   * `url` / `path` (one of them), `size`, `upload-time` and `hashes` of an archive, sdist or wheel
   * (whose url lockedFileProblem checks, with the filename).
   */
  file(t: Table, field: string, hashed: boolean, checkUrl = true): void {
    if (checkUrl) this.url(t.url, `${field}.url`);
    else this.string(t.url ?? '', `${field}.url`);
    this.grammar(t.path, `${field}.path`, 'path', () => undefined);
    if (t.url === undefined && t.path === undefined) this.add(field, 'needs a url or a path');
    this.nonNegativeInteger(t.size, `${field}.size`);
    if (t['upload-time'] !== undefined && !(t['upload-time'] instanceof Date))
      this.add(`${field}.upload-time`, 'must be a TOML datetime');
    if (hashed || t.hashes !== undefined) this.hashes(t.hashes, `${field}.hashes`);
  }
}

/** A wheel or sdist entry: its filename must parse and name the package (and its version when recorded). */
function distribution(
  c: Checker,
  value: unknown,
  field: string,
  kind: 'wheel' | 'sdist',
  name: string | undefined,
  version: string | undefined,
): void {
  const t = c.table(value, field);
  if (!t) return;
  c.grammar(t.name, `${field}.name`, 'filename', () => undefined);
  c.file(t, field, true, false);
  const ref = {
    ...(typeof t.name === 'string' ? { name: t.name } : {}),
    ...(typeof t.url === 'string' ? { url: t.url } : {}),
    ...(typeof t.path === 'string' ? { path: t.path } : {}),
  };
  const problem = lockedFileProblem(ref, kind);
  if (problem) return void c.add(field, problem);
  const filename = lockedFilename(ref);
  if (filename === undefined || name === undefined) return;
  const parsed = kind === 'wheel' ? tryParseWheelFilename(filename) : parseSdistFilename(filename, name);
  if (!parsed || normalizeName(parsed.name) !== name)
    return void c.add(field, `has the filename ${JSON.stringify(filename)}, which is not a ${kind} of ${name}`);
  const fileVersion = Version.tryParse(parsed.version);
  const recorded = version === undefined ? undefined : Version.tryParse(version);
  if (recorded && fileVersion && recorded.compare(fileVersion) !== 0)
    c.add(field, `has the filename ${JSON.stringify(filename)}, whose version is not the package's ${version}`);
}

function packageEntry(c: Checker, value: unknown, field: string): void {
  const t = c.table(value, field);
  if (!t) return;
  let name: string | undefined;
  if (t.name === undefined) c.add(`${field}.name`, 'is required');
  else {
    name = c.string(t.name, `${field}.name`);
    if (name !== undefined) c.normalizedName(name, `${field}.name`);
  }
  const version = c.grammar(t.version, `${field}.version`, 'PEP 440 version', (s) => Version.parse(s));
  c.grammar(t.marker, `${field}.marker`, 'PEP 508 marker', (s) => Marker.parse(s));
  c.grammar(t['requires-python'], `${field}.requires-python`, 'PEP 440 specifier set', (s) => new SpecifierSet(s));
  c.url(t.index, `${field}.index`);
  if (t.dependencies !== undefined) {
    c.array(t.dependencies, `${field}.dependencies`)?.forEach((d, i) => {
      const dt = c.table(d, `${field}.dependencies[${i}]`);
      if (!dt) return;
      if (dt.name !== undefined) {
        const depName = c.string(dt.name, `${field}.dependencies[${i}].name`);
        if (depName !== undefined && !isValidName(depName))
          c.add(`${field}.dependencies[${i}].name`, `is not a valid name (${JSON.stringify(depName.slice(0, 200))})`);
      }
      c.grammar(dt.version, `${field}.dependencies[${i}].version`, 'PEP 440 version', (s) => Version.parse(s));
    });
  }
  // PEP 751: a package comes from exactly one of vcs, directory, archive — or from sdist and/or wheels.
  const direct = (['vcs', 'directory', 'archive'] as const).filter((k) => t[k] !== undefined);
  // As packaging.pylock: an empty `wheels` array is no source.
  const distributions = t.sdist !== undefined || (Array.isArray(t.wheels) && t.wheels.length > 0);
  if (direct.length > 1) c.add(field, `has ${direct.join(' and ')}; a package has one source`);
  if (direct.length > 0 && distributions) c.add(field, `has ${direct[0]} and sdist/wheels; a package has one source`);
  if (direct.length === 0 && !distributions) c.add(field, 'has no source (vcs, directory, archive, sdist or wheels)');
  if (t.vcs !== undefined) {
    const vcs = c.table(t.vcs, `${field}.vcs`);
    if (vcs) {
      if (c.string(vcs.type, `${field}.vcs.type`) === undefined) c.add(`${field}.vcs.type`, 'is required');
      if (vcs['commit-id'] === undefined) c.add(`${field}.vcs.commit-id`, 'is required');
      else c.string(vcs['commit-id'], `${field}.vcs.commit-id`);
      c.file(vcs, `${field}.vcs`, false);
    }
  }
  if (t.directory !== undefined) {
    const dir = c.table(t.directory, `${field}.directory`);
    if (dir) {
      if (dir.path === undefined) c.add(`${field}.directory.path`, 'is required');
      else c.string(dir.path, `${field}.directory.path`);
      if (dir.editable !== undefined && typeof dir.editable !== 'boolean')
        c.add(`${field}.directory.editable`, 'must be a boolean');
    }
  }
  if (t.archive !== undefined) {
    const archive = c.table(t.archive, `${field}.archive`);
    if (archive) c.file(archive, `${field}.archive`, true);
  }
  if (t.sdist !== undefined) distribution(c, t.sdist, `${field}.sdist`, 'sdist', name, version);
  if (t.wheels !== undefined)
    c.array(t.wheels, `${field}.wheels`)?.forEach((w, i) =>
      distribution(c, w, `${field}.wheels[${i}]`, 'wheel', name, version),
    );
  if (t['attestation-identities'] !== undefined) {
    c.array(t['attestation-identities'], `${field}.attestation-identities`)?.forEach((a, i) => {
      const at = c.table(a, `${field}.attestation-identities[${i}]`);
      if (at) c.string(at.kind, `${field}.attestation-identities[${i}].kind`);
    });
  }
  if (t.tool !== undefined) c.table(t.tool, `${field}.tool`);
}

/** Every PEP 751 problem of a parsed `pylock.toml` document (empty when it is valid). */
export function validatePylock(doc: unknown): PylockProblem[] {
  const c = new Checker();
  const top = c.table(doc, '(document)');
  if (!top) return c.problems;
  if (top['lock-version'] === undefined) c.add('lock-version', 'is required');
  else {
    const v = c.string(top['lock-version'], 'lock-version');
    // PEP 751: a tool must refuse a major version it does not support (any 1.x is read).
    if (v !== undefined && !/^1(\.\d+)?$/.test(v))
      c.add('lock-version', `is ${JSON.stringify(v)}; only 1.x is supported`);
  }
  if (top['created-by'] === undefined) c.add('created-by', 'is required');
  else c.string(top['created-by'], 'created-by');
  c.strings(top.environments, 'environments', (s, f) => void c.grammar(s, f, 'PEP 508 marker', (m) => Marker.parse(m)));
  c.grammar(top['requires-python'], 'requires-python', 'PEP 440 specifier set', (s) => new SpecifierSet(s));
  c.strings(top.extras, 'extras', (s, f) => c.normalizedName(s, f));
  c.strings(
    top['dependency-groups'],
    'dependency-groups',
    (s, f) => void (isValidName(s) || c.add(f, `is not a valid group name (${JSON.stringify(s.slice(0, 200))})`)),
  );
  c.strings(
    top['default-groups'],
    'default-groups',
    (s, f) => void (isValidName(s) || c.add(f, `is not a valid group name (${JSON.stringify(s.slice(0, 200))})`)),
  );
  if (top.packages === undefined) c.add('packages', 'is required');
  else {
    const packages = c.array(top.packages, 'packages') ?? [];
    packages.forEach((p, i) => packageEntry(c, p, `packages[${i}]`));
    // `dependencies` records other entries of this lock: each named one must be there.
    const names = new Set(
      packages
        .map((p) => (p as Table | null)?.name)
        .filter((n): n is string => typeof n === 'string')
        .map(normalizeName),
    );
    packages.forEach((p, i) => {
      const deps = (p as Table | null)?.dependencies;
      if (!Array.isArray(deps)) return;
      deps.forEach((d, j) => {
        const n = (d as Table | null)?.name;
        if (typeof n === 'string' && isValidName(n) && !names.has(normalizeName(n)))
          c.add(`packages[${i}].dependencies[${j}].name`, `names ${n}, which has no [[packages]] entry`);
      });
    });
  }
  if (top.tool !== undefined) c.table(top.tool, 'tool');
  return c.problems;
}
