/** PEP 503: a project name is compared after lowercasing and collapsing runs of `-`, `_`, `.` into `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
