// npm run demo: build the packages, `nx build my-service` in examples/demo-workspace, run the .pex.
import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildPackages, nx, repoRoot, run } from './lib.mjs';

const workspace = join(repoRoot, 'examples', 'demo-workspace');
const pex = join(workspace, 'dist', 'apps', 'my-service', 'my-service.pex');

console.log('» building the nx-pex packages');
buildPackages();

console.log(
  '\n» nx build my-service (in examples/demo-workspace; index as pip is configured: PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, pip.conf)',
);
run(nx, ['build', 'my-service', '--outputStyle=static'], {
  cwd: workspace,
  env: { ...process.env, NX_DAEMON: 'false' },
});

console.log(`\n» python3 ${relative(repoRoot, pex)}`);
const output = run('python3', [pex], { capture: true });
process.stdout.write(output);

const size = statSync(pex).size;
console.log(`\npex: ${pex}\nsize: ${size} bytes (${(size / 1024 / 1024).toFixed(2)} MiB)`);
