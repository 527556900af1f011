import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packagePath } from '../utils/package-path.js';

// docs/configuration.md is generated from the executor and generator schemas: a schema change
// without `npm exec -- node packages/nx-pex/scripts/gen-docs.mjs` fails here.
const script = packagePath('scripts', 'gen-docs.mjs');
const docs = packagePath('..', '..', 'docs', 'configuration.md');
const dir = mkdtempSync(join(tmpdir(), 'nx-pex-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function genDocs(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('docs/configuration.md', () => {
  it('is up to date with the schemas', () => {
    const { status, output } = genDocs('--check');
    expect(output).toContain('is up to date');
    expect(status).toBe(0);
  });

  it('documents every executor and generator option', () => {
    const text = readFileSync(docs, 'utf8');
    for (const manifest of ['executors.json', 'generators.json']) {
      const entries = JSON.parse(readFileSync(packagePath(manifest), 'utf8')) as Record<
        string,
        Record<string, { schema: string }>
      >;
      for (const [name, entry] of Object.entries(Object.values(entries)[0]!)) {
        expect(text).toContain(`### \`nx-pex:${name}\``);
        const schema = JSON.parse(readFileSync(packagePath(entry.schema), 'utf8')) as {
          properties?: Record<string, unknown>;
        };
        for (const option of Object.keys(schema.properties ?? {})) expect(text).toContain(`| \`${option}\` |`);
      }
    }
  });

  it('--check fails on stale docs and the generator fixes them, keeping the hand-written prose', () => {
    const copy = join(dir, 'configuration.md');
    copyFileSync(docs, copy);
    const stale = readFileSync(copy, 'utf8').replace('| `outputPath` |', '| `outputFile` |');
    writeFileSync(copy, stale);
    const check = genDocs('--check', '--out', copy);
    expect(check.output).toMatch(
      /configuration.md is stale: .*Run: npm exec -- node packages\/nx-pex\/scripts\/gen-docs.mjs/,
    );
    expect(check.status).toBe(1);
    expect(genDocs('--out', copy).status).toBe(0);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(docs, 'utf8'));
  });

  it('refuses a file without the generated-section markers', () => {
    const bare = join(dir, 'bare.md');
    writeFileSync(bare, '# no markers\n');
    const { status, output } = genDocs('--check', '--out', bare);
    expect(output).toContain('has no generated section');
    expect(status).toBe(2);
  });
});
