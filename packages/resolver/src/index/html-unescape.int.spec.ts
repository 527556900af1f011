// Numeric character references on index pages decode as pip's HTML parser (Python's html.unescape)
// decodes them: compared on generated references against the newest CPython on the machine.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { findPythons } from '@nx-pex/tools';
import { describe, expect, it } from 'vitest';
import { fcParams, runs } from '../testing/reliability-fuzz.js';
import { unescapeHtml } from './html.js';

const pythons = await findPythons();
const python = pythons.found.at(-1);

// Code points around every boundary html.unescape treats specially, then anything up to far out of range.
const codePoint = fc.oneof(
  fc.constantFrom(
    0,
    1,
    8,
    9,
    0xb,
    0xd,
    0xe,
    0x1f,
    0x7f,
    0x80,
    0x81,
    0x9f,
    0xa0,
    0xd7ff,
    0xd800,
    0xdfff,
    0xe000,
    0xfdd0,
    0xfdef,
    0xfffe,
    0xffff,
    0x1fffe,
    0x10fffe,
    0x10ffff,
    0x110000,
  ),
  fc.integer({ min: 0, max: 0x11ffff }),
  fc.bigInt({ min: 0n, max: 10n ** 25n }),
);
const reference = fc
  .tuple(codePoint, fc.boolean(), fc.boolean())
  .map(([n, hex, semi]) => `&#${hex ? 'x' : ''}${hex ? n.toString(16) : String(n)}${semi ? ';' : ''}`);
const text = fc
  .array(fc.oneof(reference, fc.constantFrom('a', ' ', '&', '#', ';', 'x', '1')), { minLength: 1, maxLength: 6 })
  .map((xs) => xs.join(''));

describe.skipIf(!python)(
  `HTML numeric references like Python's html.unescape (CPython ${python?.full ?? 'none found'})`,
  () => {
    it('decodes generated references identically', () => {
      const inputs = fc.sample(text, { numRuns: runs(3_000, 100_000), seed: fcParams(1).seed });
      const script = 'import html, json, sys\nprint(json.dumps([html.unescape(s) for s in json.load(sys.stdin)]))';
      const expected = JSON.parse(
        execFileSync(python!.path, ['-c', script], { input: JSON.stringify(inputs), maxBuffer: 1 << 28 }).toString(),
      ) as string[];
      const differ = inputs
        .map((s, i) => ({ s, ours: unescapeHtml(s), python: expected[i] }))
        .filter((d) => d.ours !== d.python);
      expect(differ.slice(0, 5)).toEqual([]);
    });
  },
);
