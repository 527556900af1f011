// Property fuzz of the pyproject.toml reader: any text gives a PyProject, undefined (no [project]) or
// PluginError INVALID_PYPROJECT naming the file — never an untyped exception. Inputs: a real
// pyproject with one field replaced by any TOML value, character-level mutations, and any text.
// Default: 2 000 inputs; NX_PEX_LONG=1: 200 000.
import fc from 'fast-check';
import { parse, stringify } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parsePyProject } from '../pyproject/pyproject.js';
import { PluginError } from '../utils/errors.js';

const LONG = process.env['NX_PEX_LONG'] === '1';
const RUNS = LONG ? 200_000 : 2_000;
const seed = Number(process.env['NX_PEX_FC_SEED'] ?? 20260514);

const valid = [
  '[project]',
  'name = "svc"',
  'version = "0.1.0"',
  'requires-python = ">=3.9"',
  'dependencies = ["requests>=2", "attrs; python_version >= \'3.9\'"]',
  '[project.optional-dependencies]',
  'fast = ["orjson"]',
  '[project.scripts]',
  'svc = "svc.main:main"',
  '[dependency-groups]',
  'test = ["pytest", { include-group = "lint" }]',
  'lint = ["ruff"]',
  '[tool.nx-pex]',
  'type = "app"',
  'entry-point = "svc.main:main"',
  'extras = ["fast"]',
  '[tool.uv.sources]',
  'lib = { workspace = true }',
  'other = { path = "../other" }',
  '',
].join('\n');

const tomlValue = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('name', 'path', 'workspace', 'include-group', 'x', '__proto__'), tie('v'), {
      maxKeys: 3,
    }),
  ),
})).v;

/** The valid document with the value at a random path replaced by any TOML value (or removed). */
const replaced = fc
  .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.option(tomlValue))
  .map(([path, value]) => {
    const doc = parse(valid) as Record<string, unknown>;
    let node = doc as Record<string, unknown>;
    for (let depth = 0; depth < path.length; depth++) {
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const key = keys[path[depth]! % keys.length]!;
      const child = node[key];
      if (
        depth === path.length - 1 ||
        typeof child !== 'object' ||
        child === null ||
        Array.isArray(child) ||
        child instanceof Date
      ) {
        if (value === null) delete node[key];
        else node[key] = value;
        break;
      }
      node = child as Record<string, unknown>;
    }
    try {
      return stringify(doc);
    } catch {
      return valid;
    }
  });
const mutated = fc
  .tuple(
    fc.nat(),
    fc.nat({ max: 6 }),
    fc.constantFrom('"', "'", '[', ']', '=', '\n', '{', '}', '#', '\\', '\0', 'ǅ', '"""', '[[project]]', ''),
  )
  .map(([at, cut, piece]) => {
    const i = at % (valid.length + 1);
    return valid.slice(0, i) + piece + valid.slice(i + cut);
  });

describe('pyproject.toml reader under hostile input', () => {
  it('the unmodified pyproject parses (so rejections are about the mutation)', () => {
    expect(parsePyProject(valid, 'pyproject.toml')?.name).toBe('svc');
  });

  it(
    `${RUNS} mutated pyproject.toml texts: a PyProject, undefined, or INVALID_PYPROJECT / INVALID_REQUIREMENT naming the file`,
    () => {
      let tried = 0;
      fc.assert(
        fc.property(fc.oneof(replaced, mutated, fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
          tried++;
          try {
            parsePyProject(text, 'apps/svc/pyproject.toml');
          } catch (error) {
            if (!(error instanceof PluginError))
              throw new Error(`untyped exception: ${String(error)}`, { cause: error });
            expect(['INVALID_PYPROJECT', 'INVALID_REQUIREMENT']).toContain(error.code);
            expect(error.message).toContain('apps/svc/pyproject.toml');
          }
        }),
        { numRuns: RUNS, seed, endOnFailure: true },
      );
      console.log(`pyproject fuzz: ${tried} inputs tried, all survived`);
    },
    LONG ? 4 * 3_600_000 : 120_000,
  );
});
