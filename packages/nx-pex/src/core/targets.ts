import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetInterpreter } from '@nx-pex/resolver';

/** Which interpreters a pex or a lock is for: local ones, and foreign ones described by platforms. */
export interface TargetOptions {
  python?: string;
  pythons?: string[];
  /** pex's abbreviated platforms, e.g. `linux_x86_64-cp-311-cp311`. */
  platforms?: string[];
  /** Files (relative to the workspace root) in the JSON shape `pex3 interpreter inspect --markers --tags` prints. */
  completePlatforms?: string[];
}

/** The local interpreters: `python` then `pythons`; python3 on PATH when neither nor any platform is given (as pex). */
export function localPythons(options: TargetOptions): string[] {
  const named = [...(options.python ? [options.python] : []), ...(options.pythons ?? [])];
  const foreign = (options.platforms?.length ?? 0) + (options.completePlatforms?.length ?? 0) > 0;
  return [...new Set(named.length > 0 || foreign ? named : ['python3'])];
}

/** The targets: the local interpreters, then the foreign platforms. */
export async function resolveTargets(workspaceRoot: string, options: TargetOptions): Promise<TargetInterpreter[]> {
  // Loaded here: the up-to-date check imports localPythons without the resolver.
  const { inspectInterpreter, targetFromAbbreviatedPlatform, targetFromCompletePlatform } =
    await import('@nx-pex/resolver');
  const local = localPythons(options);
  const targets = await Promise.all(local.map((p) => inspectInterpreter(p)));
  for (const p of options.platforms ?? []) targets.push(targetFromAbbreviatedPlatform(p));
  for (const file of options.completePlatforms ?? []) {
    targets.push(targetFromCompletePlatform(await readFile(join(workspaceRoot, file), 'utf8'), file));
  }
  return targets;
}
