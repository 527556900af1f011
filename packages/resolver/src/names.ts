/** PEP 503: a project name is compared after lowercasing and collapsing runs of `-`, `_`, `.` into `-`. */
export { normalizeName } from '@nx-pex/common';

/** PEP 508 names: ASCII letters/digits, with `-_.` allowed only between them. */
export const PROJECT_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

export function isValidName(name: string): boolean {
  return PROJECT_NAME_PATTERN.test(name);
}
