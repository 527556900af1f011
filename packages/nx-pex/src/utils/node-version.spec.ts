import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { assertSupportedNode, nodeVersionProblem } from './node-version.js';
import { packagePath } from './package-path.js';

interface LockEntry {
  version?: string;
  link?: boolean;
  resolved?: string;
  dependencies?: Record<string, string>;
  engines?: { node?: string };
}

/** The installed package a `require(name)` from `from` finds (node_modules lookup upwards, as Node does). */
function installed(packages: Record<string, LockEntry>, name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
    const key = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[key]) return key;
    if (!dir) return undefined;
  }
}

describe('engines.node', () => {
  const pkg = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { engines: { node: string } };

  it("is at least every runtime dependency's own engines.node, as package-lock.json installs them", () => {
    const repoRoot = dirname(dirname(packagePath()));
    const packages = (
      JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> }
    ).packages;
    const seen = new Set<string>();
    const queue = ['packages/nx-pex'];
    const narrower: string[] = [];
    while (queue.length > 0) {
      let key = queue.shift()!;
      if (seen.has(key)) continue;
      seen.add(key);
      if (packages[key]?.link) key = packages[key]!.resolved!;
      const entry = packages[key]!;
      const needs = entry.engines?.node;
      if (needs && !semver.subset(pkg.engines.node, needs)) narrower.push(`${key}@${entry.version}: ${needs}`);
      for (const dep of Object.keys(entry.dependencies ?? {})) {
        const found = installed(packages, dep, key) ?? installed(packages, dep, '');
        if (found) queue.push(found);
      }
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(narrower).toEqual([]);
  });

  it('an older Node gets one line naming the version needed; a new enough one passes', () => {
    expect(nodeVersionProblem('22.12.0', '>=22.19.0')).toBe(
      'nx-pex needs Node.js >=22.19.0 (this is 22.12.0): install a newer Node.js (e.g. the current LTS) and run nx again.',
    );
    expect(nodeVersionProblem('v20.20.2', '>=22.19.0')).toMatch(/^nx-pex needs Node.js >=22.19.0 \(this is 20.20.2\)/);
    expect(nodeVersionProblem('22.19.0', '>=22.19.0')).toBeUndefined();
    expect(nodeVersionProblem('24.1.0', '>=22.19.0')).toBeUndefined();
    expect(() => assertSupportedNode('20.0.0')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_NODE' }));
    expect(() => assertSupportedNode(process.versions.node)).not.toThrow();
  });
});
