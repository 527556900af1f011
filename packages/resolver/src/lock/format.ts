import { tomlString } from '@nx-pex/common';
import { redactUrl } from '../http/credentials.js';
import { Version } from '../pep440/version.js';
import type { Lock, LockDependency, LockDirectSource, LockFile, LockPackage, LockTarget } from './model.js';

// A deterministic TOML writer for pylock.toml: keys in the order PEP 751 lists them, packages and
// arrays sorted, inline tables for files, and every URL stripped of credentials.

function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

function inlineTable(entries: [string, string | number | undefined][]): string {
  const parts = entries
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => `${tomlKey(k)} = ${typeof v === 'number' ? String(v) : v}`);
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}

function stringTable(record: Record<string, string>): string {
  return inlineTable(
    Object.keys(record)
      .sort()
      .map((k) => [k, tomlString(record[k]!)]),
  );
}

function stringArray(values: readonly string[], multiline: boolean): string {
  if (values.length === 0) return '[]';
  if (!multiline) return `[${values.map(tomlString).join(', ')}]`;
  return `[\n${values.map((v) => `    ${tomlString(v)},\n`).join('')}]`;
}

function tableArray(values: readonly string[]): string {
  return values.length === 0 ? '[]' : `[\n${values.map((v) => `    ${v},\n`).join('')}]`;
}

function fileTable(file: LockFile): string {
  return inlineTable([
    ['name', file.name === undefined ? undefined : tomlString(file.name)],
    ['url', file.url === undefined ? undefined : tomlString(redactUrl(file.url))],
    ['path', file.path === undefined ? undefined : tomlString(file.path)],
    ['size', file.size],
    ['hashes', stringTable(file.hashes)],
  ]);
}

function directTable(d: LockDirectSource): string {
  const str = (v: string | undefined) => (v === undefined ? undefined : tomlString(v));
  return inlineTable([
    ['type', str(d.type)],
    ['url', d.url === undefined ? undefined : tomlString(redactUrl(d.url))],
    ['path', str(d.path)],
    ['requested-revision', str(d.requestedRevision)],
    ['commit-id', str(d.commitId)],
    ['subdirectory', str(d.subdirectory)],
    ['editable', d.editable === undefined ? undefined : String(d.editable)],
    ['size', d.size],
    ['hashes', d.hashes === undefined ? undefined : stringTable(d.hashes)],
  ]);
}

function fileKey(file: LockFile): string {
  return file.name ?? file.url ?? file.path ?? '';
}

