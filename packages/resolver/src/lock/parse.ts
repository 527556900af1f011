import { parse as parseToml } from 'smol-toml';
import { ResolverError } from '../errors.js';
import { normalizeName } from '../names.js';
import { Requirement } from '../pep508/requirement.js';
import type {
  Lock,
  LockDependency,
  LockDirectSource,
  LockFile,
  LockPackage,
  LockRequirementSets,
  LockRoots,
  LockTarget,
  NxPexLockTable,
} from './model.js';
import { validatePylock, type PylockProblem } from './validate.js';

type Table = Record<string, unknown>;

function invalidLock(file: string, problems: readonly PylockProblem[]): ResolverError {
  const [first] = problems;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  return new ResolverError(
    'INVALID_LOCK',
    `${file}: ${first!.field} ${first!.problem}${more}. Regenerate the lock (nx run <project>:lock) or fix that field.`,
  );
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

// After validatePylock the document's shape is known: the readers below only map TOML to the model.

function readFile(t: Table): LockFile {
  return {
    ...optional('name', t.name as string | undefined),
    ...optional('url', t.url as string | undefined),
    ...optional('path', t.path as string | undefined),
    ...optional('size', t.size as number | undefined),
    hashes: Object.fromEntries(
      Object.entries(t.hashes as Table).map(([alg, hex]) => [alg.toLowerCase(), (hex as string).toLowerCase()]),
    ),
  };
}

function readDirect(t: Table): LockDirectSource | undefined {
  for (const kind of ['vcs', 'directory', 'archive'] as const) {
    const source = t[kind] as Table | undefined;
    if (!source) continue;
    const text = (key: string) => (typeof source[key] === 'string' ? (source[key] as string) : undefined);
    return {
      kind,
      ...optional('url', text('url')),
      ...optional('path', text('path')),
      ...optional('type', text('type')),
      ...optional('requestedRevision', text('requested-revision')),
      ...optional('commitId', text('commit-id')),
      ...optional('subdirectory', text('subdirectory')),
      ...optional('editable', typeof source.editable === 'boolean' ? source.editable : undefined),
      ...optional('size', typeof source.size === 'number' ? source.size : undefined),
      ...optional('hashes', source.hashes === undefined ? undefined : readFile({ hashes: source.hashes }).hashes),
    };
  }
  return undefined;
}

function readPackage(t: Table): LockPackage {
  const pkg: LockPackage = { name: t.name as string, wheels: ((t.wheels as Table[] | undefined) ?? []).map(readFile) };
  if (t.version !== undefined) pkg.version = t.version as string;
  if (t.marker !== undefined) pkg.marker = t.marker as string;
  if (t['requires-python'] !== undefined) pkg.requiresPython = t['requires-python'] as string;
  if (t.dependencies !== undefined) {
    // A dependency table without a name cannot be followed (PEP 751 allows any identifying keys).
    pkg.dependencies = (t.dependencies as Table[])
      .filter((d) => typeof d.name === 'string')
      .map((d): LockDependency => ({
        name: normalizeName(d.name as string),
        ...optional('version', d.version as string | undefined),
      }));
  }
  if (t.index !== undefined) pkg.index = t.index as string;
  if (t.sdist !== undefined) pkg.sdist = readFile(t.sdist as Table);
  const direct = readDirect(t);
  if (direct) pkg.direct = direct;
  const own = (t.tool as Table | undefined)?.['nx-pex'];
  if (own !== undefined) pkg.nxPex = { requiresDist: ((own as Table)['requires-dist'] as string[] | undefined) ?? [] };
  return pkg;
}

/** `[tool.nx-pex]` is ours: checked here (the PEP 751 validator leaves tool tables alone). */
class NxPexReader {
  readonly problems: PylockProblem[] = [];

  table(value: unknown, field: string): Table {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date))
      return value as Table;
    this.problems.push({ field, problem: 'must be a table' });
    return {};
  }

  requirements(value: unknown, field: string): string[] {
    if (!Array.isArray(value)) {
      this.problems.push({ field, problem: 'must be an array of PEP 508 requirements' });
      return [];
    }
    return value.filter((v, i) => {
      try {
        if (typeof v !== 'string') throw new Error('not a string');
        Requirement.parse(v);
        return true;
      } catch (err) {
        this.problems.push({
          field: `${field}[${i}]`,
          problem: `is not a valid PEP 508 requirement (${(err as Error).message})`,
        });
        return false;
      }
    }) as string[];
  }

  strings(value: unknown, field: string): string[] {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    this.problems.push({ field, problem: 'must be an array of strings' });
    return [];
  }

  sets(value: unknown, field: string): LockRequirementSets {
    const out: LockRequirementSets = {};
    for (const [project, sets] of Object.entries(this.table(value, field))) {
      out[project] = {};
      for (const [name, list] of Object.entries(this.table(sets, `${field}.${project}`)))
        out[project][name] = this.requirements(list, `${field}.${project}.${name}`);
    }
    return out;
  }

  target(value: unknown, field: string): LockTarget {
    const t = this.table(value, field);
    const markers = this.table(t.markers, `${field}.markers`);
    for (const [k, v] of Object.entries(markers))
      if (typeof v !== 'string') this.problems.push({ field: `${field}.markers.${k}`, problem: 'must be a string' });
    if (typeof t.python !== 'string')
      this.problems.push({ field: `${field}.python`, problem: 'must be a Python version string' });
    return {
      python: typeof t.python === 'string' ? t.python : '',
      ...optional('tag', typeof t.tag === 'string' ? t.tag : undefined),
      markers: markers as Record<string, string>,
    };
  }

  lockTable(value: unknown): NxPexLockTable {
    const t = this.table(value, 'tool.nx-pex');
    const roots: LockRoots = {};
    for (const [project, list] of Object.entries(this.table(t.roots ?? {}, 'tool.nx-pex.roots')))
      roots[project] = this.requirements(list, `tool.nx-pex.roots.${project}`);
    const targets = Array.isArray(t.targets)
      ? t.targets.map((v, i) => this.target(v, `tool.nx-pex.targets[${i}]`))
      : [];
    const table: NxPexLockTable = { roots, targets };
    const python = t['requires-python'];
    if (python !== undefined) {
      if (typeof python === 'string') table.requiresPython = python;
      else this.problems.push({ field: 'tool.nx-pex.requires-python', problem: 'must be a string' });
    }
    if (t.groups !== undefined) table.groups = this.sets(t.groups, 'tool.nx-pex.groups');
    if (t.extras !== undefined) table.extras = this.sets(t.extras, 'tool.nx-pex.extras');
    if (t.universal !== undefined) {
      const u = this.table(t.universal, 'tool.nx-pex.universal');
      const skipped = u.skipped === undefined ? undefined : this.strings(u.skipped, 'tool.nx-pex.universal.skipped');
      if (u['fork-strategy'] !== undefined && u['fork-strategy'] !== 'fewest')
        this.problems.push({
          field: 'tool.nx-pex.universal.fork-strategy',
          problem: 'must be "fewest" (the default, requires-python, is not written)',
        });
      const fewest = u['fork-strategy'] === 'fewest' ? ({ forkStrategy: 'fewest' } as const) : {};
      table.universal = {
        environments: this.strings(u.environments ?? [], 'tool.nx-pex.universal.environments'),
        ...fewest,
        ...optional('skipped', skipped),
      };
    }
    return table;
  }

  packageTable(value: unknown, field: string): void {
    const t = this.table(value, field);
    if (t['requires-dist'] !== undefined) this.requirements(t['requires-dist'], `${field}.requires-dist`);
  }
}

