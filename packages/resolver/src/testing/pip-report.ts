// Test support (not shipped): what pip would install, from `pip install --dry-run --report -`.
import { execFile } from 'node:child_process';
import { isolatedPipEnv } from '@nx-pex/tools';
import { normalizeName } from '../names.js';

/**
 * Runs `python -m pip install --dry-run --quiet --report - --ignore-installed <args>` without the
 * machine's pip.conf; resolves to normalised name → version, or undefined when pip finds no solution.
 */
export function pipDryRun(python: string, args: string[]): Promise<Record<string, string> | undefined> {
  const all = ['-m', 'pip', 'install', '--dry-run', '--quiet', '--report', '-', '--ignore-installed', ...args];
  return new Promise((resolve, reject) => {
    execFile(python, all, { env: isolatedPipEnv(), maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) {
        if (/ResolutionImpossible|No matching distribution|Could not find a version/.test(stderr)) resolve(undefined);
        else reject(new Error(`pip failed: ${stderr}`));
        return;
      }
      const report = JSON.parse(stdout) as { install: { metadata: { name: string; version: string } }[] };
      resolve(Object.fromEntries(report.install.map((i) => [normalizeName(i.metadata.name), i.metadata.version])));
    });
  });
}
