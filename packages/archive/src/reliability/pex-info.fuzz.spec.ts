// Property fuzz of the PEX-INFO reader: any bytes in PEX-INFO (a directory pex, so no zip is needed)
// give a PexInfo or ArchiveError INVALID_PEX_INFO / NOT_A_PEX — never an untyped exception. Inputs:
// a real PEX-INFO with one field replaced by any JSON value, byte-level mutations of it, and any text.
// Default: 2 000 inputs; NX_PEX_LONG=1: 100 000.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError } from '../errors.js';
import { readPexInfo } from '../pex-info/read.js';

const LONG = process.env['NX_PEX_LONG'] === '1';
const RUNS = LONG ? 100_000 : 2_000;
const seed = Number(process.env['NX_PEX_FC_SEED'] ?? 20260514);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nx-pex-pexinfo-fuzz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const valid: Record<string, unknown> = {
  bootstrap_hash: 'a'.repeat(64),
  build_properties: {},
  code_hash: 'b'.repeat(64),
  distributions: { 'greet-1.0-py3-none-any.whl': 'c'.repeat(64) },
  emit_warnings: true,
  entry_point: 'app.main',
  inherit_path: 'false',
  interpreter_constraints: ['>=3.8'],
  pex_hash: 'd'.repeat(64),
  pex_path: [],
  requirements: ['greet==1.0'],
  strip_pex_env: true,
  venv: false,
};

const replaced = fc
  .tuple(
    fc.constantFrom(...Object.keys(valid), '__proto__', 'constructor', 'extra'),
    fc.option(fc.jsonValue({ maxDepth: 3 })),
  )
  .map(([key, value]) => {
    const doc: Record<string, unknown> = { ...valid };
    if (value === null) delete doc[key];
    else Object.defineProperty(doc, key, { value, enumerable: true, configurable: true, writable: true });
    return JSON.stringify(doc);
  });
const mutatedBytes = fc
  .tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ unit: 'binary', maxLength: 4 }))
  .map(([at, cut, piece]) => {
    const text = JSON.stringify(valid);
    const i = at % (text.length + 1);
    return text.slice(0, i) + piece + text.slice(i + cut);
  });
const deep = fc.integer({ min: 1, max: 5_000 }).map((n) => '['.repeat(n) + ']'.repeat(n));

describe('PEX-INFO reader under hostile input', () => {
  it('the unmodified PEX-INFO is accepted (so rejections are about the mutation)', async () => {
    await writeFile(join(dir, 'PEX-INFO'), JSON.stringify(valid));
    expect((await readPexInfo(dir)).entry_point).toBe('app.main');
  });

  it(
    `${RUNS} mutated PEX-INFO files: a PexInfo or a typed ArchiveError`,
    async () => {
      let tried = 0;
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(replaced, mutatedBytes, fc.string({ unit: 'binary', maxLength: 200 }), deep),
          async (text) => {
            tried++;
            await writeFile(join(dir, 'PEX-INFO'), text);
            try {
              await readPexInfo(dir);
              accepted++;
            } catch (error) {
              if (!(error instanceof ArchiveError))
                throw new Error(`untyped exception: ${String(error)}`, { cause: error });
              expect(['INVALID_PEX_INFO', 'NOT_A_PEX']).toContain(error.code);
            }
          },
        ),
        { numRuns: RUNS, seed, endOnFailure: true },
      );
      console.log(
        `PEX-INFO fuzz: ${tried} inputs tried, ${accepted} accepted, the rest rejected with ArchiveError; all survived`,
      );
    },
    LONG ? 4 * 3_600_000 : 120_000,
  );
});
