// What the solver calls a package: the root of the request, a project (its normalised name), or one
// extra of a project, a virtual package `name[extra]` whose every version depends on the project at
// the same version plus the requirements the extra enables.

/** The virtual package whose only version depends on the request's requirements. */
export const ROOT = '<root>';

/** `name[extra]` → [name, extra]; a project → [name, undefined]. */
export function splitExtra(pkg: string): [string, string | undefined] {
  const m = /^(.*)\[(.*)\]$/.exec(pkg);
  return m ? [m[1]!, m[2]!] : [pkg, undefined];
}

/** The virtual package of `extra` of the project `name`. */
export function extraPackage(name: string, extra: string): string {
  return `${name}[${extra}]`;
}
