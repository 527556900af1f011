import { describe, expect, it } from 'vitest';
import { pexInfoSchemaProblems, validatePexInfo } from './schema.js';

describe('PEX-INFO schema', () => {
  it('is a valid JSON Schema (the validator compiles it without the meta-schema check)', () => {
    expect(pexInfoSchemaProblems()).toEqual([]);
  });

  it('still rejects a PEX-INFO that breaks it, naming the field', () => {
    expect(() => validatePexInfo({ venv: 'yes' }, 'x.pex')).toThrow(
      /PEX-INFO of x\.pex is invalid: .*required property 'bootstrap_hash'.*\/venv must be boolean/,
    );
  });
});
