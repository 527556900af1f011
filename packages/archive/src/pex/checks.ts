import { ArchiveError } from '../errors.js';

const DOTTED = String.raw`[\p{L}_][\p{L}\p{N}_]*(?:\.[\p{L}_][\p{L}\p{N}_]*)*`;
const ENTRY_POINT = new RegExp(`^${DOTTED}(?::${DOTTED})?$`, 'u');

/** pex's entry point forms: `pkg.mod` (run as __main__) or `pkg.mod:func` (object reference, PyPA entry points spec). */
export function checkEntryPoint(entryPoint: string): void {
  if (!ENTRY_POINT.test(entryPoint)) {
    throw new ArchiveError(
      'INVALID_ENTRY_POINT',
      `entry point '${entryPoint}' is neither 'package.module' nor 'package.module:function'; fix the entryPoint option.`,
    );
  }
}
