import { ArchiveError } from '../errors.js';
import { parseObjectReference } from '../entry-points/grammar.js';

/** pex's entry point forms: `pkg.mod` (run as __main__) or `pkg.mod:func` (object reference, PyPA entry points spec). */
export function checkEntryPoint(entryPoint: string): void {
  const reference = parseObjectReference(entryPoint);
  if (reference === undefined || reference.extras.length > 0 || entryPoint !== entryPoint.trim() || /\s/.test(entryPoint)) {
    throw new ArchiveError(
      'INVALID_ENTRY_POINT',
      `entry point '${entryPoint}' is neither 'package.module' nor 'package.module:function'; fix the entryPoint option.`,
    );
  }
}

const CLAUSE = String.raw`\s*(?:~=|===|==|!=|<=|>=|<|>)\s*[0-9][0-9A-Za-z.*+!_-]*\s*`;
const CONSTRAINT = new RegExp(`^\\s*[A-Za-z]*${CLAUSE}(?:,${CLAUSE})*$`);

/** pex interpreter constraints: a PEP 440 specifier set, optionally prefixed by an implementation (`CPython>=3.9,<3.13`). */
export function checkInterpreterConstraint(constraint: string): void {
  if (!CONSTRAINT.test(constraint)) {
    throw new ArchiveError(
      'INVALID_INTERPRETER_CONSTRAINT',
      `interpreter constraint '${constraint}' is not a PEP 440 specifier set (optionally prefixed by an implementation), e.g. '>=3.9,<3.13' or 'CPython==3.11.*'; fix the interpreterConstraints option.`,
    );
  }
}

export function checkShebang(shebang: string): string {
  if (!shebang.startsWith('#!') || /[\r\n]/.test(shebang)) {
    throw new ArchiveError(
      'INVALID_SOURCE',
      `shebang '${shebang}' must be a single line starting with '#!', e.g. '#!/usr/bin/env python3'.`,
    );
  }
  return shebang;
}
