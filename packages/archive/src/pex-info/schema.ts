import { Ajv, type JSONSchemaType, type ValidateFunction } from 'ajv';
import { ArchiveError } from '../errors.js';
import type { PexInfo } from './pex-info.js';
import { SCRIPT_NAME_GRAMMAR } from '../entry-points/grammar.js';

import { WHEEL_FILENAME_PART } from '../wheel/filename.js';

const WHEEL_FILENAME_PATTERN = `^${WHEEL_FILENAME_PART}(?:-${WHEEL_FILENAME_PART}){4,5}\\.whl$`;

const stringMap = {
  type: 'object',
  required: [],
  additionalProperties: { type: 'string' },
} as const;

/** Extra properties are allowed: PEX-INFO files written by pex carry fields we do not use. */
const schema: JSONSchemaType<PexInfo> = {
  type: 'object',
  additionalProperties: true,
  required: [
    'bootstrap_hash',
    'build_properties',
    'code_hash',
    'distributions',
    'emit_warnings',
    'inherit_path',
    'interpreter_constraints',
    'pex_hash',
    'pex_path',
    'requirements',
    'strip_pex_env',
    'venv',
  ],
  properties: {
    bootstrap_hash: { type: 'string' },
    build_properties: stringMap,
    code_hash: { type: 'string' },
    // Keys become paths (.deps/<wheel>, installed_wheels/<sha>/<wheel>): a PEP 427 file name, one path component.
    distributions: { ...stringMap, propertyNames: { pattern: WHEEL_FILENAME_PATTERN } },
    emit_warnings: { type: 'boolean' },
    entry_point: { type: 'string', nullable: true, pattern: '^[^:\\s]+(:[^:\\s]+)?$' },
    excluded: { type: 'array', nullable: true, items: { type: 'string' } },
    inherit_path: { type: 'string', enum: ['false', 'prefer', 'fallback'] },
    inject_args: { type: 'array', nullable: true, items: { type: 'string' } },
    inject_env: { ...stringMap, nullable: true, propertyNames: { pattern: '^[^=]+$' } },
    interpreter_constraints: { type: 'array', items: { type: 'string' } },
    pex_hash: { type: 'string' },
    pex_path: { type: 'array', items: { type: 'string' } },
    requirements: { type: 'array', items: { type: 'string' } },
    script: { type: 'string', nullable: true, pattern: `^${SCRIPT_NAME_GRAMMAR}$` },
    strip_pex_env: { type: 'boolean' },
    venv: { type: 'boolean' },
  },
};

let validator: ValidateFunction<PexInfo> | undefined;

/**
 * The schema is this module's constant: checking it against JSON Schema's meta-schema (Ajv's
 * default) would compile the meta-schema in every process that writes or reads a pex, ~40 ms of a
 * no-op build's CPU. pexInfoSchemaProblems() does that check, and a spec runs it.
 */
export function pexInfoSchemaProblems(): string[] {
  const ajv = new Ajv({ allErrors: true });
  return ajv.validateSchema(schema) ? [] : (ajv.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** Validate PEX-INFO against the schema; `where` names the file for the error message. */
export function validatePexInfo(value: unknown, where: string): PexInfo {
  validator ??= new Ajv({ allErrors: true, validateSchema: false }).compile(schema);
  if (!validator(value)) {
    const problems = (validator.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
    throw new ArchiveError(
      'INVALID_PEX_INFO',
      `PEX-INFO of ${where} is invalid: ${problems.join('; ')}. Rebuild the pex with a current nx-pex.`,
    );
  }
  return value;
}
