import { ArchiveError } from '../errors.js';
import { parseObjectReference } from '../entry-points/grammar.js';
import { splitConstraint, type ParseSpecifierSet } from './interpreter-constraints.js';

/** pex's entry point forms: `pkg.mod` (run as __main__) or `pkg.mod:func` (object reference, PyPA entry points spec). */
export function checkEntryPoint(entryPoint: string): void {
  const reference = parseObjectReference(entryPoint);
  if (
    reference === undefined ||
    reference.extras.length > 0 ||
    entryPoint !== entryPoint.trim() ||
    /\s/.test(entryPoint)
  ) {
    throw new ArchiveError(
      'INVALID_ENTRY_POINT',
      `entry point '${entryPoint}' is neither 'package.module' nor 'package.module:function'; fix the entryPoint option.`,
    );
  }
}

const CLAUSE = String.raw`\s*(?:~=|===|==|!=|<=|>=|<|>)\s*[0-9][0-9A-Za-z.*+!_-]*\s*`;
const CONSTRAINT = new RegExp(`^\\s*[A-Za-z]*${CLAUSE}(?:,${CLAUSE})*$`);

/**
 * pex interpreter constraints: a PEP 440 specifier set, optionally prefixed by an implementation
 * (`CPython>=3.9,<3.13`). The shape is checked here; the specifiers, when the caller gave its PEP 440
 * implementation, by that implementation (which throws on an invalid set).
 */
export function checkInterpreterConstraint(constraint: string, parse?: ParseSpecifierSet): void {
  let valid = CONSTRAINT.test(constraint);
  let reason = '';
  if (valid && parse !== undefined) {
    try {
      parse(splitConstraint(constraint).specifiers);
    } catch (error) {
      valid = false;
      reason = ` (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  if (!valid) {
    throw new ArchiveError(
      'INVALID_INTERPRETER_CONSTRAINT',
      `interpreter constraint '${constraint}' is not a PEP 440 specifier set (optionally prefixed by an implementation)${reason}, e.g. '>=3.9,<3.13' or 'CPython==3.11.*'; fix the interpreterConstraints option.`,
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
