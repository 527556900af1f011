import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { baseEnv, CommandError, runCommand, type RunOptions, type RunResult } from './exec.js';
import type { LocalRegistry } from './registry.js';
import { makeTempDir, removeTempDir } from './temp.js';

const TRANSIENT_NETWORK = /ECONNRESET|ETIMEDOUT|EAI_AGAIN|ECONNREFUSED|socket hang up|network timeout/i;

export interface WorkspaceRunOptions {
  env?: NodeJS.ProcessEnv;
  /** Relative to the workspace root. */
  cwd?: string;
  timeoutMs?: number;
}

export interface Workspace {
  /** The workspace root (contains nx.json). */
  root: string;
  name: string;
  /** Every command's line and output, appended in order. */
  logFile: string;
  /** Run any command in the workspace, on the pinned Node, against the local registry. Never throws on exit codes. */
  run(cmd: string, args: readonly string[], options?: WorkspaceRunOptions): Promise<RunResult>;
  /** As run, but throws a CommandError (with the output) unless the exit code is 0. */
  runOk(cmd: string, args: readonly string[], options?: WorkspaceRunOptions): Promise<RunResult>;
  /** `npx nx <args>` with the workspace's own Nx. */
  nx(args: readonly string[], options?: WorkspaceRunOptions): Promise<RunResult>;
  nxOk(args: readonly string[], options?: WorkspaceRunOptions): Promise<RunResult>;
  path(...segments: string[]): string;
  readJson<T = unknown>(relativePath: string): Promise<T>;
  /** Write a file (creating its directories), relative to the workspace root. */
  writeFile(relativePath: string, content: string | Uint8Array): Promise<void>;
  /** Removes the whole temp dir (kept with NX_PEX_E2E_KEEP=1). */
  dispose(): Promise<void>;
}

export interface CreateWorkspaceOptions {
  /** Workspace (and directory) name. Default `proj`. */
  name?: string;
  /** `create-nx-workspace@<version>`. Default `latest`. */
  createNxWorkspaceVersion?: string;
  /** Run `nx add nx-pex` after creating it. Default true. */
  addPlugin?: boolean;
  /** Extra env for every command of this workspace (e.g. NX_PEX_CACHE_DIR). */
  env?: NodeJS.ProcessEnv;
}

/**
 * A fresh Nx workspace made the way a new user makes one: `create-nx-workspace` (fetched through the
 * local registry, which proxies the public one), then `nx add nx-pex` (which finds our build there).
 */
export async function createWorkspace(
  registry: LocalRegistry,
  options: CreateWorkspaceOptions = {},
): Promise<Workspace> {
  const name = options.name ?? 'proj';
  const parent = await makeTempDir('ws');
  const root = join(parent, name);
  const logDir = join(parent, 'logs');
  await mkdir(logDir, { recursive: true });
  const logFile = join(logDir, 'commands.log');
  // The workspace's own bins first (its nx, not this repo's), then the pinned Node.
  const env: NodeJS.ProcessEnv = {
    ...baseEnv([join(root, 'node_modules', '.bin')]),
    ...registry.npmEnv,
    ...options.env,
  };

  const run = (cmd: string, args: readonly string[], o: WorkspaceRunOptions = {}): Promise<RunResult> => {
    const runOptions: RunOptions = {
      cwd: o.cwd ? join(root, o.cwd) : root,
      logFile,
      timeoutMs: o.timeoutMs ?? 600_000,
    };
    if (o.env) runOptions.env = o.env;
    return runCommand(cmd, args, env, runOptions);
  };
  const runOk = async (cmd: string, args: readonly string[], o: WorkspaceRunOptions = {}): Promise<RunResult> => {
    const result = await run(cmd, args, o);
    if (result.exitCode !== 0) throw new CommandError(result);
    return result;
  };
  const workspace: Workspace = {
    root,
    name,
    logFile,
    run,
    runOk,
    nx: (args, o) => run('npx', ['nx', ...args], o),
    nxOk: (args, o) => runOk('npx', ['nx', ...args], o),
    path: (...segments) => join(root, ...segments),
    readJson: async <T>(relativePath: string) => JSON.parse(await readFile(join(root, relativePath), 'utf8')) as T,
    writeFile: async (relativePath, content) => {
      await mkdir(dirname(join(root, relativePath)), { recursive: true });
      await writeFile(join(root, relativePath), content);
    },
    dispose: () => removeTempDir(parent),
  };

  try {
    const version = options.createNxWorkspaceVersion ?? 'latest';
    const args = [
      '-y',
      `create-nx-workspace@${version}`,
      name,
      '--preset=apps',
      '--nxCloud=skip',
      '--interactive=false',
      '--packageManager=npm',
      '--skipGit',
      '--aiAgents=none',
      '--analytics=false',
    ];
    // The one step that downloads hundreds of packages through the uplink: retried once, and only
    // when the failure reads like the network's, never for a real error.
    let created = await runCommand('npx', args, env, { cwd: parent, logFile, timeoutMs: 600_000 });
    if (created.exitCode !== 0 && TRANSIENT_NETWORK.test(created.output)) {
      await rm(root, { recursive: true, force: true });
      created = await runCommand('npx', args, env, { cwd: parent, logFile, timeoutMs: 600_000 });
    }
    if (created.exitCode !== 0 || !existsSync(join(root, 'nx.json'))) {
      throw new Error(
        `create-nx-workspace failed\n${new CommandError(created).message}\n--- registry log ---\n${await registry.logTail()}`,
      );
    }
    if (options.addPlugin ?? true) {
      await workspace.nxOk(['add', 'nx-pex']);
    }
  } catch (error) {
    // Kept for a post-mortem: the log of every command is in it.
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n(workspace kept in ${parent}; commands logged in ${logFile})`, { cause: error });
  }
  return workspace;
}
