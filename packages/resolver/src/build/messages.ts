import { ResolverError } from '../errors.js';
import type { TargetInterpreter } from '../interpreter/inspect.js';

/** `CPython 3.11 (cp311-cp311-manylinux_2_17_x86_64)`, for messages. */
export function describeBuildTarget(target: Pick<TargetInterpreter, 'version' | 'tags'> | undefined): string {
  if (!target) return 'the target';
  return `CPython ${target.version.slice(0, 2).join('.')} (${target.tags[0] ?? 'no tags'})`;
}

/**
 * A release that only an sdist provides, for a target with no interpreter on this machine (a foreign
 * platform): the library cannot know the caller's option names, so the message says what to do.
 */
export function sdistNeedsPython(
  what: string,
  target: Pick<TargetInterpreter, 'version' | 'tags'> | undefined,
  where?: string,
): ResolverError {
  return new ResolverError(
    'SDIST_NEEDS_PYTHON',
    `${what} is only available as a source distribution${where ? ` (from ${where})` : ''}, and building it needs a local interpreter for ${describeBuildTarget(target)}; none is set for this target (a platform, not an interpreter on this machine). Build for an interpreter installed here, give the build a local interpreter matching that platform, pick a version with a wheel for it, or add a directory with a wheel built on such a machine to find-links.`,
  );
}
