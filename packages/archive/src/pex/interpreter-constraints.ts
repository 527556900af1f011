/**
 * The runtime's interpreter-constraint semantics (runtime/nx_pex_runtime/interpreter.py), in
 * TypeScript, for build-time questions such as "may this pex run on CPython 3.12?". A constraint is a
 * PEP 440 specifier set, optionally prefixed by an implementation; an interpreter must satisfy one.
 */
const OPERATORS = ['===', '~=', '==', '!=', '<=', '>=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];
type Release = number[];

function release(text: string): Release {
  const numbers: number[] = [];
  for (const part of text.split('.')) {
    const digits = /^\d+/.exec(part)?.[0];
    if (digits === undefined) break;
    numbers.push(Number(digits));
    if (digits.length !== part.length) break; // a pre/post/dev suffix ends the release segment
  }
  return numbers;
}

function compare(left: Release, right: Release): number {
  const width = Math.max(left.length, right.length);
  for (let index = 0; index < width; index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function matches(operator: Operator, spec: string, version: Release): boolean {
  if (operator === '===') return version.join('.') === spec;
  if (spec.endsWith('.*')) {
    // PEP 440 prefix matching, only for == and !=
    const prefix = release(spec.slice(0, -2));
    const same = prefix.every((part, index) => (version[index] ?? 0) === part);
    return operator === '==' ? same : !same;
  }
  const target = release(spec);
  if (operator === '~=') {
    // PEP 440: ~=V.N means >=V.N, ==V.*
    return matches('>=', spec, version) && matches('==', `${target.slice(0, -1).join('.')}.*`, version);
  }
  const order = compare(version, target);
  switch (operator) {
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<=':
      return order <= 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
  }
}

/** Whether `implementation` (e.g. 'CPython') at `version` satisfies one constraint string. */
export function satisfiesConstraint(constraint: string, implementation: string, version: Release): boolean {
  const text = constraint.trim();
  const name = /^[A-Za-z]*/.exec(text)?.[0] ?? '';
  if (name !== '' && name.toLowerCase() !== implementation.toLowerCase()) return false;
  for (const clause of text.slice(name.length).split(',').map((part) => part.trim()).filter(Boolean)) {
    const operator = OPERATORS.find((candidate) => clause.startsWith(candidate));
    if (operator === undefined || !matches(operator, clause.slice(operator.length).trim(), version)) return false;
  }
  return true;
}

/** Whether some CPython 3.x release below `minor` (any patch) satisfies the constraints (none: any does). */
export function allowsCPythonBelow(constraints: string[], minor: number): boolean {
  if (constraints.length === 0) return true;
  for (let candidate = 0; candidate < minor; candidate++) {
    for (let patch = 0; patch <= 50; patch++) {
      if (constraints.some((constraint) => satisfiesConstraint(constraint, 'CPython', [3, candidate, patch]))) return true;
    }
  }
  return false;
}
