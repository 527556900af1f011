#!/usr/bin/env node
// The `nx-pex` command. A committed file (not dist/) so that npm links it into node_modules/.bin
// on install even before the package is built; it checks the Node.js version and the build first.
import { existsSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
if (!existsSync(new URL('cli/main.js', dist))) {
  process.stderr.write(
    `nx-pex: [NOT_BUILT] ${new URL('cli/main.js', dist).pathname} is missing: run \`npm run build\` in the repository first.\n`,
  );
  process.exit(1);
}
const { nodeVersionProblem } = await import(new URL('utils/node-version.js', dist).href);
const engines = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines?.node ?? '';
const problem = nodeVersionProblem(process.versions.node, engines);
if (problem) {
  process.stderr.write(`nx-pex: [UNSUPPORTED_NODE] ${problem}\n`);
  process.exit(1);
}
// Node's module compile cache (NODE_COMPILE_CACHE, else a directory under the system temp dir; off
// with NODE_DISABLE_COMPILE_CACHE=1): V8 keeps the compiled code of the CLI and its dependencies
// between runs instead of compiling them at every start.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import(new URL('cli/main.js', dist).href);