/**
 * Parse and validate `pylock.toml` text (PEP 751, see validate.ts; any 1.x). Unknown keys are ignored
 * (forward compatible within lock-version 1.x). Errors are INVALID_LOCK naming `file` and the field.
 */
export function parseLock(text: string, file: string): Lock {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (err) {
    throw new ResolverError(
      'INVALID_LOCK',
      `${file} is not valid TOML: ${(err as Error).message.split('\n')[0]}. Regenerate the lock (nx run <project>:lock) or fix the syntax.`,
      { cause: err },
    );
  }
  const problems = validatePylock(doc);
  const own = new NxPexReader();
  const packagesDoc = problems.length ? [] : (doc.packages as Table[]);
  packagesDoc.forEach((p, i) => {
    const tool = p.tool as Table | undefined;
    if (tool?.['nx-pex'] !== undefined) own.packageTable(tool['nx-pex'], `packages[${i}].tool.nx-pex`);
  });
  const tool = doc.tool as Table | undefined;
  const nxPex = !problems.length && tool?.['nx-pex'] !== undefined ? own.lockTable(tool['nx-pex']) : undefined;
  if (problems.length || own.problems.length) throw invalidLock(file, [...problems, ...own.problems]);
  return {
    lockVersion: doc['lock-version'] as string,
    ...optional('environments', doc.environments as string[] | undefined),
    ...optional('requiresPython', doc['requires-python'] as string | undefined),
    ...optional('extras', doc.extras as string[] | undefined),
    ...optional('dependencyGroups', doc['dependency-groups'] as string[] | undefined),
    ...optional('defaultGroups', doc['default-groups'] as string[] | undefined),
    createdBy: doc['created-by'] as string,
    packages: packagesDoc.map(readPackage),
    ...optional('nxPex', nxPex),
  };
}
