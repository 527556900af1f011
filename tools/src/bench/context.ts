import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IndexConfigLike } from './libraries.js';
import type { ReferenceTools } from './reference-tools.js';

/** Everything the workloads share for one bench run. */
export interface BenchContext {
  repoRoot: string;
  /** Node running the harness (the repo's pinned Node): runs nx, the nx-pex CLI and the worker. */
  node: string;
  /** The bench interpreter, absolute (not a shim): builds target it, pexes and venvs run on it. */
  python: string;
  pythonVersion: string;
  /** Temporary directory of this run (caches, outputs, venvs). */
  runDir: string;
  /** The throwaway Nx workspace (under the repo's tmp/, so nx and nx-pex resolve from the repo). */
  workspaceDir: string;
  index: IndexConfigLike;
  tools: ReferenceTools;
  logPath: string;
  torchCuda: boolean;
  progress: (line: string) => void;
}

export function paths(ctx: BenchContext) {
  return {
    nxPexCli: join(ctx.repoRoot, 'packages', 'nx-pex', 'dist', 'cli', 'main.js'),
    nx: nxBin(ctx.repoRoot),
    worker: join(ctx.repoRoot, 'tools', 'dist', 'bench', 'worker.js'),
  };
}

/** The nx executable script of the repo's nx, from its package.json `bin` (where it lives changed across versions). */
export function nxBin(repoRoot: string): string {
  const pkgJson = createRequire(join(repoRoot, 'package.json')).resolve('nx/package.json');
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.nx;
  if (!bin) throw new Error(`${pkgJson} names no nx executable`);
  return join(dirname(pkgJson), bin);
}

/** The environment of an Nx run in a bench workspace: no daemon (its CPU would not be the command's), no cloud, plain output. */
export const nxEnv = (pexCache: string) => ({
  NX_PEX_CACHE_DIR: pexCache,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  CI: 'true',
});
