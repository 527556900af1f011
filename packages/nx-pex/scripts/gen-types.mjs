// Generates the TypeScript type of every executor's options and generator's schema (schema.d.ts
// beside each schema.json) from the schema.json files named in executors.json and generators.json,
// so the types cannot drift from what Nx validates.
//
//   npm exec -- node packages/nx-pex/scripts/gen-types.mjs            rewrite the schema.d.ts files
//   npm exec -- node packages/nx-pex/scripts/gen-types.mjs --check    exit 1 when one is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { compile } from 'json-schema-to-typescript';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const BANNER = '/* Generated from schema.json by packages/nx-pex/scripts/gen-types.mjs: do not edit by hand. */';

/** `python-app` → `PythonApp`. */
const pascal = (name) =>
  name
    .split(/[-_]/)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');

const targets = [];
for (const [manifest, key, suffix] of [
  ['executors.json', 'executors', 'ExecutorOptions'],
  ['generators.json', 'generators', 'GeneratorSchema'],
]) {
  const entries = JSON.parse(readFileSync(join(packageDir, manifest), 'utf8'))[key];
  for (const [name, entry] of Object.entries(entries))
    targets.push({ schema: join(packageDir, entry.schema), type: pascal(name) + suffix });
}

const stale = [];
for (const { schema, type } of targets) {
  const json = JSON.parse(readFileSync(schema, 'utf8'));
  // The title would name the type; the type name is chosen here instead.
  delete json.title;
  delete json.$id;
  const text = await compile(json, type, {
    bannerComment: BANNER,
    additionalProperties: false,
    style: { singleQuote: true, printWidth: 120 },
  });
  const out = join(dirname(schema), 'schema.d.ts');
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing: stale
  }
  if (current === text) continue;
  stale.push(relative(process.cwd(), out));
  if (!check) writeFileSync(out, text);
}
if (check && stale.length > 0) {
  process.stderr.write(
    `gen-types: stale: ${stale.join(', ')}. Run npm exec -- node packages/nx-pex/scripts/gen-types.mjs\n`,
  );
  process.exit(1);
}
process.stdout.write(
  stale.length === 0 ? 'gen-types: the schema.d.ts files are up to date\n' : `gen-types: wrote ${stale.join(', ')}\n`,
);
