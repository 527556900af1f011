// Test support (not shipped): fast-check generators for PEP 440 strings, valid and near-valid.
import fc from 'fast-check';

const num = fc.oneof(fc.constantFrom('0', '1', '2', '10', '01', '007'), fc.integer({ min: 0, max: 30 }).map(String));
const sep = fc.constantFrom('', '', '.', '-', '_');
const optional = <T extends string>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant('') }, { weight: 1, arbitrary: arb });
const mixedCase = (s: string) => fc.constantFrom(s, s.toUpperCase(), s[0]!.toUpperCase() + s.slice(1));

const release = fc.array(num, { minLength: 1, maxLength: 4 }).map((xs) => xs.join('.'));
const pre = fc
  .tuple(
    sep,
    fc.constantFrom('a', 'b', 'c', 'rc', 'alpha', 'beta', 'pre', 'preview').chain(mixedCase),
    sep,
    optional(num),
  )
  .map((p) => p.join(''));
const post = fc.oneof(
  num.map((n) => `-${n}`),
  fc.tuple(sep, fc.constantFrom('post', 'rev', 'r').chain(mixedCase), sep, optional(num)).map((p) => p.join('')),
);
const dev = fc
  .tuple(
    sep,
    mixedCase('dev').chain((d) => fc.constant(d)),
    sep,
    optional(num),
  )
  .map((p) => p.join(''));
const localPart = fc.oneof(num, fc.constantFrom('abc', 'ubuntu', 'AbC', 'x1', '1x', 'cpu'));
const local = fc
  .array(localPart, { minLength: 1, maxLength: 3 })
  .chain((parts) =>
    fc
      .array(fc.constantFrom('.', '-', '_'), { minLength: parts.length, maxLength: parts.length })
      .map((seps) => '+' + parts.map((p, i) => (i === 0 ? p : seps[i]! + p)).join('')),
  );

/** Versions in every spelling PEP 440 normalises, with occasional junk to exercise rejection. */
export const versionText = fc
  .tuple(
    optional(fc.constantFrom('v', 'V')),
    optional(num.map((n) => `${n}!`)),
    release,
    optional(pre),
    optional(post),
    optional(dev),
    optional(local),
    optional(fc.constantFrom(' ', '\t')),
  )
  .map(([v, e, r, a, p, d, l, ws]) => `${ws}${v}${e}${r}${a}${p}${d}${l}${ws}`);

const junk = fc.constantFrom('', '', '', '', '*', '..', '+', '-', 'x', '!', ' 1');
export const maybeInvalidVersion = fc
  .tuple(versionText, junk, fc.boolean())
  .map(([v, j, front]) => (front ? j + v : v + j));

const operator = fc.constantFrom('==', '!=', '<=', '>=', '<', '>', '~=', '===');
/** Specifiers (sometimes with `.*`), including ones packaging must reject (`===` with nothing after it). */
export const specifierText = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        operator,
        fc.constantFrom('', ' '),
        versionText.map((v) => v.trim()),
        fc.constantFrom('', '', '', '.*'),
      )
      .map(([op, ws, v, star]) => `${op}${ws}${v}${star}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('===', '=== ', '===foo', '===1.0-Local_x', '==', '>=', '~=1', '==*') },
);

export const specifierSetText = fc.array(specifierText, { minLength: 0, maxLength: 3 }).map((xs) => xs.join(', '));
