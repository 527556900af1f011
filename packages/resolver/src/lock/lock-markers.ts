import { normalizeName } from '../names.js';
import { Marker, type MarkerEnvironment } from '../pep508/marker.js';

/** What an installation asks of a lock: PEP 751's `extras` and `dependency_groups` marker variables. */
export interface LockFileContext {
  extras: ReadonlySet<string>;
  dependencyGroups: ReadonlySet<string>;
}

export const NO_REQUEST: LockFileContext = { extras: new Set(), dependencyGroups: new Set() };

// PEP 751 lock-file markers test set membership (`'test' in dependency_groups`). The PEP 508
// evaluator takes string-valued environments, where `in` is a substring test ('te' in "test"), so each
// membership test is decided here, exactly, and replaced by a comparison whose value is known
// (`extra == ''` holds, `extra != ''` does not, since `extra` is '' in the lock-file context).
const MEMBERSHIP = /(["'])([^"']*)\1\s*(not\s+in|in)\s*(extras|dependency_groups)\b/g;

function decided(marker: string, context: LockFileContext): string {
  return marker.replace(MEMBERSHIP, (_m, _q: string, literal: string, op: string, variable: string) => {
    const set = variable === 'extras' ? context.extras : context.dependencyGroups;
    const member = set.has(normalizeName(literal));
    return (op === 'in') === member ? `extra == ''` : `extra != ''`;
  });
}

/** Whether a `[[packages]]` marker holds in `env` for this request (no marker, or no env to test: yes). */
export function lockMarkerHolds(
  marker: string | undefined,
  env: MarkerEnvironment | undefined,
  context: LockFileContext = NO_REQUEST,
): boolean {
  if (marker === undefined || env === undefined) return true;
  return Marker.parse(decided(marker, context)).evaluate({ ...env, extra: '' });
}

/** A request's names as sets, normalised (PEP 685 / PEP 735 names compare normalised). */
export function lockFileContext(
  extras: readonly string[] = [],
  dependencyGroups: readonly string[] = [],
): LockFileContext {
  return { extras: new Set(extras.map(normalizeName)), dependencyGroups: new Set(dependencyGroups.map(normalizeName)) };
}
