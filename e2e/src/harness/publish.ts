import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baseEnv, repoRoot, runOrThrow } from './exec.js';
import type { LocalRegistry } from './registry.js';

/** Published in dependency order: the plugin's dependencies first. */
export const PUBLISHED_PACKAGES = [
  { name: '@nx-pex/common', dir: 'packages/common' },
  { name: '@nx-pex/archive', dir: 'packages/archive' },
  { name: '@nx-pex/resolver', dir: 'packages/resolver' },
  { name: 'nx-pex', dir: 'packages/nx-pex' },
] as const;

export interface PublishedPackage {
  name: string;
  version: string;
  /** The tarball's SRI integrity as published (what a workspace's package-lock.json must record). */
  integrity: string;
}

export interface PublishOptions {
  /** Skip the repo build (NX_PEX_E2E_SKIP_BUILD=1 does the same). Default: build; Nx's cache makes a rebuild of unchanged packages a no-op. */
  skipBuild?: boolean;
}

/**
 * Build the published packages with the repo's Nx, then `npm publish` each to `registry`
 * (fresh storage per registry, so the version in package.json is always new there).
 */
export async function publishPackages(
  registry: LocalRegistry,
  options: PublishOptions = {},
): Promise<PublishedPackage[]> {
  const env = baseEnv();
  if (!(options.skipBuild ?? Boolean(process.env.NX_PEX_E2E_SKIP_BUILD))) {
    await runOrThrow(
      'npx',
      [
        'nx',
        'run-many',
        '-t',
        'build',
        `--projects=${PUBLISHED_PACKAGES.map((p) => p.name).join(',')}`,
        '--outputStyle=static',
      ],
      env,
      { cwd: repoRoot, timeoutMs: 600_000 },
    );
  }
  const published: PublishedPackage[] = [];
  for (const pkg of PUBLISHED_PACKAGES) {
    const cwd = join(repoRoot, pkg.dir);
    const manifest = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')) as { name: string; version: string };
    if (manifest.name !== pkg.name)
      throw new Error(`${pkg.dir}/package.json names ${manifest.name}, expected ${pkg.name}`);
    // Env vars, not flags: they win over any registry a parent npm exported, and the temp userconfig
    // carries the throwaway token, so ~/.npmrc is neither read for auth nor written.
    const result = await runOrThrow(
      'npm',
      ['publish', '--json', '--ignore-scripts', '--access', 'public', '--tag', 'latest'],
      env,
      {
        cwd,
        env: { ...registry.npmEnv },
        timeoutMs: 120_000,
      },
    );
    const json = result.stdout.slice(result.stdout.indexOf('{'));
    type Report = { name?: string; version?: string; integrity?: string };
    const parsed = JSON.parse(json) as Report | Record<string, Report>;
    // npm 11 inside a workspaces repo keys the report by package name; outside one it is the report itself.
    const report: Report = (parsed as Record<string, Report>)[manifest.name] ?? (parsed as Report);
    if (report.name !== manifest.name || report.version !== manifest.version || !report.integrity) {
      throw new Error(`npm publish in ${pkg.dir} reported ${json.slice(0, 500)}`);
    }
    published.push({ name: manifest.name, version: manifest.version, integrity: report.integrity });
  }
  return published;
}
