import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../utils/package-path.js';

// Every schema.d.ts is generated from its schema.json: a schema change without
// `npm exec -- node packages/nx-pex/scripts/gen-types.mjs` fails here.
describe('schema.d.ts files', () => {
  it('are generated from the current schema.json files', () => {
    const result = spawnSync(process.execPath, [packagePath('scripts', 'gen-types.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(`${result.stdout}${result.stderr}`).toContain('up to date');
    expect(result.status).toBe(0);
  });
});
