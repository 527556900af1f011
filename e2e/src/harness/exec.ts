import { spawn } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (this file lives in e2e/src/harness/). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The repo's node_modules/.bin: holds the pinned Node 24 (`node`) that every child must run on. */
export const repoBin = join(repoRoot, 'node_modules', '.bin');

export interface RunOptions {
  cwd: string;
  /** Merged over the base environment given to runCommand. */
  env?: NodeJS.ProcessEnv;
  /** Kill the whole process group after this long. Default 10 minutes. */
  timeoutMs?: number;
  /** Append the command line and its output to this file (for post-mortems). */
  logFile?: string;
}

export interface RunResult {
  command: string;
  cwd: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order. */
  output: string;
  durationMs: number;
}

export class CommandError extends Error {
  readonly result: RunResult;
  constructor(result: RunResult) {
    super(describeResult(result));
    this.name = 'CommandError';
    this.result = result;
  }
}

/** A readable account of a finished command: what ran, where, how it ended, the tail of its output. */
export function describeResult(result: RunResult, maxChars = 12_000): string {
  const how = result.timedOut
    ? `timed out after ${Math.round(result.durationMs / 1000)} s`
    : result.signal
      ? `killed by ${result.signal}`
      : `exited with code ${result.exitCode}`;
  const out = result.output.length > maxChars ? `…${result.output.slice(-maxChars)}` : result.output;
  return `\`${result.command}\` (in ${result.cwd}) ${how} after ${(result.durationMs / 1000).toFixed(1)} s\n--- output ---\n${out}`;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Environment for children: the parent's, minus what npm/npx/vitest/Nx inject into *this* process
 * (npm_config_* would point npm in the fresh workspace at this repo's prefix and registry; NX_* would
 * make the workspace's Nx think it runs inside this repo's task), with the pinned Node first on PATH.
 */
export function baseEnv(extraPathFirst: string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(npm_|NPM_CONFIG_|VITEST|NX_|INIT_CWD$|NODE_OPTIONS$|NODE_ENV$|TS_NODE_)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = [...extraPathFirst, repoBin, process.env.PATH ?? ''].join(delimiter);
  Object.assign(env, {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_TUI: 'false',
    NX_INTERACTIVE: 'false',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_yes: 'true',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  });
  return env;
}

/** Run a command without a shell; never throws for a non-zero exit (see runOrThrow). */
export async function runCommand(
  cmd: string,
  args: readonly string[],
  base: NodeJS.ProcessEnv,
  options: RunOptions,
): Promise<RunResult> {
  const command = [cmd, ...args].map(quote).join(' ');
  const env: NodeJS.ProcessEnv = { ...base };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 600_000;
  let stdout = '';
  let stderr = '';
  let output = '';
  let timedOut = false;
  // detached: the child leads its own process group, so a timeout kills npx's grandchildren too.
  const child = spawn(cmd, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    output += chunk;
  });
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  }, timeoutMs);
  const { exitCode, signal } = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>(
    (resolvePromise, reject) => {
      child.on('error', reject);
      child.on('close', (code, sig) => resolvePromise({ exitCode: code, signal: sig }));
    },
  ).finally(() => clearTimeout(timer));
  const result: RunResult = {
    command,
    cwd: options.cwd,
    exitCode,
    signal,
    timedOut,
    stdout,
    stderr,
    output,
    durationMs: Date.now() - started,
  };
  if (options.logFile) {
    await appendFile(options.logFile, `\n$ ${describeResult(result, Number.POSITIVE_INFINITY)}\n`);
  }
  if (process.env.NX_PEX_E2E_VERBOSE) {
    process.stderr.write(`[e2e] ${command} → ${exitCode ?? signal} in ${(result.durationMs / 1000).toFixed(1)} s\n`);
  }
  return result;
}

/** Like runCommand, but a non-zero exit (or a timeout) throws a CommandError carrying the output. */
export async function runOrThrow(
  cmd: string,
  args: readonly string[],
  base: NodeJS.ProcessEnv,
  options: RunOptions,
): Promise<RunResult> {
  const result = await runCommand(cmd, args, base, options);
  if (result.exitCode !== 0) throw new CommandError(result);
  return result;
}
