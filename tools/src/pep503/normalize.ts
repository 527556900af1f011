/** PEP 503: runs of `-`, `_`, `.` collapse to one `-`, lower-cased. */
export function normalizeProjectName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** PEP 508 name grammar: letters/digits, inner `.`, `-`, `_`. */
export function isValidProjectName(name: string): boolean {
  return /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i.test(name);
}

/** Binary distribution format: the name component of a wheel filename is normalised with `_`. */
export function wheelNameComponent(name: string): string {
  return name.replace(/[-_.]+/g, '_').toLowerCase();
}
