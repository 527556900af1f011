import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ResolverError } from '../errors.js';
import { pathComponentProblem } from '../filename/component.js';

/**
 * `root/segments…`, refused unless every segment is one path component and the resolved path stays
 * inside `root` (after `..` and separators are resolved). Every cache or download path built from a
 * name, a hash or a filename goes through here. `setting` names what chose `root`, for the message.
 */
export function pathInside(root: string, segments: readonly string[], setting = 'NX_PEX_CACHE_DIR'): string {
  const base = resolve(root);
  for (const segment of segments) {
    const problem = pathComponentProblem(segment);
    if (problem) throw escapes(base, segments, `${JSON.stringify(segment.slice(0, 100))} ${problem}`, setting);
  }
  const path = resolve(base, ...segments);
  const rel = relative(base, path);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw escapes(base, segments, 'it resolves outside the directory', setting);
  return path;
}

function escapes(base: string, segments: readonly string[], why: string, setting: string): ResolverError {
  const shown = segments.join('/').slice(0, 200);
  return new ResolverError(
    'CACHE_ERROR',
    `Refusing the path ${JSON.stringify(shown)} under ${base} (${setting}): ${why}. The name came from an index, a lock or a wheel; report it to whoever publishes it.`,
  );
}
