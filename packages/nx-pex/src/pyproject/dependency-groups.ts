import { PluginError } from '../utils/errors.js';
import { normalizeName as normalize } from '@nx-pex/common';

/**
 * PEP 735 `[dependency-groups]` → group → requirement strings, with every `{include-group = "…"}`
 * replaced by the requirements of the group it names (recursively, in order). Group names compare
 * normalized (PEP 735: as PEP 503 names); a duplicate normalized name, an unknown include, a cycle or
 * an entry of another shape is INVALID_PYPROJECT naming the file and the group.
 */
export function expandDependencyGroups(raw: Record<string, unknown>, file: string): Record<string, string[]> {
  const byNormalized = new Map<string, { name: string; entries: unknown[] }>();
  for (const [name, entries] of Object.entries(raw)) {
    if (!Array.isArray(entries))
      throw new PluginError('INVALID_PYPROJECT', `${file}: [dependency-groups].${name} must be an array`);
    const key = normalize(name);
    const other = byNormalized.get(key);
    if (other)
      throw new PluginError(
        'INVALID_PYPROJECT',
        `${file}: [dependency-groups] names "${other.name}" and "${name}" are the same group (PEP 735 compares normalized names)`,
      );
    byNormalized.set(key, { name, entries });
  }
  const expanded = new Map<string, string[]>();
  const expand = (key: string, path: string[]): string[] => {
    const done = expanded.get(key);
    if (done) return done;
    const group = byNormalized.get(key)!;
    const requirements: string[] = [];
    for (const entry of group.entries) {
      if (typeof entry === 'string') {
        requirements.push(entry);
        continue;
      }
      const include = includeOf(entry);
      if (include === undefined) {
        throw new PluginError(
          'INVALID_PYPROJECT',
          `${file}: [dependency-groups].${group.name}: an entry must be a requirement string or {include-group = "<group>"} (PEP 735)`,
        );
      }
      const target = normalize(include);
      if (!byNormalized.has(target))
        throw new PluginError(
          'INVALID_PYPROJECT',
          `${file}: [dependency-groups].${group.name} includes "${include}", which is not a group of this file`,
        );
      if (path.includes(target)) {
        const cycle = [...path.slice(path.indexOf(target)), target].map((k) => byNormalized.get(k)!.name).join(' → ');
        throw new PluginError('INVALID_PYPROJECT', `${file}: [dependency-groups] include a group in itself (${cycle})`);
      }
      requirements.push(...expand(target, [...path, target]));
    }
    expanded.set(key, requirements);
    return requirements;
  };
  const result: Record<string, string[]> = {};
  for (const [key, { name }] of byNormalized) result[name] = expand(key, [key]);
  return result;
}

function includeOf(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const keys = Object.keys(entry);
  const value = (entry as Record<string, unknown>)['include-group'];
  return keys.length === 1 && typeof value === 'string' ? value : undefined;
}