function compareVersions(a: string | undefined, b: string | undefined): number {
  const va = a === undefined ? undefined : Version.tryParse(a);
  const vb = b === undefined ? undefined : Version.tryParse(b);
  if (va && vb) return va.compare(vb);
  return (a ?? '').localeCompare(b ?? '');
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Package order: name, then version, then marker (PEP 751: arrays in a consistent order). */
export function comparePackages(a: LockPackage, b: LockPackage): number {
  return byText(a.name, b.name) || compareVersions(a.version, b.version) || byText(a.marker ?? '', b.marker ?? '');
}

function compareDependencies(a: LockDependency, b: LockDependency): number {
  return byText(a.name, b.name) || compareVersions(a.version, b.version);
}

function line(key: string, value: string): string {
  return `${tomlKey(key)} = ${value}\n`;
}

function formatPackage(pkg: LockPackage): string {
  let out = '\n[[packages]]\n';
  out += line('name', tomlString(pkg.name));
  if (pkg.version !== undefined) out += line('version', tomlString(pkg.version));
  if (pkg.marker !== undefined) out += line('marker', tomlString(pkg.marker));
  if (pkg.requiresPython !== undefined) out += line('requires-python', tomlString(pkg.requiresPython));
  if (pkg.dependencies?.length) {
    const deps = [...pkg.dependencies].sort(compareDependencies).map((d) =>
      inlineTable([
        ['name', tomlString(d.name)],
        ['version', d.version === undefined ? undefined : tomlString(d.version)],
      ]),
    );
    out += line('dependencies', tableArray(deps));
  }
  if (pkg.index !== undefined) out += line('index', tomlString(redactUrl(pkg.index)));
  if (pkg.direct) out += line(pkg.direct.kind, directTable(pkg.direct));
  if (pkg.sdist) out += line('sdist', fileTable(pkg.sdist));
  if (pkg.wheels.length) {
    out += line('wheels', tableArray([...pkg.wheels].sort((a, b) => byText(fileKey(a), fileKey(b))).map(fileTable)));
  }
  if (pkg.nxPex) {
    out += '\n[packages.tool.nx-pex]\n';
    out += line('requires-dist', stringArray(pkg.nxPex.requiresDist, true));
  }
  return out;
}

function formatTarget(target: LockTarget): string {
  let out = '\n[[tool.nx-pex.targets]]\n';
  out += line('python', tomlString(target.python));
  if (target.tag !== undefined) out += line('tag', tomlString(target.tag));
  out += line('markers', stringTable(target.markers));
  return out;
}

/**
 * Deterministic `pylock.toml` text: top-level keys in PEP 751 order, packages sorted by name,
 * version and marker, files by filename, roots by project; no credentials (URLs are redacted).
 */
export function formatLock(lock: Lock): string {
  let out = line('lock-version', tomlString(lock.lockVersion));
  if (lock.environments)
    out += line(
      'environments',
      stringArray([...new Set(lock.environments)].sort(byText), lock.environments.length > 1),
    );
  if (lock.requiresPython !== undefined) out += line('requires-python', tomlString(lock.requiresPython));
  if (lock.extras) out += line('extras', stringArray([...new Set(lock.extras)].sort(byText), false));
  if (lock.dependencyGroups)
    out += line('dependency-groups', stringArray([...new Set(lock.dependencyGroups)].sort(byText), false));
  if (lock.defaultGroups)
    out += line('default-groups', stringArray([...new Set(lock.defaultGroups)].sort(byText), false));
  out += line('created-by', tomlString(lock.createdBy));
  // `packages` is required; with no entry it must be written as a key before any table.
  if (lock.packages.length === 0) out += line('packages', '[]');
  for (const pkg of [...lock.packages].sort(comparePackages)) out += formatPackage(pkg);
  if (lock.nxPex) {
    if (lock.nxPex.requiresPython !== undefined)
      out += `\n[tool.nx-pex]\n${line('requires-python', tomlString(lock.nxPex.requiresPython))}`;
    out += '\n[tool.nx-pex.roots]\n';
    for (const project of Object.keys(lock.nxPex.roots).sort(byText)) {
      out += line(project, stringArray([...lock.nxPex.roots[project]!].sort(byText), true));
    }
    for (const [key, sets] of [
      ['groups', lock.nxPex.groups],
      ['extras', lock.nxPex.extras],
    ] as const) {
      for (const project of Object.keys(sets ?? {}).sort(byText)) {
        out += `\n[tool.nx-pex.${key}.${tomlKey(project)}]\n`;
        const named = sets![project]!;
        for (const name of Object.keys(named).sort(byText))
          out += line(name, stringArray([...named[name]!].sort(byText), true));
      }
    }
    if (lock.nxPex.universal) {
      out += '\n[tool.nx-pex.universal]\n';
      out += line(
        'environments',
        stringArray(lock.nxPex.universal.environments, lock.nxPex.universal.environments.length > 1),
      );
      if (lock.nxPex.universal.forkStrategy)
        out += line('fork-strategy', tomlString(lock.nxPex.universal.forkStrategy));
      if (lock.nxPex.universal.skipped?.length) out += line('skipped', stringArray(lock.nxPex.universal.skipped, true));
    }
    for (const target of lock.nxPex.targets) out += formatTarget(target);
  }
  return out;
}
