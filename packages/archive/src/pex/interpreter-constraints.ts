/**
 * Build-time questions about interpreter constraints ("may this pex run on some CPython 3.12?"),
 * answered exactly with the caller's PEP 440 implementation: the archive does not import the
 * resolver (DESIGN.md), so it holds no specifier semantics of its own, only the finite set of
 * versions worth asking about. A constraint is a PEP 440 specifier set, optionally prefixed by an
 * implementation (`CPython>=3.8,<4`, pex's form); an interpreter must satisfy one of them.
 */

/**
 * The caller's PEP 440 specifier-set parser: throws on an invalid set; `contains(version)` admits
 * pre-releases (packaging ≥ 26 with `prereleases` unset: an interpreter is one version, not a choice
 * among candidates). nx-pex passes the resolver's: `(text) => new SpecifierSet(text)`.
 */
export type ParseSpecifierSet = (text: string) => { contains(version: string): boolean };

/** `CPython>=3.8,<4` → `{ implementation: 'CPython', specifiers: '>=3.8,<4' }` (no prefix: any implementation). */
export function splitConstraint(constraint: string): { implementation: string; specifiers: string } {
  const text = constraint.trim();
  const implementation = /^[A-Za-z]*/.exec(text)?.[0] ?? '';
  return { implementation, specifiers: text.slice(implementation.length) };
}

/**
 * The CPython `major.minor` versions (`X.Y.Z`, `X.Y.Z{a,b,rc}N`) that decide whether any of them
 * satisfies `specifiers`. A clause compares a candidate's patch Z and pre-release serial N only with
 * the numbers written in it (PEP 440 comparisons, `.*` prefixes, `~=` and the `<V`/`>V` bounds all
 * work on V's own parts), so the answer is constant between those numbers: trying each number n
 * written, n ± 1 and 0, for Z and for N, with every pre-release kind, covers every case.
 */
export function cpythonWitnesses(specifiers: string, major: number, minor: number): string[] {
  const around = new Set<bigint>([0n]);
  for (const digits of specifiers.match(/\d+/g) ?? []) {
    const n = BigInt(digits);
    for (const near of [n - 1n, n, n + 1n]) if (near >= 0n) around.add(near);
  }
  const numbers = [...around].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return numbers.flatMap((patch) => {
    const release = `${major}.${minor}.${patch}`;
    return [release, ...['a', 'b', 'rc'].flatMap((kind) => numbers.map((serial) => `${release}${kind}${serial}`))];
  });
}

/** Whether some CPython `major.minor.*` (any patch, pre-releases too) satisfies one of the constraints (none: any does). */
export function allowsCPython(
  constraints: readonly string[],
  major: number,
  minor: number,
  parse: ParseSpecifierSet,
): boolean {
  if (constraints.length === 0) return true;
  return constraints.some((constraint) => {
    const { implementation, specifiers } = splitConstraint(constraint);
    if (implementation !== '' && implementation.toLowerCase() !== 'cpython') return false;
    const set = parse(specifiers);
    return cpythonWitnesses(specifiers, major, minor).some((version) => set.contains(version));
  });
}

/**
 * Whether some CPython 3.x below 3.`minor` satisfies the constraints. Without `parse` the answer
 * cannot be computed and is `undefined` (the caller decides how to be conservative).
 */
export function allowsCPython3Below(
  constraints: readonly string[],
  minor: number,
  parse?: ParseSpecifierSet,
): boolean | undefined {
  if (constraints.length === 0) return true;
  if (parse === undefined) return undefined;
  for (let candidate = 0; candidate < minor; candidate++)
    if (allowsCPython(constraints, 3, candidate, parse)) return true;
  return false;
}
