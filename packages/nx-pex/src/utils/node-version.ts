import { readFileSync } from 'node:fs';
import { PluginError } from './errors.js';
import { packagePath } from './package-path.js';

/**
 * The oldest Node.js nx-pex runs on is its package.json `engines.node` (the newest minimum among its
 * runtime dependencies, e.g. undici's: a spec checks it). On an older one the dependencies fail with
 * errors that name nothing (`Cannot read properties of undefined (reading 'bind')`), so the plugin,
 * the executors and the CLI check first and say what is needed, in one line.
 */
export function nodeVersionProblem(version: string, engines: string): string | undefined {
  const min = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(engines.trim());
  if (!min) return undefined;
  const have = version
    .replace(/^v/, '')
    .split('.')
    .map((n) => Number.parseInt(n, 10));
  const need = min.slice(1, 4).map(Number);
  for (let i = 0; i < 3; i++) {
    const h = have[i] ?? 0;
    if (h > need[i]!) return undefined;
    if (h < need[i]!)
      return `nx-pex needs Node.js ${engines.trim()} (this is ${version.replace(/^v/, '')}): install a newer Node.js (e.g. the current LTS) and run nx again.`;
  }
  return undefined;
}

/** Throws UNSUPPORTED_NODE when this Node.js is older than package.json's engines.node. */
export function assertSupportedNode(version: string = process.versions.node): void {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { engines?: { node?: string } };
  const problem = nodeVersionProblem(version, pkg.engines?.node ?? '');
  if (problem) throw new PluginError('UNSUPPORTED_NODE', problem);
}
