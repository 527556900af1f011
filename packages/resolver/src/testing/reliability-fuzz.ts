// Test support (not shipped): run counts and hostile-input arbitraries for the reliability suites.
import fc from 'fast-check';

/** NX_PEX_LONG=1 runs the long mode (≥ 1M fuzz inputs, 1000 faults); the default stays within CI's time. */
export const LONG = process.env['NX_PEX_LONG'] === '1';

/** `long` runs in the long mode, `short` otherwise. */
export const runs = (short: number, long: number): number => (LONG ? long : short);

/** Test timeout for a property run of that size (no timed assertion: only a bound on the run). */
export const FUZZ_TIMEOUT = LONG ? 4 * 3_600_000 : 120_000;

/** fast-check parameters: a reproducible seed (NX_PEX_FC_SEED changes it) and the run count. */
export function fcParams(numRuns: number): fc.Parameters<unknown> {
  const seed = Number(process.env['NX_PEX_FC_SEED'] ?? 20260514);
  return { numRuns, seed, endOnFailure: true };
}

/** Characters a parser must survive: grammar punctuation, whitespace, NUL, surrogates, RTL, emoji. */
const nasty = fc.constantFrom(
  '(',
  ')',
  '[',
  ']',
  ',',
  ';',
  '@',
  '"',
  "'",
  '\\',
  '=',
  '<',
  '>',
  '!',
  '~',
  '*',
  '.',
  '-',
  '_',
  '+',
  '#',
  ' ',
  '\t',
  '\n',
  '\r',
  '\0',
  '\u00a0',
  '\u202e',
  '\ud800',
  '\udfff',
  '😀',
  'ǅ',
  'ß',
  'İ',
  '9',
  '0',
  '99999999999999999999999',
  'and',
  'or',
  'not',
  'in',
  'extra',
  'python_version',
  '===',
  '~=',
  '.*',
  '!=',
  'dev',
  'post',
  'rc',
  '+local',
  '{',
  '}',
);

/** `text` with up to 4 random insertions, deletions or replacements from the hostile alphabet. */
export function mutated(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 3 }), nasty, fc.constantFrom('insert', 'delete', 'replace'));
  return fc.tuple(text, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([base, edits]) =>
    edits.reduce((s, [at, len, piece, kind]) => {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      if (kind === 'insert') return s.slice(0, i) + piece + s.slice(i);
      if (kind === 'delete') return s.slice(0, i) + s.slice(i + len + 1);
      return s.slice(0, i) + piece + s.slice(i + len + 1);
    }, base),
  );
}

/** Any string: arbitrary code points (lone surrogates included) or a mix of the grammar's own pieces. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(nasty, { maxLength: 30 }).map((xs) => xs.join('')),
);

/** `open` repeated `depth` times, `core`, `close` repeated: deep nesting (recursion depth). */
export const nested = (open: string, core: string, close: string): fc.Arbitrary<string> =>
  fc.integer({ min: 1, max: 2_000 }).map((depth) => open.repeat(depth) + core + close.repeat(depth));

/** Count what each property saw and what failed, for the closing report (printed with NX_PEX_LONG=1 too). */
export class Tally {
  readonly tried = new Map<string, number>();

  count(name: string): void {
    this.tried.set(name, (this.tried.get(name) ?? 0) + 1);
  }

  total(): number {
    return [...this.tried.values()].reduce((a, b) => a + b, 0);
  }

  report(suite: string): string {
    const parts = [...this.tried].map(([k, v]) => `${k} ${v}`).join(', ');
    return `${suite}: ${this.total()} inputs tried (${parts}), all survived`;
  }
}
