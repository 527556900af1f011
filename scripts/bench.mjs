// npm run bench [-- options]: build the packages, then run the benchmark harness (tools/src/bench).
// `npm run bench -- --help` lists the options; bench/README.md says how to read the results.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackages, repoRoot, run } from './lib.mjs';

const args = process.argv.slice(2);
if (
  !(args.includes('--help') || args.includes('-h')) ||
  !existsSync(join(repoRoot, 'tools', 'dist', 'bench', 'main.js'))
) {
  console.error('» building the nx-pex packages');
  buildPackages();
}
run(process.execPath, [join(repoRoot, 'tools', 'dist', 'bench', 'main.js'), ...args]);
