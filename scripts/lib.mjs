// Shared by the repo's own scripts: run a command visibly, fail loudly.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Run a command with inherited stdio (or captured, with `capture`); exit the script when it fails. */
export function run(command, args, { cwd = repoRoot, env = process.env, capture = false } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env,
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    encoding: 'utf8',
  });
  if (result.error) {
    console.error(`${command}: ${result.error.message}`);
    process.exit(1);
  }
  if (result.status !== 0) {
    if (capture && result.stdout) process.stdout.write(result.stdout);
    console.error(`\n${[command, ...args].join(' ')} failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
  return result.stdout ?? '';
}

export const nx = join(repoRoot, 'node_modules', '.bin', 'nx');

export function buildPackages() {
  run(nx, [
    'run-many',
    '-t',
    'build',
    '--projects=@nx-pex/common,@nx-pex/archive,@nx-pex/resolver,nx-pex,@nx-pex/tools',
    '--outputStyle=static',
  ]);
}
